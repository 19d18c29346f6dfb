import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/catalog/load-project.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { runInChild } from '../child.js';
import { sluiceResetDirs, type SluiceJob, type SluiceResult } from '../contenders/sluice.js';
import { summarise, type Summary } from '../stats.js';
import { checksumSluice, compareChecksums } from '../verify.js';

const SLUICE = new URL('../contenders/sluice.ts', import.meta.url).href;

/**
 * What the optimizer saves (issue #5): a year of daily event partitions, a fact and a daily report
 * that are incremental (`split_by: day`, `incremental: replace`), and two scans of the fact, one
 * filtered to the last 10% of the days.
 */
export interface IncrementalShape {
  readonly days: number;
  readonly rowsPerDay: number;
}

/** The full suite measures two sizes: the ratio grows with the data a day brings. */
export const INCREMENTAL: readonly IncrementalShape[] = [
  { days: 365, rowsPerDay: 20_000 },
  { days: 365, rowsPerDay: 200_000 },
];
export const QUICK_INCREMENTAL: readonly IncrementalShape[] = [{ days: 365, rowsPerDay: 2_000 }];

export interface IncrementalResult {
  readonly shape: IncrementalShape;
  readonly rawRows: number;
  /** Rebuilding the daily models over the whole year. */
  readonly fullMs: Summary;
  /** The daily run after one new day arrived: only that day is built. */
  readonly incrementalMs: Summary;
  /** A re-run with nothing changed: every model skipped. */
  readonly unchangedMs: Summary;
  /** Work items the incremental run built per model (expected: 1 each). */
  readonly incrementalItems: Readonly<Record<string, number>>;
  /** The incremental run's output equals a full rebuild's (checksums). */
  readonly sameAsFullRefresh: boolean;
  /** Bytes the filtered scan read ÷ bytes the unfiltered scan read (from the attempts' metrics). */
  readonly filteredBytesRatio: number;
  readonly filteredBytes: number;
  readonly fullScanBytes: number;
}

const DAY0 = '2025-01-01';

/** The project, with `days` days of events (another day is added and removed by each round). */
async function writeProject(dir: string, shape: IncrementalShape, conn: DuckDBConnection): Promise<void> {
  const marker = join(dir, `.generated-${shape.days}x${shape.rowsPerDay}`);
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'kinds.csv'),
      `kind,kind_name,factor\n${Array.from({ length: 10 }, (_, k) => `${k},kind_${k},${(1 + k / 10).toFixed(1)}`).join('\n')}\n`,
    );
    await writeDays(conn, join(dir, 'data', 'events'), 0, shape.days, shape.rowsPerDay);
    writeFileSync(marker, '');
  }
  // The project files are rewritten every time (cheap); the data only when its shape is new.
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(join(dir, 'sources'), { recursive: true });
  writeFileSync(join(dir, 'sluice.yaml'), 'name: incremental\nexecution:\n  target_item_size: 0\n');
  writeFileSync(
    join(dir, 'sources', 'events.yml'),
    'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n  kinds:\n    format: csv\n    path: data/kinds.csv\n',
  );
  const header = (keys: string) => `/*---\n${keys}---*/\n`;
  const daily = 'partition_by: [day]\nsplit_by: day\nincremental: replace\ntags: [daily]\n';
  // value is DECIMAL: sums of DOUBLEs depend on the order DuckDB's threads add them in, so two
  // full builds of the same data could differ in the last bit, and the checksums could not tell
  // an incremental build from a wrong one.
  writeFileSync(
    join(dir, 'models', 'fct_events.sql'),
    `${header(`type: fact\nbusiness_unit: product\n${daily}`)}select e.day, e.event_id, e.user_id, k.kind_name, round(e.amount * k.factor, 2)::DECIMAL(18, 2) as value\nfrom events e join kinds k using (kind)\n`,
  );
  writeFileSync(
    join(dir, 'models', 'rpt_daily.sql'),
    `${header(`type: report\nbusiness_unit: product\n${daily}`)}select day, kind_name, count(*) as events, count(distinct user_id) as users, sum(value) as value\nfrom fct_events group by all\n`,
  );
  const cutoff = new Date(Date.parse(DAY0) + Math.round(shape.days * 0.9) * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(
    join(dir, 'models', 'rpt_recent_kinds.sql'),
    `${header('type: report\nbusiness_unit: product\ntags: [scan]\n')}select kind_name, count(*) as events, sum(value) as value\nfrom fct_events where day >= DATE '${cutoff}' group by all\n`,
  );
  writeFileSync(
    join(dir, 'models', 'rpt_all_kinds.sql'),
    `${header('type: report\nbusiness_unit: product\ntags: [scan]\n')}select kind_name, count(*) as events, sum(value) as value\nfrom fct_events group by all\n`,
  );
}

