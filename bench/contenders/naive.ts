import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/catalog/load-project.js';
import type { Project } from '../../src/core/types.js';
import { duckdbOptions, resolveEngineSettings } from '../../src/engine/engine-settings.js';
import { quoteIdent, quoteLiteral } from '../../src/engine/sql-quote.js';
import { buildModelGraph, reachable } from '../../src/planner/model-graph.js';
import { childMain, runCodeInChild } from '../child.js';
import { copyTarget } from '../output-folder.js';
import { mapLimit } from '../stats.js';
import type { CsvSource } from '../workloads/clinic.js';
import { NAIVE_TASK_SOURCE, REPO_ROOT, type NaiveTaskJob } from './naive-task.js';

/**
 * The naive baseline, as the field reports started: one fresh engine process per model (a
 * `node` child running a new DuckDB), every model recomputed from the raw sources as CSV, its
 * upstream models recomputed too (inlined as views, never read from an earlier output), no
 * pruning. Models run `workers` at a time (as many as sluice runs at once), each process with
 * the same threads and its share of the same memory limit. Timed from the first spawn to the
 * last exit: process start-up is part of what the naive way pays. The orchestration runs in a
 * child process of its own (childMain), so its peak memory covers the tasks running at once.
 */
export interface NaiveJob {
  readonly root: string;
  readonly csv: readonly CsvSource[];
  /** Emptied first; outputs go to `<outDir>/<model>/`. */
  readonly outDir: string;
  readonly workers: number;
}

export interface NaiveResult {
  readonly wallMs: number;
  /** Highest peak RSS of any of its processes, MiB. */
  readonly maxRssMb: number;
  readonly models: readonly { readonly name: string; readonly ms: number; readonly maxRssMb: number }[];
}

export async function runNaive(job: NaiveJob): Promise<NaiveResult> {
  const project = await loadProject(job.root);
  const graph = buildModelGraph(project.models);
  const exec = project.config.execution;
  const settings = resolveEngineSettings({
    threads: exec.threads,
    memoryLimit: exec.memoryLimit,
    tempDirectory: join(job.outDir, '.tmp'),
    shareOf: job.workers,
  });
  rmSync(job.outDir, { recursive: true, force: true });
  const options = duckdbOptions(settings);
  const tasks: NaiveTaskJob[] = graph.order.map((name) => ({
    options,
    tempDirectory: settings.tempDirectory,
    statements: naiveStatements(project, job, graph.order, reachable(name, graph.upstream), name),
  }));

  const started = performance.now();
  const runs = await mapLimit(tasks, job.workers, (task) =>
    runCodeInChild<{ ms: number }>(NAIVE_TASK_SOURCE, task, REPO_ROOT),
  );
  const wallMs = performance.now() - started;
  const models = runs.map((r, i) => ({ name: graph.order[i]!, ms: r.processMs, maxRssMb: r.maxRssMb }));
  return { wallMs, maxRssMb: Math.max(...models.map((m) => m.maxRssMb)), models };
}

/** CSV views for the sources it needs, views for every upstream model, then the model's COPY. */
function naiveStatements(
  project: Project,
  job: NaiveJob,
  order: readonly string[],
  upstream: ReadonlySet<string>,
  name: string,
): string[] {
  const needed = order.filter((m) => upstream.has(m) || m === name);
  const sources = new Set(
    needed.flatMap((m) => project.models.get(m)!.dependsOn.filter((d) => project.sources.has(d))),
  );
  const statements: string[] = [];
  for (const csv of job.csv) {
    if (!sources.has(csv.name)) continue;
    const columns = Object.entries(csv.columns)
      .map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`)
      .join(', ');
    statements.push(
      `CREATE VIEW ${quoteIdent(csv.name)} AS SELECT * FROM read_csv(${quoteLiteral(csv.path)}, header = true, columns = {${columns}})`,
    );
  }
  for (const m of needed) {
    if (m !== name) statements.push(`CREATE VIEW ${quoteIdent(m)} AS\n${project.models.get(m)!.sql}`);
  }
  const model = project.models.get(name)!;
  const partitioned = model.partitionBy.length > 0;
  mkdirSync(join(job.outDir, name), { recursive: true });
  const options = ['FORMAT parquet'];
  if (partitioned) options.push(`PARTITION_BY (${model.partitionBy.map(quoteIdent).join(', ')})`);
  statements.push(
    `COPY (\n${model.sql}\n) TO ${quoteLiteral(copyTarget(job.outDir, name, partitioned))} (${options.join(', ')})`,
  );
  return statements;
}

childMain(import.meta.url, runNaive);
