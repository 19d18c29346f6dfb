// Every model of examples/clinic runs in plain DuckDB against generated data: sources become
// views built from sources/*.yml, models become tables in dependency order.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'yaml';
import { generateClinicData } from './generate-data.js';
import { clinicExampleDir } from './init-example.js';

const EXAMPLE = clinicExampleDir();
const NAME = /^[a-z_][a-z0-9_]*$/;
const BUSINESS_UNITS = ['pharmacy', 'teleconsultation', 'appointment'];

interface Source {
  name: string;
  format: string;
  path: string;
  hive_partitioning: boolean;
  header?: boolean;
  delimiter?: string;
  columns?: Record<string, string>;
}
interface Model {
  name: string;
  file: string;
  header: Record<string, unknown>;
  sql: string;
  refs: string[];
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

function loadSources(): Map<string, Source> {
  const out = new Map<string, Source>();
  for (const file of listFiles(join(EXAMPLE, 'sources'))
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const doc = parse(readFileSync(file, 'utf8')) as { sources: Record<string, Omit<Source, 'name'>> };
    for (const [name, def] of Object.entries(doc.sources)) {
      assert.ok(!out.has(name), `source ${name} declared twice`);
      out.set(name, { name, ...def });
    }
  }
  return out;
}

/** Identifiers after FROM/JOIN, comments and strings removed, minus the file's CTE names. */
function tableRefs(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, ' ').replace(/'(?:[^']|'')*'/g, "''");
  const ctes = new Set(
    [...code.matchAll(/(?:\bwith|,)\s*([a-z_][a-z0-9_]*)\s+as\s*\(/gi)].map((m) => m[1]!.toLowerCase()),
  );
  const refs = [...code.matchAll(/\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b/gi)].map((m) => m[1]!.toLowerCase());
  return [...new Set(refs.filter((r) => !ctes.has(r)))].sort();
}

function loadModels(): Model[] {
  const root = join(EXAMPLE, 'models');
  return listFiles(root)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => {
      const text = readFileSync(file, 'utf8');
      const m = /^\/\*---\r?\n([\s\S]*?)\r?\n---\*\/\r?\n/.exec(text);
      assert.ok(m, `${file}: starts with a /*--- ... ---*/ header`);
      const sql = text.slice(m[0].length);
      return {
        name: file.slice(file.lastIndexOf(sep) + 1, -4),
        file: relative(EXAMPLE, file),
        header: parse(m[1]!) as Record<string, unknown>,
        sql,
        refs: tableRefs(sql),
      };
    });
}

/** Models in an order where each comes after the models it reads. */
function dependencyOrder(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const out: Model[] = [];
  const visit = (m: Model, path: string[]) => {
    if (done.has(m.name)) return;
    assert.ok(!path.includes(m.name), `dependency cycle: ${[...path, m.name].join(' -> ')}`);
    for (const r of m.refs) {
      const dep = byName.get(r);
      if (dep) visit(dep, [...path, m.name]);
    }
    done.add(m.name);
    out.push(m);
  };
  for (const m of models) visit(m, []);
  return out;
}

function sourceSql(s: Source, dataRoot: string, onlyDay?: string): string {
  const path = resolve(dataRoot, s.path);
  const glob = statSync(path).isDirectory() ? `${path}/**/*.${s.format}` : path;
  const hive = `hive_partitioning = ${s.hive_partitioning}`;
  let reader: string;
  if (s.format === 'parquet') reader = `read_parquet('${glob}', ${hive})`;
  else if (s.format === 'json') reader = `read_json('${glob}', ${hive})`;
  else {
    const columns = s.columns
      ? `, columns = {${Object.entries(s.columns)
          .map(([k, v]) => `'${k}': '${v}'`)
          .join(', ')}}`
      : '';
    reader = `read_csv('${glob}', ${hive}, header = ${s.header ?? true}, delim = '${s.delimiter ?? ','}'${columns})`;
  }
  if (onlyDay === undefined || !s.hive_partitioning) return `select * from ${reader}`;
  const key = readdirSync(path)[0]!.split('=')[0]!;
  return `select * from ${reader} where ${key} = DATE '${onlyDay}'`;
}

