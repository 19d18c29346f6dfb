/*---
type: fact
business_unit: teleconsultation
partition_by: [consultation_date]
tags: [daily]
description: >-
  One row per teleconsultation with doctor and patient attributes. Dropped calls are kept
  (is_completed = false) but bill nothing; duration_band is 'n/a' when the call dropped.
---*/
select
  c.consultation_id,
  c.consultation_date,
  c.started_at,
  hour(c.started_at) as start_hour,
  hour(c.started_at) >= 19 or isodow(c.consultation_date) >= 6 as is_out_of_hours,
  c.patient_id,
  pt.age_band,
  pt.region as patient_region,
  pt.insurance_plan,
  c.doctor_id,
  d.specialty,
  d.practice_mode,
  c.channel,
  c.reason,
  c.status,
  c.status = 'completed' as is_completed,
  c.duration_minutes,
  case
    when c.duration_minutes is null then 'n/a'
    when c.duration_minutes < 10 then 'short'
    when c.duration_minutes < 20 then 'standard'
    else 'long'
  end as duration_band,
  case when c.status = 'completed' then c.fee else 0 end as billable_fee,
  coalesce(c.prescription_issued, false) as prescription_issued,
  c.rating,
  c.rating is not null as is_rated
from (
  -- The feed is CSV: pin the column types, since a small daily file with an empty column
  -- would otherwise be read as text.
  select
    consultation_id::bigint as consultation_id,
    consultation_date::date as consultation_date,
    started_at::timestamp as started_at,
    patient_id::bigint as patient_id,
    doctor_id::bigint as doctor_id,
    channel,
    reason,
    status,
    duration_minutes::integer as duration_minutes,
    fee::decimal(10, 2) as fee,
    prescription_issued::boolean as prescription_issued,
    rating::integer as rating
  from consultations
) c
join dim_doctors d on d.doctor_id = c.doctor_id
left join dim_patients pt on pt.patient_id = c.patient_id
