import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { SluiceError } from '../core/errors.js';
import { CLINIC_OUTPUTS, generateClinicData, type DataSummary } from './generate-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'sluice-gen-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Reads one generated table with DuckDB, whatever its format. */
function reader(dataDir: string, name: string): string {
  const out = CLINIC_OUTPUTS.find((o) => o.name === name);
  assert.ok(out, name);
  const path = join(dataDir, out.path);
  if (out.partitionBy) {
    const ext = out.options.includes('parquet') ? 'parquet' : 'csv';
    return ext === 'parquet'
      ? `read_parquet('${path}/**/*.parquet', hive_partitioning = true)`
      : `read_csv('${path}/**/*.csv', hive_partitioning = true, header = true)`;
  }
  if (path.endsWith('.json')) return `read_json('${path}')`;
  if (path.endsWith('.csv')) return `read_csv('${path}', header = true)`;
  return `read_parquet('${path}')`;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Per table: row count and an order-independent checksum of every value, computed in DuckDB. */
async function fingerprint(projectDir: string): Promise<Record<string, string>> {
  const dataDir = join(projectDir, 'data');
  const parts = CLINIC_OUTPUTS.map(
    (o) =>
      `select '${o.name}' as name, count(*)::VARCHAR || ':' || coalesce(sum(hash(t))::VARCHAR, '0') as fp from ${reader(dataDir, o.name)} t`,
  );
  const rows = await query(parts.join(' union all '));
  return Object.fromEntries(rows.map((r) => [String(r.name), String(r.fp)]));
}

function rowsOf(s: DataSummary, name: string): number {
  const t = s.tables.find((x) => x.name === name);
  assert.ok(t, `table ${name} in summary`);
  return t.rows;
}

const EVENTS = ['orders', 'consultations', 'appointments'];
const eventRows = (s: DataSummary) => EVENTS.reduce((n, e) => n + rowsOf(s, e), 0);

describe('generateClinicData', () => {
  let a: DataSummary;
  const dirA = join(tmp, 'a');
  before(async () => {
    a = await generateClinicData(dirA, { days: 4, scale: 0.05, seed: 7 });
  });

  it('writes every source with matching row and file counts', async () => {
    assert.deepEqual(
      a.tables.map((t) => t.name),
      CLINIC_OUTPUTS.map((o) => o.name),
    );
    for (const t of a.tables) assert.ok(t.rows > 0 && t.files > 0, `${t.name}: ${t.rows} rows in ${t.files} files`);
    const counted = await query(
      CLINIC_OUTPUTS.map(
        (o) => `select '${o.name}' as name, count(*)::INTEGER as n from ${reader(join(dirA, 'data'), o.name)}`,
      ).join(' union all '),
    );
    for (const r of counted) assert.equal(r.n, rowsOf(a, String(r.name)), `rows of ${r.name}`);
    assert.ok(a.bytes > 10_000, `bytes ${a.bytes}`);
  });

  it('writes ids as integers and partition keys as dates', async () => {
    for (const o of CLINIC_OUTPUTS) {
      const cols = await query(`describe select * from ${reader(join(dirA, 'data'), o.name)}`);
      const types = Object.fromEntries(cols.map((c) => [String(c.column_name), String(c.column_type)]));
      const ids = Object.keys(types).filter((c) => c.endsWith('_id'));
      assert.ok(ids.length > 0, o.name);
      for (const c of ids) assert.equal(types[c], 'BIGINT', `${o.name}.${c}`);
      if (o.partitionBy) assert.equal(types[o.partitionBy], 'DATE', `${o.name}.${o.partitionBy}`);
    }
  });

  it('writes one hive folder per day for each event source', () => {
    const expected = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'];
    for (const [folder, key] of [
      ['orders', 'order_date'],
      ['consultations', 'consultation_date'],
      ['appointments', 'appointment_date'],
    ] as const) {
      const dirs = readdirSync(join(dirA, 'data', folder)).sort();
      assert.deepEqual(
        dirs,
        expected.map((d) => `${key}=${d}`),
        folder,
      );
      const files = a.tables.find((t) => t.name === folder)?.files ?? 0;
      assert.ok(files >= expected.length, `${folder} has ${files} files`);
    }
  });

  it('is deterministic for a seed, whatever the thread count, and differs across seeds', async () => {
    const again = join(tmp, 'a-again');
    const other = join(tmp, 'a-other-seed');
    const s1 = await generateClinicData(again, { days: 4, scale: 0.05, seed: 7, threads: 1 });
    const s2 = await generateClinicData(other, { days: 4, scale: 0.05, seed: 8, threads: 3 });
    assert.deepEqual(
      s1.tables.map((t) => t.rows),
      a.tables.map((t) => t.rows),
    );
    const [fa, f1, f2] = await Promise.all([fingerprint(dirA), fingerprint(again), fingerprint(other)]);
    assert.deepEqual(f1, fa);
    for (const t of ['patients', 'orders', 'consultations', 'appointments'])
      assert.notEqual(f2[t], fa[t], `${t} differs for another seed`);
  });

  it('grows with days and with scale', async () => {
    const longer = await generateClinicData(join(tmp, 'longer'), { days: 8, scale: 0.05, seed: 7 });
    const bigger = await generateClinicData(join(tmp, 'bigger'), { days: 4, scale: 0.1, seed: 7 });
    for (const e of EVENTS) {
      assert.ok(rowsOf(longer, e) > rowsOf(a, e), `${e} grows with days`);
      assert.ok(rowsOf(bigger, e) > rowsOf(a, e), `${e} grows with scale`);
    }
    assert.ok(eventRows(longer) > 1.7 * eventRows(a), 'twice the days is about twice the events');
    assert.ok(eventRows(bigger) > 1.7 * eventRows(a), 'twice the scale is about twice the events');
    assert.equal(rowsOf(bigger, 'patients'), 2 * rowsOf(a, 'patients'));
    assert.equal(rowsOf(longer, 'patients'), rowsOf(a, 'patients'));
  });

  it('replaces earlier partitions and keeps unrelated files', async () => {
    const dir = join(tmp, 'rerun');
    await generateClinicData(dir, { days: 5, scale: 0.02, seed: 1 });
    writeFileSync(join(dir, 'data', 'notes.txt'), 'mine');
    await generateClinicData(dir, { days: 2, scale: 0.02, seed: 1 });
    assert.equal(readdirSync(join(dir, 'data', 'orders')).length, 2);
    assert.ok(existsSync(join(dir, 'data', 'notes.txt')));
  });

  it('rejects invalid options naming the option', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ days: 0, scale: 1, seed: 1 }, /"days"/],
      [{ days: 3651, scale: 1, seed: 1 }, /"days"/],
      [{ days: 2.5, scale: 1, seed: 1 }, /"days"/],
      [{ days: 3, scale: 0, seed: 1 }, /"scale"/],
      [{ days: 3, scale: 1001, seed: 1 }, /"scale"/],
      [{ days: 3, scale: 1, seed: 1.5 }, /"seed"/],
      [{ days: 3, scale: 1, seed: 1, startDate: '2024-02-30' }, /"startDate"/],
    ];
    for (const [opts, message] of bad) {
      await assert.rejects(
        generateClinicData(join(tmp, 'never'), opts as never),
        (err: unknown) => err instanceof SluiceError && err.code === 'CLI_USAGE' && message.test(err.message),
      );
    }
    assert.equal(existsSync(join(tmp, 'never')), false);
  });
});

