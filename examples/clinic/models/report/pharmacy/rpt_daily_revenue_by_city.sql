/*---
type: report
business_unit: pharmacy
partition_by: [order_date]
tags: [daily, finance]
description: >-
  Pharmacy revenue per city and day: order and customer counts, cancellations, average
  order value, the city's share of the day's revenue and its rank that day.
---*/
with city_day as (
  select
    order_date,
    city_id,
    city_name,
    region,
    count(*) as order_count,
    count(*) filter (where is_cancelled) as cancelled_count,
    count(*) filter (where status = 'completed') as completed_count,
    count(distinct patient_id) as customer_count,
    sum(net_revenue) as revenue,
    coalesce(sum(discount_amount) filter (where status = 'completed'), 0) as discounts
  from fct_orders
  group by order_date, city_id, city_name, region
)
select
  order_date,
  city_id,
  city_name,
  region,
  order_count,
  completed_count,
  cancelled_count,
  round(cancelled_count / order_count, 4) as cancellation_rate,
  customer_count,
  revenue,
  discounts,
  round(revenue / nullif(completed_count, 0), 2) as avg_order_value,
  round(revenue / nullif(sum(revenue) over (partition by order_date), 0), 4) as share_of_day_revenue,
  rank() over (partition by order_date order by revenue desc) as city_rank
from city_day
