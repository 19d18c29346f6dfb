import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/catalog/load-project.js';
import { buildModelGraph } from '../../src/planner/model-graph.js';
import { CHILD_ENV, runInChild } from '../child.js';
import { limitJob, type LimitResult } from '../contenders/limit.js';
import { sluiceResetDirs, type SluiceResult } from '../contenders/sluice.js';
import type { ContenderResult, WideDagResult } from '../results.js';
import { summarise } from '../stats.js';
import { checksumFolders, checksumSluice, compareChecksums } from '../verify.js';

const SLUICE = new URL('../contenders/sluice.ts', import.meta.url).href;
const LIMIT = new URL('../contenders/limit.ts', import.meta.url).href;

/**
 * The wide DAG: many tiny models, to measure what sluice spends per task beyond the SQL.
 * `chains` chains of `depth` models: the first of each chain is `select <c> as x`, every other
 * one `select x + 1 as x from <previous>`. No sources, no partitions. Chains are spread over
 * ten business units; first models are dimensions, the rest facts, so grouping splits buckets.
 */
export interface WideDagShape {
  readonly chains: number;
  readonly depth: number;
}

/** 1,000 models in the full suite; the quick suite runs 200 (the cost per task is what it measures). */
export const WIDE_DAG: WideDagShape = { chains: 100, depth: 10 };
export const QUICK_WIDE_DAG: WideDagShape = { chains: 20, depth: 10 };

export function wideModelName(chain: number, level: number): string {
  return `m_${String(chain).padStart(4, '0')}_${String(level).padStart(2, '0')}`;
}

/** Writes the project into `dir` (emptied first); returns the number of models. */
export function writeWideDagProject(dir: string, shape: WideDagShape = WIDE_DAG): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'sluice.yaml'), 'name: wide-dag\n');
  for (let c = 0; c < shape.chains; c++) {
    const folder = join(dir, 'models', `chain_${String(c).padStart(4, '0')}`);
    mkdirSync(folder, { recursive: true });
    for (let l = 0; l < shape.depth; l++) {
      const header = `/*---\ntype: ${l === 0 ? 'dimension' : 'fact'}\nbusiness_unit: bu${c % 10}\n---*/\n`;
      const sql = l === 0 ? `select ${c} as x\n` : `select x + 1 as x from ${wideModelName(c, l - 1)}\n`;
      writeFileSync(join(folder, `${wideModelName(c, l)}.sql`), header + sql);
    }
  }
  return shape.chains * shape.depth;
}

export interface WideDagOptions {
  readonly runs: number;
  readonly workers: number;
  /** Where the sluice under test lives (SluiceBuild.dir). */
  readonly build: string;
  readonly conn: DuckDBConnection;
  readonly log: (line: string) => void;
  /** A metadata store URL for sluice (e.g. PostgreSQL) instead of the project's SQLite file. */
  readonly store?: string;
  /** How the log lines name this variant. */
  readonly label?: string;
}

/**
 * The time the SQL alone needs with `workers` running at once: the longer of the DAG's critical
 * path and a perfect packing of all models onto the workers, from per-model execution times.
 */
export function idealMs(
  order: readonly string[],
  upstream: ReadonlyMap<string, readonly string[]>,
  execMs: ReadonlyMap<string, number>,
  workers: number,
): number {
  const finish = new Map<string, number>();
  for (const name of order)
    finish.set(
      name,
      (execMs.get(name) ?? 0) + Math.max(0, ...(upstream.get(name) ?? []).map((u) => finish.get(u) ?? 0)),
    );
  const criticalPath = Math.max(0, ...finish.values());
  const total = [...execMs.values()].reduce((a, b) => a + b, 0);
  return Math.max(criticalPath, total / workers);
}

/**
 * Runs sluice and the limit `runs` times on the wide DAG, interleaved, verifies the limit's
 * first output against sluice's, and derives the per-task costs:
 * - run loop ÷ tasks;
 * - dispatch overhead per task = (sluice run loop − ideal) ÷ tasks, where ideal (idealMs) is
 *   what the same SQL needs on as many workers, from the limit's time for each model (its views
 *   and COPY) in the same round: the critical path through the DAG or Σ ÷ workers, whichever is
 *   longer. It is everything sluice adds per task: dispatch, queue and metadata-store writes,
 *   resolving inputs, DESCRIBE, staging, publishing;
 * - one sluice task as sluice records it (start to publish) against one model of the limit;
 * - (run loop − limit wall time) ÷ tasks, the plain difference with the sequential limit.
 */
