/*---
type: dimension
business_unit: teleconsultation
tags: [daily]
description: >-
  One row per doctor with specialty, practice mode (hybrid doctors also see patients in a
  clinic, telehealth_only doctors do not) and the clinic's city.
---*/
select
  d.doctor_id,
  'Dr ' || d.first_name || ' ' || d.last_name as doctor_name,
  d.specialty,
  case when d.clinic_id is null then 'telehealth_only' else 'hybrid' end as practice_mode,
  d.clinic_id,
  cl.clinic_name,
  ci.city_name as clinic_city,
  d.hired_on,
  year(d.hired_on) as hired_year
from doctors d
left join clinics cl on cl.clinic_id = d.clinic_id
left join cities ci on ci.city_id = cl.city_id
