import type { RunRecord, RunStatus, TaskRecord, TaskStatus } from '../core/types.js';
import type { TaskSkips } from './task-skips.js';
import type { WorkQueue } from './work-queue.js';

/**
 * The metadata store: runs, tasks, the work-item queue (work-queue.ts) and skipped tasks
 * (task-skips.ts); metrics later.
 * Implementations: `sqlite/` now, `postgres/` later. All pass `metadata-store.contract.ts`.
 * Times are epoch milliseconds.
 */
export interface NewRun {
  readonly id: string;
  readonly project: string;
  readonly selector: string;
  readonly startedAt: number;
}

export interface NewTask {
  readonly model: string;
  readonly group: string;
  /** The group's step concurrency: at most this many of its tasks run at once in the run. */
  readonly concurrency: number;
}

export interface TaskResult {
  readonly status: Extract<TaskStatus, 'succeeded' | 'failed' | 'not_run'>;
  readonly endedAt: number;
  readonly rowsOut?: number;
  readonly bytesOut?: number;
  readonly files?: number;
  readonly snapshot?: number;
  readonly error?: string;
}

export interface MetadataStore extends WorkQueue, TaskSkips {
  /** Apply pending numbered migrations, each in a transaction. Idempotent. */
  migrate(): Promise<void>;

  /** Create a run in state `running` with its tasks in state `pending`, atomically. */
  createRun(run: NewRun, tasks: readonly NewTask[]): Promise<void>;
  finishRun(runId: string, status: Exclude<RunStatus, 'running'>, endedAt: number, error?: string): Promise<void>;
  /**
   * A run whose process died: in one transaction, its running tasks become failed, its pending
   * tasks not_run, and the run failed, all with `reason`. Returns false if it was not running.
   */
  abandonRun(runId: string, endedAt: number, reason: string): Promise<boolean>;

  /** pending -> running. Throws STORE_CONFLICT if the task is not pending. */
  startTask(runId: string, model: string, startedAt: number): Promise<void>;
  /** Record a task's outcome (from running, or from pending for `not_run`). */
  finishTask(runId: string, model: string, result: TaskResult): Promise<void>;

  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(options?: { limit?: number }): Promise<RunRecord[]>;
  /** In the order the tasks were created. */
  listTasks(runId: string): Promise<TaskRecord[]>;

  close(): Promise<void>;
}
