import type { Expr, LazyDataFrame } from 'nodejs-polars';

/**
 * The clinic example's fourteen models written with nodejs-polars lazy frames, one function per
 * model, each the same transformation as the model's SQL (examples/clinic/models/**). The port
 * reproduces DuckDB's arithmetic, not only its logic, because the bench compares outputs:
 * - money is carried in integer cents where the SQL computes on DECIMAL (exact sums, exact
 *   half-away-from-zero rounding);
 * - polars divides a float column by a scalar as a multiplication by its reciprocal, which is
 *   not correctly rounded (257922 / 100 gives 2579.2200000000003), and such last-bit errors flip
 *   roundings at decimal ties; `divide` therefore always divides by a column (IEEE division, as
 *   DuckDB does), and integer floors use integer division;
 * - DuckDB's round(double, n) is round(x * 10^n) / 10^n; polars' round(n) rounds the decimal the
 *   double stands for (28.034999999999997 to 28.04 where DuckDB says 28.03): see `roundLike`;
 * - date_diff(unit, a, b) counts unit boundaries crossed: see `boundaries`.
 * What could not be written the same way is listed in docs/BENCHMARKS.md.
 */
type Polars = typeof import('nodejs-polars').default;
type Frame = LazyDataFrame;

/** Reads a source or an upstream model's output, by name. */
export type Reader = (name: string) => Frame;

export interface PolarsModel {
  readonly name: string;
  readonly partitionBy?: string;
  readonly build: (pl: Polars, read: Reader) => Frame;
}

const HALF_UP = 'halfawayfromzero' as const;

/** a / b as a correctly rounded float division (b a number or a column). */
function divide(pl: Polars, a: Expr, b: Expr | number): Expr {
  const x = a.cast(pl.Float64);
  return x.div(typeof b === 'number' ? x.mul(0).plus(b) : b.cast(pl.Float64));
}

/** DuckDB's round(x, n) on a double: half away from zero of x * 10^n, divided back. */
function roundLike(pl: Polars, e: Expr, n: number): Expr {
  return divide(pl, e.mul(10 ** n).round(0, HALF_UP), 10 ** n);
}

/** Integer floor division of a non-negative integer expression. */
function intDiv(pl: Polars, e: Expr, k: number): Expr {
  return e.cast(pl.Int64).div(pl.lit(k).cast(pl.Int64));
}

/** DuckDB's date_diff(unit, a, b) on timestamps (µs): unit boundaries crossed from a to b. */
function boundaries(pl: Polars, a: Expr, b: Expr, unitMicros: number): Expr {
  return intDiv(pl, b, unitMicros).minus(intDiv(pl, a, unitMicros));
}

/** Days since the epoch of a Date column. */
function days(pl: Polars, e: Expr): Expr {
  return e.cast(pl.Int32).cast(pl.Int64);
}

/** A money column (DECIMAL with 2 decimals in DuckDB, float here) as integer cents. */
function cents(pl: Polars, column: string): Expr {
  return pl.col(column).cast(pl.Float64).mul(100).round(0, HALF_UP).cast(pl.Int64);
}

/** Integer hundredths of a cent-unit product rounded half away from zero (non-negative values). */
function roundHundredths(pl: Polars, e: Expr): Expr {
  return intDiv(pl, e.plus(50), 100);
}

function caseOf(pl: Polars, branches: readonly [Expr, string][], otherwise: string): Expr {
  const [first, ...rest] = branches;
  let chain = pl.when(first![0]).then(pl.lit(first![1]));
  for (const [cond, value] of rest) chain = chain.when(cond).then(pl.lit(value)) as unknown as typeof chain;
  return (chain as unknown as { otherwise(e: Expr): Expr }).otherwise(pl.lit(otherwise));
}

