import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/catalog/load-project.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { runInChild } from '../child.js';
import { limitJob, type LimitResult } from '../contenders/limit.js';
import { sluiceResetDirs, type SluiceResult } from '../contenders/sluice.js';
import { summarise, type Summary } from '../stats.js';
import { checksumFolders, checksumSluice, compareChecksums } from '../verify.js';

const SLUICE = new URL('../contenders/sluice.ts', import.meta.url).href;
const LIMIT = new URL('../contenders/limit.ts', import.meta.url).href;

/**
 * The join strategy (issue #5, ADR 0011): two large inputs (orders, payments) and a small one
 * (customers), and three models — a join of the two large ones on the order id (shuffled), the
 * large one with the small one (broadcast), and an aggregate by city that can only run as one
 * item. Each is run by hand in one DuckDB process (the limit), by sluice with every model as one
 * item (`broadcast_threshold: 0`), and by sluice choosing (threshold and item size set so that
 * the large inputs are split into about `items` items).
 */
export interface JoinShape {
  readonly orders: number;
  readonly payments: number;
  /** Files per large input. */
  readonly files: number;
  /** Aim: this many items per large input (sets target_item_size and broadcast_threshold). */
  readonly items: number;
}

export const JOINS: JoinShape = { orders: 4_000_000, payments: 8_000_000, files: 16, items: 8 };
export const QUICK_JOINS: JoinShape = { orders: 500_000, payments: 1_000_000, files: 8, items: 4 };

const MODELS = {
  fct_paid:
    'select o.id, o.cid, c.city, p.pid, p.amount, p.paid_at from orders o join payments p on o.id = p.order_id left join customers c on c.cid = o.cid',
  fct_orders_city: 'select o.*, c.city from orders o join customers c using (cid)',
  agg_by_city:
    'select c.city, count(*) as payments, sum(p.amount) as total from payments p join orders o on o.id = p.order_id join customers c using (cid) group by c.city',
};

export interface JoinResult {
  readonly shape: JoinShape;
  readonly inputBytes: { readonly orders: number; readonly payments: number };
  readonly thresholdBytes: number;
  readonly limitMs: Summary;
  /** sluice, every model one item. */
  readonly singleMs: Summary;
  /** sluice, strategy chosen per model. */
  readonly chosenMs: Summary;
  /** Per model, median ms: the limit's COPY, sluice's task with one item, with the chosen strategy. */
  readonly models: readonly {
    readonly name: string;
    readonly strategy: string;
    readonly items: number;
    readonly limitMs: number;
    readonly singleMs: number;
    readonly chosenMs: number;
  }[];
  /** Both sluice layouts and the limit wrote the same rows. */
  readonly sameOutput: boolean;
  readonly problems: readonly string[];
}

async function writeProject(dir: string, shape: JoinShape, conn: DuckDBConnection): Promise<void> {
  const marker = join(dir, `.generated-${shape.orders}x${shape.payments}x${shape.files}`);
  if (existsSync(marker)) return;
  rmSync(dir, { recursive: true, force: true });
  for (const s of ['orders', 'payments', 'customers']) mkdirSync(join(dir, 'data', s), { recursive: true });
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(join(dir, 'sources'), { recursive: true });
  writeFileSync(
    join(dir, 'sources', 'all.yml'),
    `sources:\n${['orders', 'payments', 'customers'].map((s) => `  ${s}:\n    format: parquet\n    path: data/${s}\n`).join('')}`,
  );
  for (const [name, sql] of Object.entries(MODELS))
    writeFileSync(join(dir, 'models', `${name}.sql`), `/*---\ntype: fact\nbusiness_unit: shop\n---*/\n${sql}\n`);
  const path = (p: string) => join(dir, 'data', p).replaceAll("'", "''");
  for (let f = 0; f < shape.files; f++) {
    const o = (n: number) => Math.round((n * shape.orders) / shape.files);
    const p = (n: number) => Math.round((n * shape.payments) / shape.files);
    await conn.run(
      `COPY (SELECT i::BIGINT AS id, (hash(i) % 5000)::INTEGER AS cid, DATE '2025-01-01' + (i % 365)::INTEGER AS ordered_on, md5(i::VARCHAR) AS note FROM range(${o(f)}, ${o(f + 1)}) t(i)) TO '${path(`orders/o${f}.parquet`)}' (FORMAT parquet)`,
    );
    await conn.run(
      `COPY (SELECT i AS pid, (hash(i * 7) % ${shape.orders + shape.orders / 50})::BIGINT AS order_id, ((hash(i * 13) % 100000) / 100)::DECIMAL(10, 2) AS amount, TIMESTAMP '2025-01-01' + to_seconds((hash(i) % 31536000)::BIGINT) AS paid_at FROM range(${p(f)}, ${p(f + 1)}) t(i)) TO '${path(`payments/p${f}.parquet`)}' (FORMAT parquet)`,
    );
  }
  await conn.run(
    `COPY (SELECT i::INTEGER AS cid, 'city-' || (i % 40) AS city FROM range(4800) t(i)) TO '${path('customers/c.parquet')}' (FORMAT parquet)`,
  );
  writeFileSync(marker, '');
}

