import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../../src/core/types.js';
import { duckdbOptions, resolveEngineSettings, type EngineSettings } from '../../src/engine/engine-settings.js';
import { sourceRelationSql } from '../../src/engine/relation-sql.js';
import { quoteIdent, quoteLiteral } from '../../src/engine/sql-quote.js';
import { buildModelGraph } from '../../src/planner/model-graph.js';
import { childMain } from '../child.js';
import { copyTarget, folderRelationSql } from '../output-folder.js';

/**
 * The limit: the project's SQL run by hand in ONE DuckDB process. For each model in dependency
 * order: a view per input (sources exactly as sluice reads them, upstream models over this
 * script's own earlier outputs), then the same `COPY (<model sql>) TO ... (FORMAT parquet,
 * PARTITION_BY (...))`. No orchestration, manifests or metadata store; the models' SQL arrives
 * in the job, as a hand-written script would have it. Same DuckDB settings as sluice. Timed from
 * creating the DuckDB instance to the end of the last COPY.
 */
export interface LimitModel {
  readonly name: string;
  readonly sql: string;
  readonly partitionBy: readonly string[];
  /** Models and sources it reads. */
  readonly dependsOn: readonly string[];
}

export interface LimitJob {
  /** In dependency order. */
  readonly models: readonly LimitModel[];
  /** Table expression of each source (sourceRelationSql). */
  readonly sources: Readonly<Record<string, string>>;
  readonly settings: EngineSettings;
  /** Emptied first; outputs go to `<outDir>/<model>/`. */
  readonly outDir: string;
}

export interface LimitResult {
  readonly wallMs: number;
  /** Time of each model (views + COPY), in dependency order. */
  readonly models: readonly { readonly name: string; readonly ms: number }[];
}

export async function runLimit(job: LimitJob): Promise<LimitResult> {
  rmSync(job.outDir, { recursive: true, force: true });
  mkdirSync(job.settings.tempDirectory, { recursive: true });
  const partitioned = new Map(job.models.map((m) => [m.name, m.partitionBy.length > 0] as const));

  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:', duckdbOptions(job.settings));
  const conn = await instance.connect();
  const models: { name: string; ms: number }[] = [];
  for (const model of job.models) {
    const t = performance.now();
    for (const dep of model.dependsOn) {
      const relation = job.sources[dep] ?? folderRelationSql(job.outDir, dep, partitioned.get(dep) ?? false);
      await conn.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(dep)} AS SELECT * FROM ${relation}`);
    }
    const isPartitioned = model.partitionBy.length > 0;
    mkdirSync(join(job.outDir, model.name), { recursive: true });
    const options = ['FORMAT parquet'];
    if (isPartitioned) options.push(`PARTITION_BY (${model.partitionBy.map(quoteIdent).join(', ')})`);
    await conn.run(
      `COPY (\n${model.sql}\n) TO ${quoteLiteral(copyTarget(job.outDir, model.name, isPartitioned))} (${options.join(', ')})`,
    );
    models.push({ name: model.name, ms: performance.now() - t });
  }
  conn.closeSync();
  instance.closeSync();
  return { wallMs: performance.now() - started, models };
}

/** The job for a project: its models in dependency order, sources as sluice reads them, sluice's settings. */
export function limitJob(project: Project, outDir: string): LimitJob {
  const exec = project.config.execution;
  return {
    models: buildModelGraph(project.models).order.map((name) => {
      const m = project.models.get(name)!;
      return { name, sql: m.sql, partitionBy: m.partitionBy, dependsOn: m.dependsOn };
    }),
    sources: Object.fromEntries(
      [...project.sources.values()].map((s) => [s.name, sourceRelationSql(project.root, s)] as const),
    ),
    settings: resolveEngineSettings({
      threads: exec.threads,
      memoryLimit: exec.memoryLimit,
      tempDirectory: join(outDir, '.tmp'),
    }),
    outDir,
  };
}

childMain(import.meta.url, runLimit);
