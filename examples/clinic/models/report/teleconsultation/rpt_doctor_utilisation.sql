/*---
type: report
business_unit: teleconsultation
tags: [weekly, cross_unit]
description: >-
  Cross-unit: minutes each doctor worked per week in teleconsultations and in clinic
  appointments, utilisation against a 40-hour week and rank within the specialty.
---*/
with remote_work as (
  select
    doctor_id,
    date_trunc('week', consultation_date)::date as week_start,
    count(*) as consultation_count,
    coalesce(sum(duration_minutes) filter (where is_completed), 0) as remote_minutes,
    avg(rating) as avg_rating
  from fct_consultations
  group by doctor_id, date_trunc('week', consultation_date)::date
),
clinic_work as (
  select
    doctor_id,
    date_trunc('week', appointment_date)::date as week_start,
    count(*) filter (where is_attended) as visit_count,
    count(*) filter (where is_no_show) as no_show_count,
    coalesce(sum(duration_minutes) filter (where is_attended), 0) as clinic_minutes
  from fct_appointments
  group by doctor_id, date_trunc('week', appointment_date)::date
),
combined as (
  select
    coalesce(r.doctor_id, w.doctor_id) as doctor_id,
    coalesce(r.week_start, w.week_start) as week_start,
    coalesce(r.consultation_count, 0) as consultation_count,
    coalesce(r.remote_minutes, 0) as remote_minutes,
    r.avg_rating,
    coalesce(w.visit_count, 0) as visit_count,
    coalesce(w.no_show_count, 0) as no_show_count,
    coalesce(w.clinic_minutes, 0) as clinic_minutes
  from remote_work r
  full join clinic_work w on w.doctor_id = r.doctor_id and w.week_start = r.week_start
)
select
  x.week_start,
  x.doctor_id,
  d.doctor_name,
  d.specialty,
  d.practice_mode,
  x.consultation_count,
  x.visit_count,
  x.no_show_count,
  x.remote_minutes,
  x.clinic_minutes,
  x.remote_minutes + x.clinic_minutes as worked_minutes,
  round((x.remote_minutes + x.clinic_minutes) / 2400.0, 3) as utilisation,
  round(x.avg_rating, 2) as avg_rating,
  dense_rank() over (
    partition by x.week_start, d.specialty
    order by x.remote_minutes + x.clinic_minutes desc
  ) as specialty_rank
from combined x
join dim_doctors d on d.doctor_id = x.doctor_id