function config(dir: string, thresholdBytes: number, targetBytes: number): void {
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: joins\nexecution:\n  target_item_size: ${targetBytes === 0 ? 0 : `${targetBytes}B`}\n  broadcast_threshold: ${thresholdBytes === 0 ? 0 : `${thresholdBytes}B`}\n`,
  );
}

export async function benchJoins(
  dir: string,
  shape: JoinShape,
  opts: { runs: number; workers: number; build: string; conn: DuckDBConnection; log: (line: string) => void },
): Promise<JoinResult> {
  await writeProject(dir, shape, opts.conn);
  const bytes = (input: string) =>
    readdirSync(join(dir, 'data', input)).reduce((n, f) => n + statSync(join(dir, 'data', input, f)).size, 0);
  const inputBytes = { orders: bytes('orders'), payments: bytes('payments') };
  const target = Math.floor(inputBytes.orders / shape.items);
  const threshold = Math.floor(target / 2);
  config(dir, 0, target);
  const project = await loadProject(dir);
  const limitOut = join(dir, '.limit-out');
  const names = Object.keys(MODELS);
  const run = async (thresholdBytes: number): Promise<SluiceResult> => {
    config(dir, thresholdBytes, target);
    const out = await runInChild<SluiceResult>(SLUICE, {
      root: dir,
      build: opts.build,
      workers: opts.workers,
      reset: sluiceResetDirs(project),
    });
    if (out.result.status !== 'succeeded') throw new Error(`joins bench: a sluice run ${out.result.status}`);
    return out.result;
  };
  const limit: LimitResult[] = [];
  const single: SluiceResult[] = [];
  const chosen: SluiceResult[] = [];
  const problems: string[] = [];
  let strategies: Record<string, { strategy: string; items: number }> = {};
  for (let r = 1; r <= opts.runs; r++) {
    limit.push((await runInChild<LimitResult>(LIMIT, limitJob(project, limitOut))).result);
    single.push(await run(0));
    const reference = await checksumSluice(opts.conn, dir);
    chosen.push(await run(threshold));
    const verdicts = [
      compareChecksums(reference, await checksumSluice(opts.conn, dir), names),
      compareChecksums(
        reference,
        await checksumFolders(
          opts.conn,
          limitOut,
          names.map((name) => ({ name, partitioned: false })),
        ),
        names,
      ),
    ];
    if (r === 1)
      problems.push(
        ...verdicts.flatMap((v, i) =>
          v.problems.map((p) => `${i === 0 ? 'chosen vs one item' : 'limit vs sluice'}: ${p}`),
        ),
      );
    if (r === 1) strategies = await strategiesOfLatestRun(dir);
    opts.log(
      `  joins (${shape.orders.toLocaleString('en-US')} orders, ${shape.payments.toLocaleString('en-US')} payments) run ${r}/${opts.runs}: limit ${(limit.at(-1)!.wallMs / 1000).toFixed(2)}s  one item each ${(single.at(-1)!.wallMs / 1000).toFixed(2)}s  chosen ${(chosen.at(-1)!.wallMs / 1000).toFixed(2)}s`,
    );
  }
  rmSync(limitOut, { recursive: true, force: true });
  const median = (xs: number[]) => summarise(xs).median;
  const taskMs = (runs: SluiceResult[], name: string) =>
    median(runs.map((x) => x.tasks.find((t) => t.model === name)?.durationMs ?? NaN));
  return {
    shape,
    inputBytes,
    thresholdBytes: threshold,
    limitMs: summarise(limit.map((x) => x.wallMs)),
    singleMs: summarise(single.map((x) => x.wallMs)),
    chosenMs: summarise(chosen.map((x) => x.wallMs)),
    models: names.map((name) => ({
      name,
      strategy: strategies[name]?.strategy ?? '?',
      items: strategies[name]?.items ?? 0,
      limitMs: median(limit.map((x) => x.models.find((m) => m.name === name)?.ms ?? NaN)),
      singleMs: taskMs(single, name),
      chosenMs: taskMs(chosen, name),
    })),
    sameOutput: problems.length === 0,
    problems,
  };
}

/** Per model of the latest run: the layout its items show, and how many items it ran. */
async function strategiesOfLatestRun(dir: string): Promise<Record<string, { strategy: string; items: number }>> {
  const store = new SqliteMetadataStore(join(dir, '.sluice', 'sluice.db'));
  try {
    const [latest] = await store.listRuns({ limit: 1 });
    const out: Record<string, { strategy: string; items: number }> = {};
    for (const i of await store.listItems(latest!.id)) {
      const spec = JSON.parse(i.spec) as { shuffle?: { stage: string } };
      const prev = out[i.model] ?? { strategy: 'single', items: 0 };
      out[i.model] = {
        strategy: spec.shuffle ? 'shuffle' : prev.items > 0 && prev.strategy === 'single' ? 'broadcast' : prev.strategy,
        items: prev.items + 1,
      };
    }
    return out;
  } finally {
    await store.close();
  }
}
