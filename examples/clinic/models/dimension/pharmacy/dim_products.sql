/*---
type: dimension
business_unit: pharmacy
tags: [daily]
description: One row per catalogue product with its category, price band and prescription flag.
---*/
select
  product_id,
  product_name,
  active_ingredient,
  category,
  manufacturer,
  pack_size,
  unit_price as list_price,
  round(unit_price / pack_size, 4) as price_per_unit,
  case
    when unit_price < 5 then 'budget'
    when unit_price < 20 then 'standard'
    when unit_price < 60 then 'premium'
    else 'specialty'
  end as price_band,
  requires_prescription as is_prescription
from products
