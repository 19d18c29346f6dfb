/**
 * Metrics, part of the metadata store: what every attempt of every work item used and moved
 * (issue 6). Workers record one row per attempt they ran to an end — succeeded, failed, fenced
 * or handed back — so cost counts retries too. An attempt whose worker was killed records
 * nothing (its lease time is still in `ItemRecord.busyMs`). Rollups are computed by queries.
 * Implementations: `sqlite/` now, `postgres/` later. All pass `metrics-store.contract.ts`.
 * Times are epoch milliseconds; sizes are bytes.
 */

/** How an attempt ended, from the worker's point of view. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'fenced' | 'released';

export interface AttemptMetrics {
  readonly itemId: string;
  /** The attempt number (the lease's fencing token); one row per (itemId, attempt). */
  readonly attempt: number;
  readonly workerId: string;
  readonly outcome: AttemptOutcome;
  /** The claim. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** claim − max(item created, notBefore): how long a claimable item waited for a worker. */
  readonly queueWaitMs: number;
  readonly wallMs: number;
  /** User + system CPU of the worker process during the attempt (DuckDB threads included). */
  readonly cpuMs: number;
  /** Peak resident memory of the worker process during the attempt. */
  readonly peakRssBytes: number;
  /** What the item reserved (model `resources`); cost uses max(reserved, used). */
  readonly cpus: number;
  readonly memoryBytes: number;
  /** Rows in the input files (Parquet metadata); null when an input's row count is unknown (CSV, JSON). */
  readonly rowsIn: number | null;
  readonly bytesIn: number;
  readonly filesIn: number;
  /** Distinct hive partition folders among the input files. */
  readonly partitionsIn: number;
  readonly rowsOut: number;
  readonly bytesOut: number;
  readonly filesOut: number;
  /** Object-store requests: writes (PUT, COPY, LIST) and reads (GET, HEAD; one per file read). */
  readonly writeRequests: number;
  readonly readRequests: number;
  readonly error: string | null;
}

/** An attempt as stored, with what the store knows of its item. */
export interface AttemptMetricsRecord extends AttemptMetrics {
  readonly runId: string;
  readonly model: string;
  readonly itemNo: number;
  readonly group: string;
  readonly queue: string;
}

/** What a task is, for rollups by business unit and type (recorded when the run is created). */
export interface TaskLabels {
  readonly model: string;
  readonly businessUnit: string;
  readonly type: string;
}

export type RollupKey = 'task' | 'group' | 'business_unit' | 'run';

/** Sums over attempts. Rows/bytes/files out count succeeded attempts only (what was published). */
export interface MetricsRollup {
  /** The task (model), group, business unit or run id. */
  readonly key: string;
  readonly attempts: number;
  readonly failedAttempts: number;
  readonly items: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxPeakRssBytes: number;
  readonly queueWaitMs: number;
  readonly rowsIn: number;
  readonly bytesIn: number;
  readonly filesIn: number;
  readonly partitionsIn: number;
  readonly rowsOut: number;
  readonly bytesOut: number;
  readonly filesOut: number;
  readonly writeRequests: number;
  readonly readRequests: number;
}

export interface MetricsStore {
  /**
   * Record one attempt. Refused (STORE_NOT_FOUND) for an unknown item; a second row for the
   * same (itemId, attempt) replaces the first (a worker may retry the write).
   */
  recordAttempt(metrics: AttemptMetrics): Promise<void>;
  /** Attempts of a run (optionally one task), by model, itemNo, attempt. */
  listAttempts(runId: string, model?: string): Promise<AttemptMetricsRecord[]>;
  /** Attach business unit and type to a run's tasks (idempotent; replaces). */
  labelTasks(runId: string, labels: readonly TaskLabels[]): Promise<void>;
  listTaskLabels(runId: string): Promise<TaskLabels[]>;
  /** Sums over a run's attempts, one row per key, sorted by key. Unlabelled tasks roll up under business unit ''. */
  rollup(runId: string, by: RollupKey): Promise<MetricsRollup[]>;
}
