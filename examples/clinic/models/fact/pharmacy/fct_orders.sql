/*---
type: fact
business_unit: pharmacy
partition_by: [order_date]
tags: [daily]
description: >-
  One row per pharmacy order with product, pharmacy and patient attributes and its revenue:
  net_revenue counts completed orders only (cancelled and refunded orders bring nothing).
---*/
select
  o.order_id,
  o.order_date,
  o.ordered_at,
  hour(o.ordered_at) as order_hour,
  o.patient_id,
  pt.age_band,
  pt.insurance_plan,
  o.pharmacy_id,
  ph.chain,
  ph.city_id,
  ph.city_name,
  ph.region,
  o.product_id,
  pr.category,
  pr.is_prescription,
  o.consultation_id,
  o.consultation_id is not null as is_teleconsult_prescription,
  o.channel,
  o.payment_method,
  o.status,
  o.status = 'cancelled' as is_cancelled,
  o.quantity,
  o.unit_price,
  round(o.quantity * o.unit_price, 2) as gross_amount,
  round(o.quantity * o.unit_price * coalesce(o.discount_pct, 0), 2) as discount_amount,
  case
    when o.status = 'completed' then round(o.quantity * o.unit_price * (1 - coalesce(o.discount_pct, 0)), 2)
    else 0
  end as net_revenue,
  row_number() over (partition by o.order_date, o.patient_id order by o.ordered_at, o.order_id) as patient_order_seq_in_day
from orders o
join dim_products pr on pr.product_id = o.product_id
join dim_pharmacies ph on ph.pharmacy_id = o.pharmacy_id
left join dim_patients pt on pt.patient_id = o.patient_id
