/*---
type: report
business_unit: appointment
partition_by: [appointment_date]
tags: [daily]
description: >-
  Daily load per clinic: appointments booked, attended and missed, booked minutes against
  the rooms' slot capacity, and the clinic's busiest hour of the day.
---*/
with by_hour as (
  select
    appointment_date,
    clinic_id,
    hour(scheduled_at) as slot_hour,
    count(*) as booked_count
  from fct_appointments
  where not is_cancelled
  group by appointment_date, clinic_id, hour(scheduled_at)
),
busiest as (
  select appointment_date, clinic_id, slot_hour as busiest_hour
  from by_hour
  qualify row_number() over (
    partition by appointment_date, clinic_id
    order by booked_count desc, slot_hour
  ) = 1
)
select
  a.appointment_date,
  a.clinic_id,
  cl.clinic_name,
  cl.city_name,
  count(*) filter (where not a.is_cancelled) as booked_count,
  count(*) filter (where a.is_attended) as attended_count,
  count(*) filter (where a.is_no_show) as no_show_count,
  coalesce(sum(a.duration_minutes) filter (where not a.is_cancelled), 0) as booked_minutes,
  cl.daily_slot_capacity * 15 as capacity_minutes,
  round(coalesce(sum(a.duration_minutes) filter (where not a.is_cancelled), 0) / (cl.daily_slot_capacity * 15.0), 3) as occupancy,
  b.busiest_hour
from fct_appointments a
join dim_clinics cl on cl.clinic_id = a.clinic_id
left join busiest b on b.appointment_date = a.appointment_date and b.clinic_id = a.clinic_id
group by a.appointment_date, a.clinic_id, cl.clinic_name, cl.city_name, cl.daily_slot_capacity, b.busiest_hour
