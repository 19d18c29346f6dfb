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
 * - **Metadata store**: runs, tasks, items and metrics (SQLite or PostgreSQL).
 * - **Object store**: where data lives: a local folder or an S3 bucket (`storage.objects`).
 */

export const TABLE_TYPES = ['dimension', 'fact', 'report'] as const;
export type TableType = (typeof TABLE_TYPES)[number];

/** How an incremental model is built from new or changed input partitions (docs/guide.md). */
export const INCREMENTAL_STRATEGIES = ['append', 'replace', 'merge'] as const;
export type IncrementalStrategy = (typeof INCREMENTAL_STRATEGIES)[number];

/** What a build does when the model's columns differ from its current snapshot's (ADR 0015). */
export const ON_SCHEMA_CHANGE_POLICIES = ['fail', 'append_new_columns', 'sync_all_columns'] as const;
export type OnSchemaChange = (typeof ON_SCHEMA_CHANGE_POLICIES)[number];

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
  /** A change of the published columns fails the task (`fail`, also when absent) unless the policy allows it. */
  readonly onSchemaChange?: OnSchemaChange;
  /** Models and sources this model reads, inferred from its SQL, sorted. */
  readonly dependsOn: readonly string[];
  /** The header's `timeout`, or `execution.timeout`: a work item running longer fails. */
  readonly timeoutMs: number;
  readonly location: Location;
}

/** `storage.s3`: unset keys take the environment (AWS_*) or `DEFAULTS.storage.s3`. */
export interface S3StorageConfig {
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle?: boolean;
  /** Relative to the project root or absolute. */
  readonly cacheDir?: string;
  readonly cacheMaxBytes?: number;
}

export interface ProjectConfig {
  readonly name: string;
  readonly paths: {
    readonly models: string;
    readonly sources: string;
    /** Metadata store file, DuckDB spill files and logs. */
    readonly state: string;
    /** Folders outside the project that sources may read (relative to the project root or absolute). */
    readonly allowedRoots: readonly string[];
  };
  readonly storage: {
    /** Object store: a local folder (relative to the project root or absolute), a file:// URI or s3://bucket/prefix. */
    readonly objects: string;
    /** Metadata store: `sqlite:<path>` (relative to the project root or absolute) or `postgres://...`. */
    readonly metadata: string;
    /** fsync before a write counts as done (published data survives power loss, not only kill -9). */
    readonly durable: boolean;
    /** `storage.s3` of sluice.yaml, when given: settings of an s3:// object store. */
    readonly s3?: S3StorageConfig;
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
    /** execution.broadcast_threshold in bytes (0: models without split_by run as one item). */
    readonly broadcastBytes: number;
    /** execution.timeout: a work item running longer is interrupted and fails (not retried). */
    readonly timeoutMs: number;
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
    /** Absent: `fail`. */
    readonly onSchemaChange?: OnSchemaChange;
  };
  /** Prices that turn resource use into cost (`cost:`); absent means the defaults (DEFAULTS.cost). */
  readonly cost?: PriceCatalogue;
  /** Cost budgets per run and per group (`budgets:`), in the catalogue's currency; absent means none. */
  readonly budgets?: Budgets;
  /** Where alerts go (`alerts:`); absent means nowhere. */
  readonly alerts?: AlertsConfig;
  /** Where OpenLineage events go (`lineage:`); absent means nowhere. */
  readonly lineage?: LineageConfig;
  /** When groups run (`schedules:`, with `defaults.schedule`); absent means none (docs/guide.md#schedules). */
  readonly schedules?: readonly ScheduleConfig[];
  /** Deadlines per group or model name (`deadlines:`), relative to the interval end; they override a schedule's. */
  readonly deadlines?: Readonly<Record<string, number>>;
}

/**
 * One schedule of `schedules:` in sluice.yaml, defaults applied: which groups run when, each run
 * covering one data interval [previous cron tick, this tick) and starting once the interval has ended.
 */
