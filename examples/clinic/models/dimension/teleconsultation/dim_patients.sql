/*---
type: dimension
business_unit: teleconsultation
tags: [daily, pii]
description: >-
  One row per registered patient with age band, home city and insurance plan.
  Missing cities become 'Unknown' and a missing plan 'uninsured'.
---*/
select
  p.patient_id,
  p.first_name || ' ' || p.last_name as patient_name,
  coalesce(p.sex, 'U') as sex,
  p.birth_date,
  floor(date_diff('day', p.birth_date, p.signup_date) / 365.25)::integer as age_at_signup,
  case
    when date_diff('day', p.birth_date, p.signup_date) < 18 * 365.25 then '0-17'
    when date_diff('day', p.birth_date, p.signup_date) < 35 * 365.25 then '18-34'
    when date_diff('day', p.birth_date, p.signup_date) < 50 * 365.25 then '35-49'
    when date_diff('day', p.birth_date, p.signup_date) < 65 * 365.25 then '50-64'
    else '65+'
  end as age_band,
  p.city_id,
  coalesce(c.city_name, 'Unknown') as city_name,
  coalesce(c.region, 'Unknown') as region,
  coalesce(p.insurance_plan, 'uninsured') as insurance_plan,
  p.email is not null as has_email,
  p.signup_date,
  date_trunc('month', p.signup_date)::date as signup_cohort
from patients p
left join cities c on c.city_id = p.city_id
