/*---
type: dimension
business_unit: pharmacy
tags: [daily]
description: One row per partner pharmacy with its city and chain ('Independent' when it has none).
---*/
select
  ph.pharmacy_id,
  ph.pharmacy_name,
  coalesce(ph.chain, 'Independent') as chain,
  ph.chain is null as is_independent,
  ph.is_24h,
  ph.opened_on,
  ph.city_id,
  ci.city_name,
  ci.state,
  ci.region
from pharmacies ph
join cities ci on ci.city_id = ph.city_id
