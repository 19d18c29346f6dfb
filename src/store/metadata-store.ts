import { SluiceError } from '../core/errors.js';
import type { RunRecord, RunStatus, TaskRecord, TaskStatus } from '../core/types.js';
import type { MetricsStore } from './metrics-store.js';
import type { TaskSkips } from './task-skips.js';
import type { WorkQueue } from './work-queue.js';
import type { LeaderLeases } from './leader-lease.js';

/**
 * The metadata store: runs, tasks, the work-item queue (work-queue.ts), metrics (metrics-store.ts)
 * and skipped tasks (task-skips.ts).
 * Implementations: `sqlite/` and `postgres/`. All pass `metadata-store.contract.ts`.
 * Times are epoch milliseconds.
 */
export interface NewRun {
  readonly id: string;
  readonly project: string;
  readonly selector: string;
  readonly startedAt: number;
  /** The process that drives the run (`<host>:<pid>`); its heartbeat starts at `startedAt`. */
  readonly coordinator?: string;
  /**
   * One live run per project: when set, createRun fails with STORE_CONFLICT if another run of
   * the same project is running with a coordinator heartbeat at or after this time.
   */
  readonly exclusiveSince?: number;
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

export interface MetadataStore extends WorkQueue, MetricsStore, TaskSkips {
  /** Leader leases of `sluice serve` (leader-lease.ts), on the same connection. */
  readonly leases: LeaderLeases;
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

  /**
   * The coordinator's sign of life (and, when given, who it is now: a resumed run changes hands).
   * False when the run is not running any more (e.g. another process declared it abandoned):
   * the coordinator must stop driving it.
   */
  runHeartbeat(runId: string, now: number, coordinator?: string): Promise<boolean>;

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

/** The error every store gives when createRun meets another live run of the project. */
export function liveRunConflict(live: RunRecord): SluiceError {
  const facts = [
    live.coordinator && `driven by ${live.coordinator}`,
    live.heartbeatAt !== null && `last heartbeat ${new Date(live.heartbeatAt).toISOString()}`,
  ].filter(Boolean);
  return new SluiceError(
    'STORE_CONFLICT',
    `run ${live.id} of project ${live.project} is in progress${facts.length > 0 ? ` (${facts.join(', ')})` : ''}; wait for it, or stop it, before starting another`,
  );
}