export function clinicModels(pl: Polars): PolarsModel[] {
  const c = pl.col;
  const lit = pl.lit;
  const str = (...parts: Expr[]) => pl.concatString(parts, '') as Expr;
  /** count(*) filter (where cond) */
  const countIf = (cond: Expr) => cond.cast(pl.Int64).sum();

  return [
    {
      name: 'dim_clinics',
      build: (_, read) => {
        const staff = read('doctors')
          .filter(c('clinic_id').isNotNull())
          .groupBy('clinic_id')
          .agg(
            pl.len().cast(pl.Int64).alias('doctor_count'),
            c('specialty').dropNulls().nUnique().cast(pl.Int64).alias('specialty_count'),
          );
        return read('clinics')
          .join(read('cities').select('city_id', 'city_name', 'state', 'region'), { on: 'city_id', how: 'inner' })
          .join(staff, { on: 'clinic_id', how: 'left' })
          .select(
            c('clinic_id'),
            c('clinic_name'),
            c('city_id'),
            c('city_name'),
            c('state'),
            c('region'),
            c('opened_on'),
            c('rooms'),
            c('rooms').mul(40).alias('daily_slot_capacity'),
            c('doctor_count').fillNull(0),
            c('specialty_count').fillNull(0),
          );
      },
    },
    {
      name: 'dim_pharmacies',
      build: (_, read) =>
        read('pharmacies')
          .join(read('cities').select('city_id', 'city_name', 'state', 'region'), { on: 'city_id', how: 'inner' })
          .select(
            c('pharmacy_id'),
            c('pharmacy_name'),
            c('chain').fillNull(lit('Independent')).alias('chain'),
            c('chain').isNull().alias('is_independent'),
            c('is_24h'),
            c('opened_on'),
            c('city_id'),
            c('city_name'),
            c('state'),
            c('region'),
          ),
    },
    {
      name: 'dim_products',
      build: (_, read) =>
        read('products').select(
          c('product_id'),
          c('product_name'),
          c('active_ingredient'),
          c('category'),
          c('manufacturer'),
          c('pack_size'),
          c('unit_price').alias('list_price'),
          roundLike(pl, divide(pl, c('unit_price'), c('pack_size')), 4).alias('price_per_unit'),
          caseOf(
            pl,
            [
              [c('unit_price').lt(5), 'budget'],
              [c('unit_price').lt(20), 'standard'],
              [c('unit_price').lt(60), 'premium'],
            ],
            'specialty',
          ).alias('price_band'),
          c('requires_prescription').alias('is_prescription'),
        ),
    },
    {
      name: 'dim_doctors',
      build: (_, read) => {
        const clinics = read('clinics').select('clinic_id', 'clinic_name', c('city_id').alias('clinic_city_id'));
        const cities = read('cities').select(c('city_id').alias('clinic_city_id'), c('city_name').alias('clinic_city'));
        return read('doctors')
          .join(clinics, { on: 'clinic_id', how: 'left' })
          .join(cities, { on: 'clinic_city_id', how: 'left' })
          .select(
            c('doctor_id'),
            str(lit('Dr '), c('first_name'), lit(' '), c('last_name')).alias('doctor_name'),
            c('specialty'),
            pl
              .when(c('clinic_id').isNull())
              .then(lit('telehealth_only'))
              .otherwise(lit('hybrid'))
              .alias('practice_mode'),
            c('clinic_id'),
            c('clinic_name'),
            c('clinic_city'),
            c('hired_on'),
            c('hired_on').dt.year().cast(pl.Int64).alias('hired_year'),
          );
      },
    },
    {
      name: 'dim_patients',
      build: (_, read) => {
        const age = days(pl, c('signup_date')).minus(days(pl, c('birth_date')));
        return read('patients')
          .join(read('cities').select('city_id', 'city_name', 'region'), { on: 'city_id', how: 'left' })
          .select(
            c('patient_id'),
            str(c('first_name'), lit(' '), c('last_name')).alias('patient_name'),
            c('sex').fillNull(lit('U')).alias('sex'),
            c('birth_date'),
            divide(pl, age, 365.25).floor().cast(pl.Int32).alias('age_at_signup'),
            caseOf(
              pl,
              [
                [age.lt(18 * 365.25), '0-17'],
                [age.lt(35 * 365.25), '18-34'],
                [age.lt(50 * 365.25), '35-49'],
                [age.lt(65 * 365.25), '50-64'],
              ],
              '65+',
            ).alias('age_band'),
            c('city_id'),
            c('city_name').fillNull(lit('Unknown')).alias('city_name'),
            c('region').fillNull(lit('Unknown')).alias('region'),
            c('insurance_plan').fillNull(lit('uninsured')).alias('insurance_plan'),
            c('email').isNotNull().alias('has_email'),
            c('signup_date'),
            c('signup_date').dt.truncate('1mo').alias('signup_cohort'),
          );
      },
    },
    {
      name: 'fct_orders',
      partitionBy: 'order_date',
      build: (_, read) => {
        const price = cents(pl, 'unit_price');
        const pct = c('discount_pct').cast(pl.Float64).mul(100).round(0, HALF_UP).cast(pl.Int64).fillNull(0);
        const gross = c('quantity').cast(pl.Int64).mul(price);
        return read('orders')
          .join(read('dim_products').select('product_id', 'category', 'is_prescription'), {
            on: 'product_id',
            how: 'inner',
          })
          .join(read('dim_pharmacies').select('pharmacy_id', 'chain', 'city_id', 'city_name', 'region'), {
            on: 'pharmacy_id',
            how: 'inner',
          })
          .join(read('dim_patients').select('patient_id', 'age_band', 'insurance_plan'), {
            on: 'patient_id',
            how: 'left',
          })
          .sort(['order_date', 'patient_id', 'ordered_at', 'order_id'])
          .select(
            c('order_id'),
            c('order_date'),
            c('ordered_at'),
            c('ordered_at').dt.hour().cast(pl.Int64).alias('order_hour'),
            c('patient_id'),
            c('age_band'),
            c('insurance_plan'),
            c('pharmacy_id'),
            c('chain'),
            c('city_id'),
            c('city_name'),
            c('region'),
            c('product_id'),
            c('category'),
            c('is_prescription'),
            c('consultation_id'),
            c('consultation_id').isNotNull().alias('is_teleconsult_prescription'),
            c('channel'),
            c('payment_method'),
            c('status'),
            c('status').eq(lit('cancelled')).alias('is_cancelled'),
            c('quantity'),
            c('unit_price'),
            divide(pl, gross, 100).alias('gross_amount'),
            divide(pl, roundHundredths(pl, gross.mul(pct)), 100).alias('discount_amount'),
            pl
              .when(c('status').eq(lit('completed')))
              .then(divide(pl, roundHundredths(pl, gross.mul(lit(100).minus(pct))), 100))
              .otherwise(lit(0))
              .alias('net_revenue'),
            pl.intRange(pl.len()).over('order_date', 'patient_id').plus(1).alias('patient_order_seq_in_day'),
          );
      },
    },
    {
      name: 'fct_appointments',
      partitionBy: 'appointment_date',
      build: (_, read) => {
        const lead = days(pl, c('appointment_date')).minus(days(pl, c('booked_at').cast(pl.Date)));
        return read('appointments')
          .join(read('dim_clinics').select('clinic_id', 'clinic_name', 'city_name'), { on: 'clinic_id', how: 'inner' })
          .join(read('dim_doctors').select('doctor_id', 'specialty'), { on: 'doctor_id', how: 'inner' })
          .join(read('dim_patients').select('patient_id', 'age_band'), { on: 'patient_id', how: 'left' })
          .select(
            c('appointment_id'),
            c('appointment_date'),
            c('scheduled_at'),
            c('booked_at'),
            c('appointment_date').dt.strftime('%A').alias('weekday'),
            lead.alias('lead_time_days'),
            caseOf(
              pl,
              [
                [lead.ltEq(1), '0-1 days'],
                [lead.ltEq(7), '2-7 days'],
                [lead.ltEq(21), '8-21 days'],
              ],
              '22+ days',
            ).alias('lead_time_band'),
            c('patient_id'),
            c('age_band'),
            c('doctor_id'),
            c('specialty'),
            c('clinic_id'),
            c('clinic_name'),
            c('city_name'),
            c('reason'),
            c('duration_minutes'),
            c('reminder_sent'),
            c('status'),
            c('status').eq(lit('attended')).alias('is_attended'),
            c('status').eq(lit('no_show')).alias('is_no_show'),
            c('status').eq(lit('cancelled')).alias('is_cancelled'),
            c('cancelled_at'),
            boundaries(pl, c('cancelled_at'), c('scheduled_at'), 3_600_000_000).alias('cancelled_hours_ahead'),
          );
      },
    },
    {
      name: 'fct_consultations',
      partitionBy: 'consultation_date',
      build: (_, read) => {
        const typed = read('consultations').select(
          c('consultation_id').cast(pl.Int64),
          c('consultation_date'),
          c('started_at')
            .str.strptime(pl.Datetime('ms'), '%Y-%m-%d %H:%M:%S')
            .cast(pl.Datetime('us'))
            .alias('started_at'),
          c('patient_id').cast(pl.Int64),
          c('doctor_id').cast(pl.Int64),
          c('channel'),
          c('reason'),
          c('status'),
          c('duration_minutes').cast(pl.Int32),
          c('fee').cast(pl.Float64),
          c('prescription_issued').eq(lit('true')).alias('prescription_issued'),
          c('rating').cast(pl.Int32),
        );
        return typed
          .join(read('dim_doctors').select('doctor_id', 'specialty', 'practice_mode'), {
            on: 'doctor_id',
            how: 'inner',
          })
          .join(
            read('dim_patients').select(
              'patient_id',
              'age_band',
              c('region').alias('patient_region'),
              'insurance_plan',
            ),
            { on: 'patient_id', how: 'left' },
          )
          .select(
            c('consultation_id'),
            c('consultation_date'),
            c('started_at'),
            c('started_at').dt.hour().cast(pl.Int64).alias('start_hour'),
            c('started_at').dt.hour().gtEq(19).or(c('consultation_date').dt.weekday().gtEq(6)).alias('is_out_of_hours'),
            c('patient_id'),
            c('age_band'),
            c('patient_region'),
            c('insurance_plan'),
            c('doctor_id'),
            c('specialty'),
            c('practice_mode'),
            c('channel'),
            c('reason'),
            c('status'),
            c('status').eq(lit('completed')).alias('is_completed'),
            c('duration_minutes'),
            pl
              .when(c('duration_minutes').isNull())
              .then(lit('n/a'))
              .when(c('duration_minutes').lt(10))
              .then(lit('short'))
              .when(c('duration_minutes').lt(20))
              .then(lit('standard'))
              .otherwise(lit('long'))
              .alias('duration_band'),
            pl
              .when(c('status').eq(lit('completed')))
              .then(c('fee'))
              .otherwise(lit(0))
              .alias('billable_fee'),
            c('prescription_issued').fillNull(false),
            c('rating'),
            c('rating').isNotNull().alias('is_rated'),
          );
      },
    },
    {
      name: 'rpt_appointment_no_shows',
      build: (_, read) =>
        read('fct_appointments')
          .groupBy(['clinic_id', 'clinic_name', 'city_name', 'lead_time_band', 'reminder_sent'])
          .agg(
            pl.len().cast(pl.Int64).alias('booked_count'),
            countIf(c('is_cancelled')).alias('cancelled_count'),
            countIf(c('is_cancelled').not()).alias('expected_count'),
            countIf(c('is_no_show')).alias('no_show_count'),
            c('duration_minutes').filter(c('is_no_show')).sum().cast(pl.Int64).alias('lost_minutes'),
          )
          .select(
            c('clinic_id'),
            c('clinic_name'),
            c('city_name'),
            c('lead_time_band'),
            c('reminder_sent'),
            c('booked_count'),
            c('cancelled_count'),
            c('expected_count'),
            c('no_show_count'),
            pl
              .when(c('expected_count').eq(0))
              .then(lit(null))
              .otherwise(roundLike(pl, divide(pl, c('no_show_count'), c('expected_count')), 4))
              .alias('no_show_rate'),
            c('lost_minutes').fillNull(0),
          ),
    },
    {
      name: 'rpt_clinic_daily_load',
      partitionBy: 'appointment_date',
      build: (_, read) => {
        const busiest = read('fct_appointments')
          .filter(c('is_cancelled').not())
          .withColumns(c('scheduled_at').dt.hour().cast(pl.Int64).alias('slot_hour'))
          .groupBy(['appointment_date', 'clinic_id', 'slot_hour'])
          .agg(pl.len().alias('booked_count'))
          .groupBy(['appointment_date', 'clinic_id'])
          .agg(
            c('slot_hour')
              .sortBy([c('booked_count'), c('slot_hour')], [true, false])
              .first()
              .alias('busiest_hour'),
          );
        const notCancelled = c('is_cancelled').not();
        return read('fct_appointments')
          .join(
            read('dim_clinics').select(
              'clinic_id',
              c('clinic_name').alias('cl_name'),
              c('city_name').alias('cl_city'),
              'daily_slot_capacity',
            ),
            { on: 'clinic_id', how: 'inner' },
          )
          .join(busiest, { on: ['appointment_date', 'clinic_id'], how: 'left' })
          .groupBy(['appointment_date', 'clinic_id', 'cl_name', 'cl_city', 'daily_slot_capacity', 'busiest_hour'])
          .agg(
            countIf(notCancelled).alias('booked_count'),
            countIf(c('is_attended')).alias('attended_count'),
            countIf(c('is_no_show')).alias('no_show_count'),
            c('duration_minutes').filter(notCancelled).sum().cast(pl.Int64).fillNull(0).alias('booked_minutes'),
          )
          .select(
            c('appointment_date'),
            c('clinic_id'),
            c('cl_name').alias('clinic_name'),
            c('cl_city').alias('city_name'),
            c('booked_count'),
            c('attended_count'),
            c('no_show_count'),
            c('booked_minutes'),
            c('daily_slot_capacity').mul(15).alias('capacity_minutes'),
            roundLike(pl, divide(pl, c('booked_minutes'), c('daily_slot_capacity').mul(15)), 3).alias('occupancy'),
            c('busiest_hour'),
          );
      },
    },
    {
      name: 'rpt_daily_revenue_by_city',
      partitionBy: 'order_date',
      build: (_, read) => {
        const completed = c('status').eq(lit('completed'));
        const revenue = divide(pl, c('revenue_cents'), 100);
        return read('fct_orders')
          .groupBy(['order_date', 'city_id', 'city_name', 'region'])
          .agg(
            pl.len().cast(pl.Int64).alias('order_count'),
            countIf(c('is_cancelled')).alias('cancelled_count'),
            countIf(completed).alias('completed_count'),
            c('patient_id').dropNulls().nUnique().cast(pl.Int64).alias('customer_count'),
            cents(pl, 'net_revenue').sum().alias('revenue_cents'),
            cents(pl, 'discount_amount').filter(completed).sum().alias('discount_cents'),
          )
          .select(
            c('order_date'),
            c('city_id'),
            c('city_name'),
            c('region'),
            c('order_count'),
            c('completed_count'),
            c('cancelled_count'),
            roundLike(pl, divide(pl, c('cancelled_count'), c('order_count')), 4).alias('cancellation_rate'),
            c('customer_count'),
            revenue.alias('revenue'),
            divide(pl, c('discount_cents').fillNull(0), 100).alias('discounts'),
            pl
              .when(c('completed_count').eq(0))
              .then(lit(null))
              .otherwise(roundLike(pl, divide(pl, revenue, c('completed_count')), 2))
              .alias('avg_order_value'),
            roundLike(pl, divide(pl, revenue, divide(pl, c('revenue_cents').sum().over('order_date'), 100)), 4).alias(
              'share_of_day_revenue',
            ),
            c('revenue_cents').rank('min', true).over('order_date').cast(pl.Int64).alias('city_rank'),
          );
      },
    },
    {
      name: 'rpt_prescription_fulfilment',
      build: (_, read) => {
        const fills = read('fct_orders')
          .filter(
            c('consultation_id')
              .isNotNull()
              .and(c('status').neq(lit('cancelled'))),
          )
          .groupBy('consultation_id')
          .agg(c('ordered_at').min().alias('first_ordered_at'), cents(pl, 'net_revenue').sum().alias('revenue_cents'));
        const minutes = boundaries(pl, c('started_at'), c('first_ordered_at'), 60_000_000);
        return read('fct_consultations')
          .filter(c('prescription_issued'))
          .join(fills, { on: 'consultation_id', how: 'left' })
          .groupBy(['consultation_date', 'specialty', 'channel'])
          .agg(
            pl.len().cast(pl.Int64).alias('prescription_count'),
            c('first_ordered_at').isNotNull().cast(pl.Int64).sum().alias('filled_count'),
            minutes.median().alias('median_minutes'),
            c('revenue_cents').sum().alias('revenue_cents'),
          )
          .select(
            c('consultation_date'),
            c('specialty'),
            c('channel'),
            c('prescription_count'),
            c('filled_count'),
            roundLike(pl, divide(pl, c('filled_count'), c('prescription_count')), 4).alias('fill_rate'),
            roundLike(pl, divide(pl, c('median_minutes'), 60), 1).alias('median_hours_to_fill'),
            divide(pl, c('revenue_cents').fillNull(0), 100).alias('prescription_revenue'),
          );
      },
    },
    {
      name: 'rpt_top_products',
      build: (_, read) => {
        const completed = c('status').eq(lit('completed'));
        return read('fct_orders')
          .join(
            read('dim_products').select('product_id', 'product_name', c('category').alias('p_category'), 'price_band'),
            { on: 'product_id', how: 'inner' },
          )
          .groupBy(['product_id', 'product_name', 'p_category', 'price_band'])
          .agg(
            c('quantity').filter(completed).sum().cast(pl.Int64).alias('units_sold'),
            c('patient_id').dropNulls().nUnique().cast(pl.Int64).alias('customer_count'),
            cents(pl, 'net_revenue').sum().alias('revenue_cents'),
          )
          .sort(['p_category', 'revenue_cents', 'product_id'], [false, true, false])
          .select(
            c('p_category').alias('category'),
            pl.intRange(pl.len()).over('p_category').plus(1).cast(pl.Int64).alias('category_rank'),
            c('product_id'),
            c('product_name'),
            c('price_band'),
            c('units_sold').fillNull(0),
            c('customer_count'),
            divide(pl, c('revenue_cents'), 100).alias('revenue'),
            roundLike(
              pl,
              divide(
                pl,
                divide(pl, c('revenue_cents'), 100),
                divide(pl, c('revenue_cents').sum().over('p_category'), 100),
              ),
              4,
            ).alias('share_of_category'),
          )
          .filter(c('category_rank').ltEq(10));
      },
    },
    {
      name: 'rpt_doctor_utilisation',
      build: (_, read) => {
        const week = (column: string) => c(column).dt.truncate('1w').alias('week_start');
        const remote = read('fct_consultations')
          .withColumns(week('consultation_date'))
          .groupBy(['doctor_id', 'week_start'])
          .agg(
            pl.len().cast(pl.Int64).alias('consultation_count'),
            c('duration_minutes').filter(c('is_completed')).sum().cast(pl.Int64).alias('remote_minutes'),
            c('rating').mean().alias('avg_rating'),
          );
        const clinic = read('fct_appointments')
          .withColumns(week('appointment_date'))
          .groupBy(['doctor_id', 'week_start'])
          .agg(
            countIf(c('is_attended')).alias('visit_count'),
            countIf(c('is_no_show')).alias('no_show_count'),
            c('duration_minutes').filter(c('is_attended')).sum().cast(pl.Int64).alias('clinic_minutes'),
          );
        const worked = c('remote_minutes').plus(c('clinic_minutes'));
        return remote
          .join(clinic, { on: ['doctor_id', 'week_start'], how: 'full', coalesce: true })
          .withColumns(
            c('consultation_count').fillNull(0),
            c('remote_minutes').fillNull(0),
            c('visit_count').fillNull(0),
            c('no_show_count').fillNull(0),
            c('clinic_minutes').fillNull(0),
          )
          .join(read('dim_doctors').select('doctor_id', 'doctor_name', 'specialty', 'practice_mode'), {
            on: 'doctor_id',
            how: 'inner',
          })
          .select(
            c('week_start'),
            c('doctor_id'),
            c('doctor_name'),
            c('specialty'),
            c('practice_mode'),
            c('consultation_count'),
            c('visit_count'),
            c('no_show_count'),
            c('remote_minutes'),
            c('clinic_minutes'),
            worked.alias('worked_minutes'),
            roundLike(pl, divide(pl, worked, 2400), 3).alias('utilisation'),
            roundLike(pl, c('avg_rating'), 2).alias('avg_rating'),
            worked.rank('dense', true).over('week_start', 'specialty').cast(pl.Int64).alias('specialty_rank'),
          );
      },
    },
  ];
}
