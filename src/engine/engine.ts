import type { Problem, Project } from '../core/types.js';
import type { ColumnDef } from '../protocol/column-def.js';
import type { RunnableModel } from '../protocol/runnable-model.js';
import type { InputFiles, InputStats } from './input-stats.js';

/**
 * The engine seam: runs a model's SQL over its inputs and writes Parquet to a local folder.
 * One implementation (DuckDB). Data never passes through JavaScript.
 */

/** A table the model's SQL refers to by name, defined as a query. */
export interface InputRelation {
  readonly name: string;
  /** A SELECT statement. */
  readonly query: string;
}

export interface ModelRun {
  readonly model: RunnableModel;
  readonly inputs: readonly InputRelation[];
  /** A local folder that does not exist yet; the engine creates it and writes into it. */
  readonly outputDir: string;
}

export interface OutputFile {
  /** Absolute local path. */
  readonly path: string;
  /** Path below the output folder, `/`-separated, e.g. `order_date=2024-01-01/part-0.parquet`. */
  readonly relativePath: string;
  readonly rows: number;
  readonly bytes: number;
  /** Partition values decoded from the folder names (null for NULL). */
  readonly partition: Readonly<Record<string, string | null>>;
}

export interface ModelOutput {
  readonly columns: readonly ColumnDef[];
  readonly rows: number;
  readonly bytes: number;
  readonly files: readonly OutputFile[];
}

export interface Engine {
  runModel(run: ModelRun, signal?: AbortSignal): Promise<ModelOutput>;
  /** Bind every model's SQL (in dependency order) without running it; return what is wrong. */
  checkBindings(project: Project, order: readonly string[]): Promise<Problem[]>;
  /** Files, bytes, rows and partitions of these inputs, from file metadata (optional: for metrics). */
  inputStats?(inputs: readonly InputFiles[]): Promise<InputStats>;
  close(): Promise<void>;
}