async function writeDays(
  conn: DuckDBConnection,
  folder: string,
  first: number,
  count: number,
  rowsPerDay: number,
): Promise<void> {
  const path = folder.replaceAll("'", "''");
  await conn.run(`COPY (
    SELECT DATE '${DAY0}' + CAST(i // ${rowsPerDay} AS INTEGER) AS day, i AS event_id, (hash(i) % 50000)::BIGINT AS user_id,
      (hash(i * 7) % 10)::INTEGER AS kind, round((hash(i * 13) % 100000) / 100.0, 2) AS amount
    FROM range(${first * rowsPerDay}, ${(first + count) * rowsPerDay}) t(i)
  ) TO '${path}' (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'part-{i}')`);
}

export async function benchIncremental(
  dir: string,
  shape: IncrementalShape,
  opts: { runs: number; workers: number; build: string; conn: DuckDBConnection; log: (line: string) => void },
): Promise<IncrementalResult> {
  await writeProject(dir, shape, opts.conn);
  const project = await loadProject(dir);
  const newDay = join(
    dir,
    'data',
    'events',
    `day=${new Date(Date.parse(DAY0) + shape.days * 86_400_000).toISOString().slice(0, 10)}`,
  );
  const run = async (job: Partial<SluiceJob>): Promise<SluiceResult> => {
    const out = await runInChild<SluiceResult>(SLUICE, {
      root: dir,
      build: opts.build,
      workers: opts.workers,
      reset: [],
      ...job,
    });
    if (out.result.status !== 'succeeded') throw new Error(`incremental bench: a sluice run ${out.result.status}`);
    return out.result;
  };
  const full: number[] = [];
  const incremental: number[] = [];
  const unchanged: number[] = [];
  let items: Record<string, number> = {};
  let same = true;
  for (let r = 1; r <= opts.runs; r++) {
    rmSync(newDay, { recursive: true, force: true });
    full.push((await run({ reset: sluiceResetDirs(project), select: ['tag:daily'] })).wallMs);
    await writeDays(opts.conn, join(dir, 'data', 'events'), shape.days, 1, shape.rowsPerDay);
    const inc = await run({ select: ['tag:daily'] });
    incremental.push(inc.wallMs);
    items = await itemsOfLatestRun(dir);
    unchanged.push((await run({ select: ['tag:daily'] })).wallMs);
    if (r === 1) {
      const afterIncremental = await checksumSluice(opts.conn, dir);
      await run({ select: ['tag:daily'], fullRefresh: true });
      same = compareChecksums(await checksumSluice(opts.conn, dir), afterIncremental, ['fct_events', 'rpt_daily']).ok;
    }
    opts.log(
      `  incremental (${shape.days} days x ${shape.rowsPerDay.toLocaleString('en-US')} rows)  run ${r}/${opts.runs}: full ${(full.at(-1)! / 1000).toFixed(2)}s  one new day ${(incremental.at(-1)! / 1000).toFixed(2)}s  unchanged ${(unchanged.at(-1)! / 1000).toFixed(2)}s`,
    );
  }
  // Pruning: the same scan of the fact, over the last 10% of the days and over all of them.
  await run({ select: ['tag:scan'], fullRefresh: true });
  const bytes = await bytesInOfLatestRun(dir);
  rmSync(newDay, { recursive: true, force: true });
  return {
    shape,
    rawRows: shape.days * shape.rowsPerDay,
    fullMs: summarise(full),
    incrementalMs: summarise(incremental),
    unchangedMs: summarise(unchanged),
    incrementalItems: items,
    sameAsFullRefresh: same,
    filteredBytes: bytes.rpt_recent_kinds ?? NaN,
    fullScanBytes: bytes.rpt_all_kinds ?? NaN,
    filteredBytesRatio: (bytes.rpt_recent_kinds ?? NaN) / (bytes.rpt_all_kinds ?? NaN),
  };
}

async function latestRun<T>(dir: string, fn: (store: SqliteMetadataStore, runId: string) => Promise<T>): Promise<T> {
  const store = new SqliteMetadataStore(join(dir, '.sluice', 'sluice.db'));
  try {
    await store.migrate();
    const [latest] = await store.listRuns({ limit: 1 });
    return await fn(store, latest!.id);
  } finally {
    await store.close();
  }
}

/** Work items per model in the latest run (skipped models have none). */
function itemsOfLatestRun(dir: string): Promise<Record<string, number>> {
  return latestRun(dir, async (store, runId) => {
    const out: Record<string, number> = {};
    for (const i of await store.listItems(runId)) out[i.model] = (out[i.model] ?? 0) + 1;
    return out;
  });
}

/** Bytes read per model in the latest run, from its attempts' metrics. */
function bytesInOfLatestRun(dir: string): Promise<Record<string, number>> {
  return latestRun(dir, async (store, runId) => {
    const out: Record<string, number> = {};
    for (const r of await store.rollup(runId, 'task')) out[r.key] = r.bytesIn;
    return out;
  });
}
