/*---
type: report
business_unit: pharmacy
tags: [daily, cross_unit]
description: >-
  Cross-unit: how many teleconsultation prescriptions are filled at a partner pharmacy,
  per consultation day, specialty and channel, with the median delay to fill and the revenue.
---*/
with fills as (
  select
    consultation_id,
    min(ordered_at) as first_ordered_at,
    sum(net_revenue) as revenue
  from fct_orders
  where consultation_id is not null and status <> 'cancelled'
  group by consultation_id
)
select
  c.consultation_date,
  c.specialty,
  c.channel,
  count(*) as prescription_count,
  count(f.consultation_id) as filled_count,
  round(count(f.consultation_id) / count(*), 4) as fill_rate,
  round(median(date_diff('minute', c.started_at, f.first_ordered_at)) / 60.0, 1) as median_hours_to_fill,
  coalesce(sum(f.revenue), 0) as prescription_revenue
from fct_consultations c
left join fills f on f.consultation_id = c.consultation_id
where c.prescription_issued
group by c.consultation_date, c.specialty, c.channel
