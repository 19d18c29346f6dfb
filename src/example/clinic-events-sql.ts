import type { ClinicSizes } from './clinic-sizes.js';
import { lit, strList } from './clinic-reference-sql.js';

/**
 * Views that generate the daily event sources: consultations (teleconsultation), orders
 * (pharmacy) and appointments (appointment). Volumes follow a weekday pattern, a winter
 * season, growth over time (+30% a year) and ±10% daily noise; patients, doctors, pharmacies
 * and products are drawn with skew. Wrinkles: dropped calls (NULL duration and rating),
 * unrated consultations, cancelled and refunded orders, NULL discounts, orders that fill a
 * teleconsultation prescription (the others have a NULL consultation_id), cancelled and
 * no-show appointments (more no-shows with long lead times and without a reminder).
 */

const CONSULTATION_REASONS = [
  'Fever, cough',
  'Sore throat',
  'Skin rash',
  'Back pain',
  'Prescription renewal',
  'Anxiety, sleep problems',
  'Headache',
  'Allergy, hay fever',
  'Follow-up',
  'Stomach ache',
  'Urinary infection',
  'Blood pressure check',
];
const APPOINTMENT_REASONS = [
  'Annual check-up',
  'Follow-up',
  'Vaccination',
  'Blood test',
  'Minor injury',
  'Chronic care review',
  'Specialist referral',
  'Prenatal visit',
];
const APPOINTMENT_MINUTES = [30, 15, 15, 15, 30, 30, 45, 30];
/** Hours drawn uniformly from these lists, so repeated hours are the busy ones. */
const ORDER_HOURS = [8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 13, 13, 14, 15, 16, 17, 17, 18, 18, 18, 19, 19, 20, 21];
const CONSULTATION_HOURS = [7, 8, 8, 9, 9, 10, 11, 12, 12, 13, 14, 15, 16, 17, 18, 18, 19, 19, 20, 20, 21, 21, 22, 23];

