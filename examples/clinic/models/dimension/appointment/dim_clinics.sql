/*---
type: dimension
business_unit: appointment
tags: [daily]
description: >-
  One row per clinic with its city and staff: doctors, specialties and the number of
  15-minute slots its rooms offer in a 10-hour day.
---*/
with staff as (
  select
    clinic_id,
    count(*) as doctor_count,
    count(distinct specialty) as specialty_count
  from doctors
  where clinic_id is not null
  group by clinic_id
)
select
  cl.clinic_id,
  cl.clinic_name,
  cl.city_id,
  ci.city_name,
  ci.state,
  ci.region,
  cl.opened_on,
  cl.rooms,
  cl.rooms * 40 as daily_slot_capacity,
  coalesce(s.doctor_count, 0) as doctor_count,
  coalesce(s.specialty_count, 0) as specialty_count
from clinics cl
join cities ci on ci.city_id = cl.city_id
left join staff s on s.clinic_id = cl.clinic_id
