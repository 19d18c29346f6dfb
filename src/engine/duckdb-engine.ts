import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import { SluiceError, errorMessage } from '../core/errors.js';
import type { Problem, Project } from '../core/types.js';
import { checkBindings } from './check-bindings.js';
import { duckdbApi } from './duckdb-api.js';
import { duckDbErrorCode, modelErrorLine, shortDuckDbMessage } from './duckdb-errors.js';
import type { Engine, ModelOutput, ModelRun, OutputFile } from './engine.js';
import { duckdbOptions, type EngineSettings } from './engine-settings.js';
import { inputStats, type InputFiles, type InputStats } from './input-stats.js';
import { accessForPaths, applySandbox, mergeAccess, type SandboxAccess } from './sandbox.js';
import { quoteIdent, quoteLiteral } from './sql-quote.js';
import type { ColumnDef } from '../protocol/column-def.js';

/**
 * Who may read what (docs/adr/0014-sandbox.md). `per-run`: every model run gets a fresh instance
 * locked to what that run reads and writes (workers); otherwise one instance for everything,
 * locked to `access` (the coordinator: validate, compile, explain).
 */
export type EngineSandbox = 'per-run' | SandboxAccess;

/** The DuckDB engine: one in-process instance (or one per model run), one connection per model run. */
export class DuckDbEngine implements Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly settings: EngineSettings,
    private readonly perRun: boolean,
  ) {}

  static async create(settings: EngineSettings, sandbox: EngineSandbox): Promise<DuckDbEngine> {
    mkdirSync(settings.tempDirectory, { recursive: true });
    const instance = await duckdbApi.DuckDBInstance.create(':memory:', duckdbOptions(settings));
    if (sandbox !== 'per-run')
      await lockInstance(instance, mergeAccess(sandbox, { directories: [settings.tempDirectory], files: [] }));
    return new DuckDbEngine(instance, settings, sandbox === 'per-run');
  }

  /**
   * A connection to the shared instance. Per-run engines refuse: their shared instance only runs
   * sluice's own metadata queries (input statistics), never user SQL.
   */
  async connect(): Promise<DuckDBConnection> {
    if (this.perRun)
      throw new SluiceError('EXEC_FAILED', 'a per-run sandboxed engine gives no connection for user SQL');
    return this.instance.connect();
  }

  async runModel(run: ModelRun, signal?: AbortSignal): Promise<ModelOutput> {
    if (!this.perRun) return this.runOn(this.instance, run, signal);
    const instance = await duckdbApi.DuckDBInstance.create(':memory:', duckdbOptions(this.settings));
    try {
      // The attempt's staging folder, not just `outputDir`: COPY ... PARTITION_BY checks the
      // target folder itself, which a trailing-separator entry for it would not cover.
      const written = { directories: [this.settings.tempDirectory, dirname(run.outputDir)], files: [] };
      await lockInstance(instance, mergeAccess(accessForPaths(run.reads ?? []), written));
      return await this.runOn(instance, run, signal);
    } finally {
      instance.closeSync();
    }
  }

  private async runOn(instance: DuckDBInstance, run: ModelRun, signal?: AbortSignal): Promise<ModelOutput> {
    const { model } = run;
    const conn = await instance.connect();
    const onAbort = () => conn.interrupt();
    signal?.addEventListener('abort', onAbort);
    try {
      for (const input of run.inputs) {
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(input.name)} AS ${input.query}`);
      }
      const columns = await describe(conn, run);
      const missing = model.partitionBy.filter((k) => !columns.some((c) => c.name === k));
      if (missing.length > 0) {
        throw new SluiceError(
          'EXEC_SQL',
          `${model.file}:${model.location.line}: [model ${model.name}] partition_by column(s) ${missing.join(', ')} not in the model's output (columns: ${columns.map((c) => c.name).join(', ')})`,
        );
      }
      if (signal?.aborted) throw new SluiceError('EXEC_INTERRUPTED', `model ${model.name} interrupted`);
      mkdirSync(run.outputDir, { recursive: true });
      const partitioned = model.partitionBy.length > 0;
      const target = partitioned ? run.outputDir : `${run.outputDir}${sep}part-0.parquet`;
      const options = ['FORMAT parquet', 'RETURN_STATS true'];
      if (partitioned)
        options.push(`PARTITION_BY (${model.partitionBy.map(quoteIdent).join(', ')})`, `FILENAME_PATTERN 'part-{i}'`);
      const statement = `COPY (\n${model.sql}\n) TO ${quoteLiteral(target)} (${options.join(', ')})`;
      const reader = await runStatement(conn, statement, run, 2);
      const files: OutputFile[] = reader.map((row) => {
        const path = String(row.filename);
        const relativePath = relative(run.outputDir, path).split(sep).join('/');
        return {
          path,
          relativePath,
          rows: Number(row.count),
          bytes: Number(row.file_size_bytes),
          partition: partitionOf(relativePath),
        };
      });
      files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : 1));
      return {
        columns,
        rows: files.reduce((s, f) => s + f.rows, 0),
        bytes: files.reduce((s, f) => s + f.bytes, 0),
        files,
      };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      conn.closeSync();
    }
  }

  checkBindings(project: Project, order: readonly string[]): Promise<Problem[]> {
    return checkBindings(this, project, order);
  }

  async inputStats(inputs: readonly InputFiles[]): Promise<InputStats> {
    const conn = await this.instance.connect();
    try {
      return await inputStats(conn, inputs);
    } finally {
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
    this.instance.closeSync();
  }
}

async function lockInstance(instance: DuckDBInstance, access: SandboxAccess): Promise<void> {
  const conn = await instance.connect();
  try {
    await applySandbox(conn, access);
  } finally {
    conn.closeSync();
  }
}

async function describe(conn: DuckDBConnection, run: ModelRun): Promise<ColumnDef[]> {
  const rows = await runStatement(conn, `DESCRIBE\n${run.model.sql}`, run, 2);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

async function runStatement(
  conn: DuckDBConnection,
  sql: string,
  run: ModelRun,
  sqlStartLine: number,
): Promise<Record<string, unknown>[]> {
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjects() as Record<string, unknown>[];
  } catch (err) {
    const message = errorMessage(err);
    const line = modelErrorLine(message, run.model, sqlStartLine) ?? run.model.sqlLine;
    throw new SluiceError(
      duckDbErrorCode(message),
      `${run.model.file}:${line}: [model ${run.model.name}] ${shortDuckDbMessage(message)}`,
      { cause: err },
    );
  }
}

/** `a=1/b=x%2Fy/part-0.parquet` -> { a: '1', b: 'x/y' }; DuckDB's NULL folder -> null. */
export function partitionOf(relativePath: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const segment of relativePath.split('/').slice(0, -1)) {
    const eq = segment.indexOf('=');
    if (eq < 0) continue;
    const value = decodeURIComponent(segment.slice(eq + 1));
    out[decodeURIComponent(segment.slice(0, eq))] = value === '__HIVE_DEFAULT_PARTITION__' ? null : value;
  }
  return out;
}