describe('generated data', () => {
  const dir = join(tmp, 'shape');
  let data: string;
  before(async () => {
    await generateClinicData(dir, { days: 14, scale: 0.1, seed: 42, startDate: '2024-03-04' });
    data = join(dir, 'data');
  });

  it('is skewed: the top 1% of patients place at least 10% of orders', async () => {
    const [r] = await query(`
      with per_patient as (select patient_id, count(*) as n from ${reader(data, 'orders')} group by patient_id),
      ranked as (select n, row_number() over (order by n desc, patient_id) as rk from per_patient)
      select sum(n) filter (where rk <= (select ceil(count(*) / 100) from ${reader(data, 'patients')}))::DOUBLE / sum(n) as top_share
      from ranked`);
    assert.ok(Number(r?.top_share) >= 0.1, `top 1% share ${r?.top_share}`);
  });

  it('is skewed across pharmacies and weekdays', async () => {
    const [r] = await query(`
      with per_pharmacy as (select pharmacy_id, count(*) as n from ${reader(data, 'orders')} group by pharmacy_id),
      per_day as (select order_date, count(*) as n from ${reader(data, 'orders')} group by order_date)
      select (select max(n)::DOUBLE / median(n) from per_pharmacy) as busiest_vs_median,
             (select avg(n) filter (where isodow(order_date) = 7) / avg(n) filter (where isodow(order_date) between 1 and 5) from per_day) as sunday_vs_weekday,
             (select count(*) from ${reader(data, 'appointments')} where isodow(appointment_date) = 7) as sunday_appointments`);
    assert.ok(Number(r?.busiest_vs_median) > 2, `busiest pharmacy vs median ${r?.busiest_vs_median}`);
    assert.ok(Number(r?.sunday_vs_weekday) < 0.7, `sunday vs weekday ${r?.sunday_vs_weekday}`);
    assert.ok(Number(r?.sunday_appointments) > 0, 'clinics open a little on Sundays');
  });

  it('has the wrinkles the models handle', async () => {
    const [r] = await query(`
      select
        (select count(*) filter (where status = 'cancelled') from ${reader(data, 'orders')}) as cancelled_orders,
        (select count(*) filter (where discount_pct is null) from ${reader(data, 'orders')}) as undiscounted_orders,
        (select count(*) filter (where consultation_id is not null) from ${reader(data, 'orders')}) as prescription_orders,
        (select count(*) filter (where status = 'no_show') from ${reader(data, 'appointments')}) as no_shows,
        (select count(*) filter (where status = 'cancelled' and cancelled_at is null) from ${reader(data, 'appointments')}) as cancelled_without_time,
        (select count(*) filter (where status = 'dropped' and duration_minutes is null) from ${reader(data, 'consultations')}) as dropped_calls,
        (select count(*) filter (where rating is null) from ${reader(data, 'consultations')}) as unrated,
        (select count(*) filter (where city_id is null) from ${reader(data, 'patients')}) as patients_without_city,
        (select count(*) filter (where insurance_plan is null) from ${reader(data, 'patients')}) as uninsured,
        (select count(*) filter (where clinic_id is null) from ${reader(data, 'doctors')}) as remote_doctors,
        (select count(*) from ${reader(data, 'orders')} o anti join ${reader(data, 'consultations')} c using (consultation_id)
          where o.consultation_id is not null) as orphan_prescription_orders,
        (select count(*) from ${reader(data, 'appointments')} where booked_at > scheduled_at) as booked_after_visit`);
    assert.ok(r, 'one row');
    for (const k of [
      'cancelled_orders',
      'undiscounted_orders',
      'prescription_orders',
      'no_shows',
      'dropped_calls',
      'unrated',
      'patients_without_city',
      'uninsured',
      'remote_doctors',
    ]) {
      assert.ok(Number(r[k]) > 0, `${k} = ${r[k]}`);
    }
    assert.equal(Number(r.cancelled_without_time), 0);
    assert.equal(Number(r.orphan_prescription_orders), 0);
    assert.equal(Number(r.booked_after_visit), 0);
  });
});
