/*---
type: report
business_unit: pharmacy
tags: [weekly]
description: >-
  The ten best-selling products of each category by net revenue, with units sold,
  customers and share of the category's revenue.
---*/
with product_sales as (
  select
    f.product_id,
    p.product_name,
    p.category,
    p.price_band,
    coalesce(sum(f.quantity) filter (where f.status = 'completed'), 0) as units_sold,
    count(distinct f.patient_id) as customer_count,
    sum(f.net_revenue) as revenue
  from fct_orders f
  join dim_products p on p.product_id = f.product_id
  group by f.product_id, p.product_name, p.category, p.price_band
)
select
  category,
  rank() over (partition by category order by revenue desc, product_id) as category_rank,
  product_id,
  product_name,
  price_band,
  units_sold,
  customer_count,
  revenue,
  round(revenue / nullif(sum(revenue) over (partition by category), 0), 4) as share_of_category
from product_sales
qualify category_rank <= 10