export interface ScheduleConfig {
  readonly name: string;
  /** Group names (`groups:`); the models of `select` add their groups. */
  readonly groups: readonly string[];
  /** Model selectors (`select:`), as `sluice run --select`: a run builds only the selected models of a group. */
  readonly select: readonly string[];
  readonly cron: string;
  /** IANA time zone of the cron expression and of start/end dates (default UTC). */
  readonly timezone: string;
  /** No interval starts before this (epoch ms); null: only intervals from the first tick after the schedule is seen. */
  readonly startDate: number | null;
  /** No interval ends after this (epoch ms). */
  readonly endDate: number | null;
  /** Missed intervals run, oldest first (true), or only the latest (false). */
  readonly catchup: boolean;
  /** At most this many of the schedule's interval runs at once. */
  readonly maxActiveRuns: number;
  /** Higher runs first among live runs (backfills always come after live runs). */
  readonly priority: number;
  /** A run of this schedule taking longer is stopped and counted an infrastructure failure; null: none. */
  readonly executionTimeoutMs: number | null;
  readonly retry: {
    /** Retries after failures of the models' SQL or data (code failures). */
    readonly code: number;
    /** Retries after lost workers, timeouts, store outages (infrastructure failures). */
    readonly infra: number;
    readonly backoffMs: number;
    readonly maxBackoffMs: number;
  };
  /** The interval should have landed (published) this long after its end; null: no deadline. */
  readonly deadlineMs: number | null;
}

export interface LineageConfig {
  /** POST each event here (an OpenLineage HTTP endpoint, e.g. Marquez's /api/v1/lineage). */
  readonly url: string | null;
  /** Append each event as one JSON line to this file (relative to the project root). */
  readonly file: string | null;
  /** The jobs' namespace (default: the project name). */
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

export const ALERT_KINDS = ['task_failed', 'run_failed', 'sla_missed', 'over_budget', 'anomaly'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface WebhookConfig {
  readonly url: string;
  /** `json`: sluice's alert document; `slack`: a Slack-compatible `{ text }` message. */
  readonly format: 'json' | 'slack';
  /** The kinds sent to this webhook. */
  readonly events: readonly AlertKind[];
}

export interface AlertsConfig {
  readonly webhooks: readonly WebhookConfig[];
  /** Retries after a failed delivery (so attempts = retries + 1). */
  readonly retries: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  /** A run that takes longer than this misses its SLA; null: no SLA. */
  readonly runSlaMs: number | null;
  /** A run whose cost or duration is above `factor` × the median of the previous runs of its selection. */
  readonly anomaly: { readonly factor: number; readonly minRuns: number };
}

/** Compute prices for one way of buying machines. */
export interface ComputePrices {
  readonly coreHour: number;
  readonly gibHour: number;
}

export const PRICING_MODES = ['on_demand', 'spot'] as const;
export type PricingMode = (typeof PRICING_MODES)[number];

/** The price catalogue: what a core, a GiB of memory and an object-store request cost. */
export interface PriceCatalogue {
  readonly currency: string;
  /** What workers run on: a run's cost is priced with these compute prices. */
  readonly pricing: PricingMode;
  readonly onDemand: ComputePrices;
  readonly spot: ComputePrices;
  /** A managed cluster's surcharge on on-demand compute, in percent (e.g. 25). */
  readonly managedUpliftPct: number;
  readonly objectStore: {
    /** Per 1,000 write-class requests (PUT, COPY, POST, LIST). */
    readonly writePer1000: number;
    /** Per 1,000 read-class requests (GET, HEAD). */
    readonly readPer1000: number;
    /** Per GiB stored for a month. */
    readonly gibMonth: number;
  };
}

export interface Budgets {
  /** Most a run may cost. */
  readonly run?: number;
  /** Most each named group may cost in one run. */
  readonly groups: Readonly<Record<string, number>>;
}

export interface Project {
  /** Absolute path of the project folder. */
  readonly root: string;
  readonly config: ProjectConfig;
  readonly sources: ReadonlyMap<string, SourceDef>;
  readonly models: ReadonlyMap<string, ModelDef>;
}

/** What opening stores and engines needs, and what a worker process is started with: the folder and its settings. */
export type ProjectSettings = Pick<Project, 'root' | 'config'>;

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
  /** The process driving the run (`<host>:<pid>`), if recorded. */
  readonly coordinator: string | null;
  /** Its last sign of life; a running run whose heartbeat is stale was abandoned. */
  readonly heartbeatAt: number | null;
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
