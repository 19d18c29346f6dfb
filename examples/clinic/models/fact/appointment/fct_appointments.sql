/*---
type: fact
business_unit: appointment
partition_by: [appointment_date]
tags: [daily]
description: >-
  One row per clinic appointment with clinic, doctor and patient attributes, booking lead
  time and outcome flags (attended, no-show, cancelled).
---*/
select
  a.appointment_id,
  a.appointment_date,
  a.scheduled_at,
  a.booked_at,
  dayname(a.appointment_date) as weekday,
  date_diff('day', a.booked_at::date, a.appointment_date) as lead_time_days,
  case
    when date_diff('day', a.booked_at::date, a.appointment_date) <= 1 then '0-1 days'
    when date_diff('day', a.booked_at::date, a.appointment_date) <= 7 then '2-7 days'
    when date_diff('day', a.booked_at::date, a.appointment_date) <= 21 then '8-21 days'
    else '22+ days'
  end as lead_time_band,
  a.patient_id,
  pt.age_band,
  a.doctor_id,
  d.specialty,
  a.clinic_id,
  cl.clinic_name,
  cl.city_name,
  a.reason,
  a.duration_minutes,
  a.reminder_sent,
  a.status,
  a.status = 'attended' as is_attended,
  a.status = 'no_show' as is_no_show,
  a.status = 'cancelled' as is_cancelled,
  a.cancelled_at,
  date_diff('hour', a.cancelled_at, a.scheduled_at) as cancelled_hours_ahead
from appointments a
join dim_clinics cl on cl.clinic_id = a.clinic_id
join dim_doctors d on d.doctor_id = a.doctor_id
left join dim_patients pt on pt.patient_id = a.patient_id