export function eventViewsSql(sizes: ClinicSizes, startDate: string, days: number): string[] {
  const start = `DATE ${lit(startDate)}`;
  const np = sizes.patients;
  return [
    `create or replace view gen_days as
     select d::INTEGER as day_index, (${start} + d::INTEGER) as day, isodow(${start} + d::INTEGER) as dow,
            dayofyear(${start} + d::INTEGER) as doy
     from range(${days}) r(d)`,

    // Events per kind and day; weekday factors are Monday..Sunday.
    `create or replace view gen_day_counts as
     with k(kind, base, weekday, season) as (values
       ('orders', ${sizes.dailyOrders}, [1.10, 1.00, 1.00, 1.02, 1.15, 0.80, 0.45], 0.10),
       ('consultations', ${sizes.dailyConsultations}, [1.30, 1.05, 1.00, 0.95, 0.90, 0.85, 0.95], 0.20),
       ('appointments', ${sizes.dailyAppointments}, [1.10, 1.05, 1.05, 1.00, 0.95, 0.35, 0.05], 0.05)
     ), c as (
       select kind, day_index, day,
              greatest(1, round(base * weekday[dow] * (1 + 0.3 * day_index / 365.0)
                * (1 + season * cos(2 * pi() * (doy - 15) / 365.0))
                * (0.9 + 0.2 * rnd(day_index, kind || '_day'))))::BIGINT as n
       from gen_days, k
     )
     select *, (sum(n) over (partition by kind order by day_index) - n)::BIGINT as first_id from c`,

    `create or replace view gen_event_ids as
     select kind, day_index, day, (first_id + i + 1)::BIGINT as id
     from gen_day_counts cross join range(n) r(i)`,

    `create or replace view gen_consultations as
     with c as (
       select id, day as consultation_date,
              scramble(hot_rank(id, 'c_patient', ${np}, 0.12, 1.3), ${np}) as patient_id,
              scramble(zipf_rank(id, 'c_doctor', ${sizes.doctors}, 1.1), ${sizes.doctors}) as doctor_id,
              rnd(id, 'c_status') < 0.07 as dropped,
              rnd(id, 'c_channel') as u_channel
       from gen_event_ids where kind = 'consultations'
     )
     select id as consultation_id, patient_id, doctor_id,
            consultation_date::TIMESTAMP + minutes(choose(${JSON.stringify(CONSULTATION_HOURS)}, id, 'c_hour') * 60 + pick(id, 'c_min', 60))
              + to_seconds(pick(id, 'c_sec', 60)) as started_at,
            case when u_channel < 0.6 then 'video' when u_channel < 0.9 then 'phone' else 'chat' end as channel,
            choose(${strList(CONSULTATION_REASONS)}, id, 'c_reason') as reason,
            case when dropped then 'dropped' else 'completed' end as status,
            case when dropped then NULL else (4 + floor(26 * pow(rnd(id, 'c_dur'), 1.5)))::INTEGER end as duration_minutes,
            (case when u_channel < 0.6 then 39 when u_channel < 0.9 then 29 else 19 end)::DECIMAL(8, 2) as fee,
            not dropped and rnd(id, 'c_rx') < 0.45 as prescription_issued,
            case when dropped or rnd(id, 'c_rated') < 0.45 then NULL
                 else (5 - floor(4 * pow(rnd(id, 'c_rating'), 2.5)))::INTEGER end as rating,
            consultation_date
     from c`,

    `create or replace view gen_orders as
     with walk_in as (
       select 1 as kind, id as src_id,
              day::TIMESTAMP + minutes(choose(${JSON.stringify(ORDER_HOURS)}, id, 'o_hour') * 60 + pick(id, 'o_min', 60))
                + to_seconds(pick(id, 'o_sec', 60)) as ordered_at,
              scramble(hot_rank(id, 'o_patient', ${np}, 0.12, 1.3), ${np}) as patient_id,
              NULL::BIGINT as consultation_id,
              scramble(zipf_rank(id, 'o_product', ${sizes.products}, 2.0), ${sizes.products}) as product_id
       from gen_event_ids where kind = 'orders'
     ), prescribed as (
       select 2 as kind, c.src_id,
              c.started_at + minutes(20 + floor(4300 * pow(rnd(c.src_id, 'rx_lag'), 2.5))) as ordered_at,
              c.patient_id, c.src_id as consultation_id, rx.product_id
       from (
         -- Draw the product number first so that the join below is a plain equi-join.
         select consultation_id as src_id, started_at, patient_id, pick(consultation_id, 'rx_product', n.rx_count) as k
         from gen_consultations, (select count(*) as rx_count from gen_rx_products) n
         where prescription_issued and rnd(consultation_id, 'rx_fill') < 0.7
       ) c
       join gen_rx_products rx on rx.k = c.k
     ), numbered as (
       select row_number() over (order by ordered_at, kind, src_id) as order_id, *
       from (select * from walk_in union all
             select * from prescribed where ordered_at < (${start} + ${days})::TIMESTAMP)
     ), o as (
       select *, rnd(order_id, 'o_channel') as u_channel, rnd(order_id, 'o_pay') as u_pay, rnd(order_id, 'o_status') as u_status
       from numbered
     )
     select order_id, patient_id,
            scramble(zipf_rank(order_id, 'o_pharmacy', ${sizes.pharmacies}, 1.8), ${sizes.pharmacies}) as pharmacy_id,
            product_id, consultation_id, ordered_at,
            case when consultation_id is null
                 then (case when u_channel < 0.65 then 'in_store' when u_channel < 0.80 then 'click_and_collect' else 'delivery' end)
                 else (case when u_channel < 0.25 then 'in_store' when u_channel < 0.45 then 'click_and_collect' else 'delivery' end)
            end as channel,
            (1 + floor(3 * pow(rnd(order_id, 'o_qty'), 3)))::INTEGER as quantity,
            p.unit_price,
            case when rnd(order_id, 'o_disc') < 0.75 then NULL
                 else choose([0.05, 0.10, 0.15, 0.20], order_id, 'o_disc_pct')::DECIMAL(4, 2) end as discount_pct,
            case when p.requires_prescription and u_pay < 0.5 then 'insurance'
                 when u_pay < 0.8 then 'card' else 'cash' end as payment_method,
            case when u_status < 0.90 then 'completed' when u_status < 0.97 then 'cancelled' else 'refunded' end as status,
            ordered_at::DATE as order_date
     from o join gen_products p using (product_id)`,

    `create or replace view gen_appointments as
     with a as (
       select id, day as appointment_date,
              floor(45 * pow(rnd(id, 'a_lead'), 2))::INTEGER as lead_days,
              rnd(id, 'a_reminder') < 0.7 as reminder_sent,
              rnd(id, 'a_status') as u_status,
              1 + pick(id, 'a_reason', ${APPOINTMENT_REASONS.length}) as reason_k,
              day::TIMESTAMP + minutes(480 + 15 * pick(id, 'a_slot', 40)) as scheduled_at,
              zipf_rank(id, 'a_doctor', n.doctor_count, 1.1) as doctor_k
       from gen_event_ids, (select count(*) as doctor_count from gen_clinic_doctors) n
       where kind = 'appointments'
     ), b as (
       select *, scheduled_at - to_days(lead_days) - minutes(30 + pick(id, 'a_booked', 600)) as booked_at,
              case when u_status < 0.08 then 'cancelled'
                   when u_status < 0.08 + (0.03 + 0.004 * lead_days) * (case when reminder_sent then 0.6 else 1.4 end) then 'no_show'
                   else 'attended' end as status
       from a
     )
     select id as appointment_id,
            scramble(hot_rank(id, 'a_patient', ${np}, 0.12, 1.3), ${np}) as patient_id,
            cd.doctor_id, cd.clinic_id, scheduled_at, booked_at,
            ${strList(APPOINTMENT_REASONS)}[reason_k] as reason,
            ${JSON.stringify(APPOINTMENT_MINUTES)}[reason_k]::INTEGER as duration_minutes,
            status, reminder_sent,
            case when status = 'cancelled'
                 then booked_at + minutes(floor(date_diff('minute', booked_at, scheduled_at) * rnd(id, 'a_cancel'))) end as cancelled_at,
            appointment_date
     from b
     join gen_clinic_doctors cd on cd.k = b.doctor_k`,
  ];
}
