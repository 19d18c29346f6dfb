/**
 * Skipped tasks, part of the metadata store (issue 5): a task whose model and inputs are
 * unchanged since its current snapshot is not run; the run records that it was skipped, why,
 * and which snapshot it reused (docs/adr/0010-pruning-fingerprints-incremental.md). In the
 * tasks table a skipped task is `succeeded` with the reused snapshot, so everything that reads
 * task states (claims, retry, downstream readiness) treats it as done; this interface says which
 * succeeded tasks were skips. Times are epoch milliseconds.
 */
export interface TaskSkip {
  readonly endedAt: number;
  /** The snapshot reused (the model's current one). */
  readonly snapshot: number;
  readonly rowsOut: number;
  readonly bytesOut: number;
  readonly files: number;
  /** Why, for people: e.g. "unchanged since snapshot 3: same SQL and inputs". */
  readonly reason: string;
  /** The fingerprint that matched. */
  readonly fingerprint: string;
}

export interface SkippedTask {
  readonly runId: string;
  readonly model: string;
  readonly snapshot: number;
  readonly reason: string;
  readonly fingerprint: string;
  readonly skippedAt: number;
}

export interface TaskSkips {
  /**
   * In ONE transaction: the pending task becomes succeeded (started and ended at `endedAt`, with
   * the reused snapshot's rows, bytes and files) and the skip is recorded. STORE_CONFLICT if the
   * task is not pending; STORE_NOT_FOUND if the run or task does not exist.
   */
  skipTask(runId: string, model: string, skip: TaskSkip): Promise<void>;
  /** The run's skipped tasks, in task order. */
  listSkippedTasks(runId: string): Promise<SkippedTask[]>;
}
