/**
 * sluice's core vocabulary. The code uses exactly these words.
 *
 * - **Project**: a folder with `sluice.yaml`, source declarations (`sources/*.yml`) and models
 *   (`models/**\/*.sql`).
 * - **Source**: raw input data (CSV, Parquet, JSON): a file, a glob or a hive-partitioned folder.
 * - **Model**: one output table: a DuckDB `SELECT` with a metadata header (type, business unit,
 *   partition keys, queue, tags, ...). Its dependencies are inferred from the SQL.
 * - **Group**: the DAG sluice derives: models of one (type, business unit), at most
 *   `max_tasks_per_group` of them, with a step concurrency level.
 * - **Run**: one execution of a selection of models (all groups by default).
 * - **Task**: one model inside a run.
 * - **Work item**: one slice of a task (a partition or key range) processed by one worker.
 * - **Lease**: a worker's time-limited claim on a work item, fenced by the attempt number.
 * - **Queue**: a capacity share of the workers (dimension 30%, fact 30%, ...).
 * - **Worker**: a process that runs work on the engine, writes output and reports back.
 * - **Snapshot**: one published version of a model: a manifest listing its immutable files.
 * - **Metadata store**: runs, tasks, items and metrics (SQLite now, PostgreSQL later).
 * - **Object store**: where data lives (a local folder now, S3 later).
 */

export const TABLE_TYPES = ['dimension', 'fact', 'report'] as const;
export type TableType = (typeof TABLE_TYPES)[number];

/** How an incremental model is built from new or changed input partitions (docs/guide.md). */
export const INCREMENTAL_STRATEGIES = ['append', 'replace', 'merge'] as const;
export type IncrementalStrategy = (typeof INCREMENTAL_STRATEGIES)[number];

export const SOURCE_FORMATS = ['csv', 'parquet', 'json'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** A place in a project file; `file` is relative to the project root, `line` is 1-based. */
export interface Location {
  readonly file: string;
  readonly line: number;
}

export interface SourceDef {
  readonly name: string;
  readonly format: SourceFormat;
  /** As declared: relative to the project root, or absolute. May be a glob. */
  readonly path: string;
  /** Read `key=value/` folders as columns. */
  readonly hivePartitioning: boolean;
  /** Optional column contract: column name -> DuckDB type. */
  readonly columns?: Readonly<Record<string, string>>;
  /** CSV only. */
  readonly delimiter?: string;
  readonly header?: boolean;
  readonly description: string;
  readonly location: Location;
}

export interface ModelResources {
  readonly cpus?: number;
  readonly memory?: string;
}

export interface ModelDef {
  /** The file's base name without `.sql`; a lowercase SQL identifier. */
  readonly name: string;
  /** Path relative to the project root. */
  readonly file: string;
  /** The SELECT statement, header removed. */
  readonly sql: string;
  /** The line of `file` on which `sql` starts (1-based), to translate DuckDB's line numbers. */
  readonly sqlLine: number;
  readonly type: TableType;
  readonly businessUnit: string;
  readonly partitionBy: readonly string[];
  readonly queue: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly resources: ModelResources;
  /**
   * Split the task into one work item per value (or batch of values) of this partition column
   * of its inputs: inputs partitioned by it are read one partition at a time, others whole.
   * Null: one work item reads everything.
   */
  readonly splitBy: string | null;
  /**
   * Build only new (append) or new and changed (replace) values of `splitBy`, keeping the rest
   * of the current snapshot. Null: every run rebuilds the whole model (unless it is unchanged).
   */
  readonly incremental: IncrementalStrategy | null;
  /** `merge`: the columns that identify a row; rebuilt rows replace previous rows with the same key. */
  readonly uniqueKey: readonly string[];
  /** Models and sources this model reads, inferred from its SQL, sorted. */
  readonly dependsOn: readonly string[];
  readonly location: Location;
}

export interface ProjectConfig {
  readonly name: string;
  readonly paths: {
    readonly models: string;
    readonly sources: string;
    /** Metadata store file, DuckDB spill files and logs. */
    readonly state: string;
  };
  readonly storage: {
    /** Object store: a local folder (relative to the project root or absolute). */
    readonly objects: string;
    /** Metadata store: `sqlite:<path>` (relative to the project root or absolute). */
    readonly metadata: string;
    /** fsync before a write counts as done (published data survives power loss, not only kill -9). */
    readonly durable: boolean;
  };
  readonly execution: {
    /** DuckDB threads; 0 means one per core. */
    readonly threads: number;
    /** DuckDB memory limit, e.g. `60%` of RAM or `4GB`. */
    readonly memoryLimit: string;
    /** Worker processes `sluice run` starts; 0 means one per core. */
    readonly workers: number;
    /** A work item's lease; a worker that stops heartbeating loses it after this long. */
    readonly leaseMs: number;
    readonly heartbeatMs: number;
    /** A split task gets at most this many work items (partitions are batched to fit). */
    readonly maxItemsPerTask: number;
    /**
     * Adaptive sizing of split tasks: input bytes a work item aims at (small partitions are
     * coalesced, oversized ones of row-wise models split). 0: one item per partition value.
     */
    readonly targetItemBytes: number;
    readonly retry: {
      /** Attempts an item may fail with an error in its SQL before it is dead. */
      readonly codeAttempts: number;
      /** Attempts an item may lose to infrastructure (lost worker, SIGTERM) before it is dead. */
      readonly infraAttempts: number;
      readonly backoffMs: number;
      readonly maxBackoffMs: number;
    };
  };
  /** Capacity-share queues; shares sum to 100. */
  readonly queues: readonly { readonly name: string; readonly share: number; readonly maxShare: number }[];
  readonly defaults: {
    readonly maxTasksPerGroup: number;
    readonly stepConcurrency: number;
    readonly queue: string;
  };
}

export interface Project {
  /** Absolute path of the project folder. */
  readonly root: string;
  readonly config: ProjectConfig;
  readonly sources: ReadonlyMap<string, SourceDef>;
  readonly models: ReadonlyMap<string, ModelDef>;
}

/** One thing wrong with a project, found before anything runs. */
export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly model?: string;
  readonly key?: string;
}

/**
 * A run's data interval over partition values: `from` inclusive, `to` exclusive, either open.
 * Compared in the partition column's own type (a date column compares as dates).
 */
export interface DataInterval {
  readonly from?: string;
  readonly to?: string;
}

export type RunStatus = 'running' | 'succeeded' | 'failed';
export type TaskStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'not_run';

export interface RunRecord {
  readonly id: string;
  readonly project: string;
  readonly status: RunStatus;
  /** The selection as typed, or `*` for everything. */
  readonly selector: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly error: string | null;
}

export interface TaskRecord {
  readonly runId: string;
  readonly model: string;
  readonly group: string;
  readonly status: TaskStatus;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly rowsOut: number | null;
  readonly bytesOut: number | null;
  readonly files: number | null;
  /** Snapshot number published by this task. */
  readonly snapshot: number | null;
  readonly error: string | null;
}