export async function benchWideDag(dir: string, shape: WideDagShape, opts: WideDagOptions): Promise<WideDagResult> {
  const models = writeWideDagProject(dir, shape);
  const project = await loadProject(dir);
  const graph = buildModelGraph(project.models);
  const folders = graph.order.map((name) => ({ name, partitioned: false }));
  const outDir = `${dir}-out/limit`;
  const s = {
    wall: [] as number[],
    prepare: [] as number[],
    run: [] as number[],
    rss: [] as number[],
    task: [] as number[],
  };
  const l = { wall: [] as number[], rss: [] as number[], model: [] as number[] };
  const dispatch: number[] = [];
  let limitStatus: Pick<ContenderResult, 'status' | 'note' | 'problems'> = { status: 'ok' };
  let workers = opts.workers;

  for (let run = 1; run <= opts.runs; run++) {
    const sluice = await runInChild<SluiceResult>(
      SLUICE,
      { root: dir, build: opts.build, workers: opts.workers, reset: sluiceResetDirs(project) },
      opts.store ? { ...CHILD_ENV, SLUICE_STORE: opts.store } : CHILD_ENV,
    );
    if (sluice.result.status !== 'succeeded') throw new Error(`wide DAG: sluice run ${sluice.result.status}`);
    workers = sluice.result.workers;
    s.wall.push(sluice.result.wallMs);
    s.prepare.push(sluice.result.prepareMs);
    s.run.push(sluice.result.runMs);
    s.rss.push(sluice.treeRssMb);
    s.task.push(summarise(sluice.result.tasks.map((task) => task.durationMs)).median);
    let line = `sluice ${(sluice.result.wallMs / 1000).toFixed(2)}s (run loop ${(sluice.result.runMs / 1000).toFixed(2)}s)`;

    if (limitStatus.status === 'ok') {
      const reference = run === 1 ? await checksumSluice(opts.conn, dir) : undefined;
      const limit = await runInChild<LimitResult>(LIMIT, limitJob(project, outDir));
      const verdict = reference
        ? compareChecksums(reference, await checksumFolders(opts.conn, outDir, folders), graph.order)
        : { ok: true, problems: [] };
      if (!verdict.ok) {
        limitStatus = {
          status: 'WRONG',
          problems: verdict.problems.slice(0, 10),
          note: `output differs from sluice's in ${verdict.problems.length} model(s)`,
        };
      } else {
        l.wall.push(limit.result.wallMs);
        l.rss.push(limit.treeRssMb);
        l.model.push(summarise(limit.result.models.map((m) => m.ms)).median);
        const exec = new Map(limit.result.models.map((m) => [m.name, m.ms] as const));
        dispatch.push((sluice.result.runMs - idealMs(graph.order, graph.upstream, exec, workers)) / models);
      }
    }
    line +=
      limitStatus.status === 'ok' ? `  limit ${(l.wall.at(-1)! / 1000).toFixed(2)}s` : `  limit ${limitStatus.status}`;
    opts.log(`  wide DAG (${models} models${opts.label ? `, ${opts.label}` : ''})  run ${run}/${opts.runs}: ${line}`);
  }
  rmSync(`${dir}-out`, { recursive: true, force: true });

  const limitOk = limitStatus.status === 'ok' && l.wall.length > 0;
  const orNaN = (xs: number[]) => summarise(xs.length > 0 ? xs : [NaN]);
  return {
    models,
    chains: shape.chains,
    depth: shape.depth,
    workers,
    sluice: { status: 'ok', wallMs: summarise(s.wall), maxRssMb: summarise(s.rss) },
    limit: { ...limitStatus, ...(limitOk && { wallMs: summarise(l.wall), maxRssMb: summarise(l.rss) }) },
    sluicePrepareMs: summarise(s.prepare),
    sluiceRunMs: summarise(s.run),
    runPerTaskMs: summarise(s.run.map((r) => r / models)),
    dispatchOverheadPerTaskMs: orNaN(dispatch),
    sluiceTaskMs: summarise(s.task),
    limitModelMs: orNaN(l.model),
    overheadVsLimitPerTaskMs: orNaN(l.wall.map((w, i) => (s.run[i]! - w) / models)),
  };
}