type Conn = Awaited<ReturnType<DuckDBInstance['connect']>>;

async function open(threads: number) {
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: String(threads),
  });
  return { db, conn: await db.connect() };
}

async function build(conn: Conn, sources: Map<string, Source>, models: Model[], dataRoot: string, onlyDay?: string) {
  for (const s of sources.values()) await conn.run(`create view ${s.name} as ${sourceSql(s, dataRoot, onlyDay)}`);
  for (const m of models) {
    try {
      await conn.run(`create table ${m.name} as ${m.sql}`);
    } catch (err) {
      throw new Error(`${m.file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

async function scalar(conn: Conn, sql: string): Promise<unknown> {
  return (await conn.runAndReadAll(sql)).getRowsJS()[0]?.[0];
}

const checksum = (conn: Conn, from: string) =>
  scalar(conn, `select count(*)::VARCHAR || ':' || coalesce(sum(hash(t))::VARCHAR, '0') from ${from} t`);

describe('examples/clinic models', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-clinic-'));
  const sources = loadSources();
  const models = dependencyOrder(loadModels());
  let one: Awaited<ReturnType<typeof open>>;
  let four: Awaited<ReturnType<typeof open>>;

  before(async () => {
    await generateClinicData(tmp, { days: 5, scale: 0.05, seed: 3 });
    one = await open(1);
    four = await open(4);
    await build(one.conn, sources, models, tmp);
    await build(four.conn, sources, models, tmp);
  });
  after(() => {
    for (const x of [one, four]) {
      x?.conn.closeSync();
      x?.db.closeSync();
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('declares well-formed models: header keys match the folder, names are identifiers', () => {
    assert.ok(models.length >= 12, `${models.length} models`);
    for (const m of models) {
      const { type, business_unit: bu, description, partition_by: pb } = m.header;
      assert.match(m.name, NAME);
      assert.equal(m.file.split(sep).join('/'), `models/${String(type)}/${String(bu)}/${m.name}.sql`);
      assert.ok(['dimension', 'fact', 'report'].includes(String(type)), `${m.file}: type`);
      assert.ok(BUSINESS_UNITS.includes(String(bu)), `${m.file}: business_unit`);
      assert.ok(typeof description === 'string' && description.length > 20, `${m.file}: description`);
      if (type === 'fact') assert.ok(Array.isArray(pb) && pb.length === 1, `${m.file}: facts are partitioned`);
      assert.doesNotMatch(
        m.sql,
        /\b(random|now|current_date|current_timestamp|uuid|gen_random_uuid)\s*\(|current_date|current_timestamp/i,
        `${m.file}: deterministic`,
      );
    }
    for (const bu of BUSINESS_UNITS)
      for (const t of ['dimension', 'fact', 'report']) {
        assert.ok(
          models.some((m) => m.header.business_unit === bu && m.header.type === t),
          `a ${t} for ${bu}`,
        );
      }
    for (const name of sources.keys()) assert.match(name, NAME);
    for (const m of models) assert.ok(!sources.has(m.name), `model ${m.name} shadows a source`);
  });

  it('reads only declared sources and models, and every source is used', () => {
    const known = new Set([...sources.keys(), ...models.map((m) => m.name)]);
    for (const m of models) for (const r of m.refs) assert.ok(known.has(r), `${m.file} reads unknown table ${r}`);
    const used = new Set(models.flatMap((m) => m.refs));
    for (const s of sources.keys()) assert.ok(used.has(s), `source ${s} is read by some model`);
    const fct = models.find((m) => m.name === 'fct_orders');
    assert.ok(fct?.refs.includes('dim_products') && fct.refs.includes('orders'), 'source -> dim -> fact chain');
  });

  it('runs every model and produces rows', async () => {
    for (const m of models) {
      const n = Number(await scalar(one.conn, `select count(*) from ${m.name}`));
      assert.ok(n > 0, `${m.name} has ${n} rows`);
      for (const key of (m.header.partition_by as string[] | undefined) ?? []) {
        const nulls = Number(await scalar(one.conn, `select count(*) filter (where ${key} is null) from ${m.name}`));
        assert.equal(nulls, 0, `${m.name}.${key} (partition key) is never null`);
        assert.equal(
          await scalar(one.conn, `select typeof(${key}) from ${m.name} limit 1`),
          'DATE',
          `${m.name}.${key} is a date`,
        );
      }
    }
  });

  it('keeps one fact row per event (no join drops or duplicates rows)', async () => {
    for (const [fact, source, id] of [
      ['fct_orders', 'orders', 'order_id'],
      ['fct_consultations', 'consultations', 'consultation_id'],
      ['fct_appointments', 'appointments', 'appointment_id'],
    ]) {
      const [[factRows, distinctIds, sourceRows]] = (
        await one.conn.runAndReadAll(
          `select (select count(*) from ${fact}), (select count(distinct ${id}) from ${fact}), (select count(*) from ${source})`,
        )
      ).getRowsJS() as [[bigint, bigint, bigint]];
      assert.equal(factRows, sourceRows, `${fact} rows = ${source} rows`);
      assert.equal(distinctIds, sourceRows, `${fact}.${id} is unique`);
    }
  });

  it('gives the same result with 1 and 4 threads', async () => {
    for (const m of models) assert.equal(await checksum(four.conn, m.name), await checksum(one.conn, m.name), m.name);
  });

  it('computes each partition of a partitioned model from that day alone', async () => {
    const day = '2024-01-03';
    const part = await open(2);
    try {
      await build(part.conn, sources, models, tmp, day);
      const partitioned = models.filter((m) => Array.isArray(m.header.partition_by));
      assert.ok(partitioned.length >= 4, `${partitioned.length} partitioned models`);
      for (const m of partitioned) {
        const key = (m.header.partition_by as string[])[0]!;
        const whole = await checksum(one.conn, `(select * from ${m.name} where ${key} = DATE '${day}')`);
        assert.equal(await checksum(part.conn, m.name), whole, `${m.name} for ${key} = ${day}`);
        assert.notEqual(whole, '0:0');
      }
    } finally {
      part.conn.closeSync();
      part.db.closeSync();
    }
  });

  it('handles the data wrinkles', async () => {
    // [query returning one number, what it must satisfy, why]
    const checks: [string, (n: number) => boolean, string][] = [
      [
        `select count(*) from fct_orders where status <> 'completed' and net_revenue <> 0`,
        (n) => n === 0,
        'only completed orders bring revenue',
      ],
      [`select count(*) from fct_orders where is_cancelled`, (n) => n > 0, 'cancelled orders are kept'],
      [
        `select count(*) from dim_patients where city_name is null or insurance_plan is null`,
        (n) => n === 0,
        'missing city and plan are filled in',
      ],
      [
        `select count(*) from dim_patients where insurance_plan = 'uninsured'`,
        (n) => n > 0,
        'uninsured patients exist',
      ],
      [
        `select count(*) from fct_consultations where not is_completed and billable_fee <> 0`,
        (n) => n === 0,
        'dropped calls bill nothing',
      ],
      [`select sum(no_show_count) from rpt_appointment_no_shows`, (n) => n > 0, 'no-shows are counted'],
      [`select max(no_show_rate) from rpt_appointment_no_shows`, (n) => n < 1, 'no-show rate is a rate'],
      [
        `select (select sum(revenue) from rpt_daily_revenue_by_city) - (select sum(net_revenue) from fct_orders)`,
        (n) => n === 0,
        'city revenue adds up to order revenue',
      ],
      [
        `select sum(share_of_day_revenue) / count(distinct order_date) from rpt_daily_revenue_by_city`,
        (n) => Math.abs(n - 1) < 0.01,
        'city shares of a day add up to 1',
      ],
      [`select max(category_rank) from rpt_top_products`, (n) => n <= 10, 'ten products per category at most'],
      [`select sum(filled_count) from rpt_prescription_fulfilment`, (n) => n > 0, 'some prescriptions are filled'],
      [
        `select count(*) from rpt_doctor_utilisation where practice_mode = 'telehealth_only' and clinic_minutes > 0`,
        (n) => n === 0,
        'remote doctors do not see clinic patients',
      ],
    ];
    for (const [sql, ok, why] of checks) {
      const n = Number(await scalar(one.conn, sql));
      assert.equal(ok(n), true, `${why}: got ${n} from ${sql}`);
    }
  });
});
