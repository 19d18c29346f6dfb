/*---
type: report
business_unit: appointment
tags: [weekly]
description: >-
  No-show rate per clinic, booking lead time and reminder, among appointments that were not
  cancelled, with the clinic minutes lost to no-shows.
---*/
select
  clinic_id,
  clinic_name,
  city_name,
  lead_time_band,
  reminder_sent,
  count(*) as booked_count,
  count(*) filter (where is_cancelled) as cancelled_count,
  count(*) filter (where not is_cancelled) as expected_count,
  count(*) filter (where is_no_show) as no_show_count,
  round(
    count(*) filter (where is_no_show) / nullif(count(*) filter (where not is_cancelled), 0),
    4
  ) as no_show_rate,
  coalesce(sum(duration_minutes) filter (where is_no_show), 0) as lost_minutes
from fct_appointments
group by clinic_id, clinic_name, city_name, lead_time_band, reminder_sent
