import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { preparePolars, type PolarsAvailability } from './contenders/polars-binding.js';
import { REPO_ROOT } from './contenders/naive-task.js';
import { clinicSvg } from './plot.js';
import { withBenchSchema } from './postgres-schema.js';
import { buildSluice } from './sluice-build.js';
import { goals, markdownReport, seconds } from './report.js';
import { RESULTS_SCHEMA, type BenchResults, type ClinicResult } from './results.js';
import { FULL_CLINIC, QUICK_CLINIC, parseSizes, prepareClinic } from './workloads/clinic.js';
import { benchClinic } from './workloads/clinic-suite.js';
import { PLANNING, benchPlanning } from './workloads/planning.js';
import { QUICK_WIDE_DAG, WIDE_DAG, benchWideDag } from './workloads/wide-dag.js';
import { QUEUE, QUICK_QUEUE, benchQueue, type QueueResult } from './workloads/queue-throughput.js';
import { INCREMENTAL, QUICK_INCREMENTAL, benchIncremental, type IncrementalResult } from './workloads/incremental.js';
import { JOINS, QUICK_JOINS, benchJoins } from './workloads/joins.js';

const USAGE = `npm run bench [-- options]

  --quick           the quick suite (< 5 minutes on 2 cores): clinic 30d x1 and 60d x1, wide DAG of
                    200 models, bind check on 500 models (full: clinic 30d x1, 90d x2, 365d x1, 1,000 and
                    10,000 models)
  --runs N          runs per measurement (default 3 quick, 5 full)
  --out FILE        results JSON (default bench/results/latest.json)
  --only LIST       comma-separated: clinic, wide, planning, queue, incremental, joins (default all)
  --postgres URL    also measure the queue on this PostgreSQL (default $SLUICE_BENCH_POSTGRES; none: SQLite only)
  --sizes LIST      clinic sizes as DAYSxSCALE, e.g. 30x1,365x3 (default: the suite's)
  --no-polars       leave the peer out
  --plot FILE       the clinic chart (default docs/bench-clinic.svg; "none" to skip)
  --work DIR        where generated projects live between runs (default <tmp>/sluice-bench)`;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    out: { type: 'string', default: join(REPO_ROOT, 'bench', 'results', 'latest.json') },
    only: { type: 'string', default: 'clinic,wide,planning,queue,incremental,joins' },
    postgres: { type: 'string', default: process.env.SLUICE_BENCH_POSTGRES ?? '' },
    sizes: { type: 'string' },
    'no-polars': { type: 'boolean', default: false },
    plot: { type: 'string', default: join(REPO_ROOT, 'docs', 'bench-clinic.svg') },
    work: { type: 'string', default: join(tmpdir(), 'sluice-bench') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = args.quick;
const runs = args.runs === undefined ? (quick ? 3 : 5) : Number(args.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${args.runs}\n\n${USAGE}`);
  process.exit(2);
}
const only = new Set(args.only.split(',').map((s) => s.trim()));
const unknown = [...only].filter((s) => !['clinic', 'wide', 'planning', 'queue', 'incremental', 'joins'].includes(s));
if (unknown.length > 0) {
  console.error(`--only: unknown part(s) ${unknown.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

let sizes = quick ? QUICK_CLINIC : FULL_CLINIC;
try {
  if (args.sizes !== undefined) sizes = parseSizes(args.sizes);
} catch (err) {
  console.error(`${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

const started = Date.now();
const log = (line: string) => console.log(line);
const workDir = resolve(args.work);
mkdirSync(workDir, { recursive: true });
const workers = cpus().length;
const loadAvgStart = loadavg()[0]!;

const instance = await DuckDBInstance.create(':memory:', {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
});
const conn = await instance.connect();
const duckdb = String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjects()[0]!.v);
const polarsVersion = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'nodejs-polars', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

log(
  `sluice bench: ${quick ? 'quick' : 'full'} suite, ${runs} run(s) each, ${workers} cores, DuckDB ${duckdb}, Node ${process.versions.node}`,
);
const build = buildSluice(log);
let polars: PolarsAvailability | null = null;
if (!args['no-polars'] && only.has('clinic')) {
  polars = preparePolars(log);
  log(`  peer: ${polars.ok ? '' : 'UNAVAILABLE: '}${polars.note}`);
}

const clinic: ClinicResult[] = [];
if (only.has('clinic')) {
  for (const size of sizes) {
    const t = Date.now();
    const w = await prepareClinic(workDir, size);
    log(`  ${w.label}: ${w.rawRows.toLocaleString('en-US')} raw rows ready in ${seconds(Date.now() - t)}`);
    clinic.push(await benchClinic(w, { runs, workers, build: build.dir, polars, conn, log }));
  }
}
const wideDag = only.has('wide')
  ? await benchWideDag(join(workDir, 'wide-dag'), quick ? QUICK_WIDE_DAG : WIDE_DAG, {
      runs,
      workers,
      build: build.dir,
      conn,
      log,
    })
  : null;
const wideDagPostgres =
  only.has('wide') && args.postgres
    ? await withBenchSchema(args.postgres, (store) =>
        benchWideDag(join(workDir, 'wide-dag-pg'), quick ? QUICK_WIDE_DAG : WIDE_DAG, {
          runs,
          workers,
          build: build.dir,
          conn,
          log,
          store,
          label: 'PostgreSQL',
        }),
      )
    : null;
const planning = only.has('planning')
  ? await benchPlanning(join(workDir, 'planning'), PLANNING, {
      runs,
      build: build.dir,
      bindChains: quick ? 25 : PLANNING.chains,
      log,
    })
  : null;
const incremental: IncrementalResult[] = [];
if (only.has('incremental')) {
  for (const shape of quick ? QUICK_INCREMENTAL : INCREMENTAL)
    incremental.push(
      await benchIncremental(join(workDir, `incremental-${shape.rowsPerDay}`), shape, {
        runs,
        workers,
        build: build.dir,
        conn,
        log,
      }),
    );
}
const joins = only.has('joins')
  ? await benchJoins(join(workDir, 'joins'), quick ? QUICK_JOINS : JOINS, {
      runs,
      workers,
      build: build.dir,
      conn,
      log,
    })
  : null;
const queue: QueueResult[] = [];
if (only.has('queue')) {
  const shape = quick ? QUICK_QUEUE : QUEUE;
  queue.push(await benchQueue('sqlite', undefined, shape, { runs, log }));
  if (args.postgres)
    queue.push(await withBenchSchema(args.postgres, (url) => benchQueue('postgres', url, shape, { runs, log })));
}
conn.closeSync();
instance.closeSync();

const cpu = cpus()[0];
const partial: Omit<BenchResults, 'goals'> = {
  schema: RESULTS_SCHEMA,
  mode: quick ? 'quick' : 'full',
  runs,
  startedAt: new Date(started).toISOString(),
  elapsedMs: Date.now() - started,
  machine: {
    cpus: cpus().length,
    cpuModel: cpu?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    platform: `${process.platform} ${process.arch}`,
    node: process.versions.node,
    duckdb,
    polars: polarsVersion,
    loadAvgStart,
    loadAvgEnd: loadavg()[0]!,
  },
  source: { ...gitSource(), build: build.note },
  polarsNote: polars?.note ?? (args['no-polars'] ? 'left out (--no-polars)' : ''),
  clinic,
  wideDag,
  wideDagPostgres,
  incremental,
  joins,
  planning,
  queue,
};
const results: BenchResults = { ...partial, goals: goals(partial) };

mkdirSync(dirname(resolve(args.out)), { recursive: true });
writeFileSync(resolve(args.out), `${JSON.stringify(results, null, 1)}\n`);
if (args.plot !== 'none' && clinic.length > 0) writeFileSync(resolve(args.plot), clinicSvg(results));
console.log(`\n${markdownReport(results)}`);
console.log(
  `results: ${resolve(args.out)}${args.plot !== 'none' && clinic.length > 0 ? `, chart: ${resolve(args.plot)}` : ''}`,
);
const elapsed = Date.now() - started;
console.log(
  `elapsed: ${seconds(elapsed)}${quick && elapsed > 300_000 ? ' (over the 5 minutes the quick suite should take: is the machine busy? see the load average above)' : ''}`,
);

/** Which sluice was measured (read-only git queries). */
function gitSource(): { commit: string; uncommittedFiles: number } {
  const git = (...a: string[]) => spawnSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout ?? '';
  return {
    commit: git('rev-parse', '--short', 'HEAD').trim() || 'unknown',
    uncommittedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length,
  };
}
