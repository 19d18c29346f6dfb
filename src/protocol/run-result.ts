import type { DataInterval, RunStatus, TaskStatus } from '../core/types.js';

/** The outcome of a run: every task's status, never a throw half-way (`sluice run --json`). */
export const RUN_RESULT_SCHEMA = 'sluice.run/v1';

/** A task's outcome: a stored task status, or `skipped` (succeeded without running: unchanged). */
export type OutcomeStatus = TaskStatus | 'skipped';

export interface TaskOutcome {
  readonly model: string;
  readonly group: string;
  readonly status: OutcomeStatus;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly rowsOut: number | null;
  readonly bytesOut: number | null;
  readonly files: number | null;
  readonly snapshot: number | null;
  /** Why it failed, or for not_run, which upstream model failed. */
  readonly error: string | null;
  /** For skipped: why (the snapshot it reused, unchanged SQL and inputs). Added in issue 5. */
  readonly reason?: string;
}

export interface RunResult {
  readonly schema: typeof RUN_RESULT_SCHEMA;
  readonly runId: string;
  readonly project: string;
  readonly selector: string;
  /** The run's data interval (`--from`/`--to`), or null for the whole history. */
  readonly interval: DataInterval | null;
  readonly status: Exclude<RunStatus, 'running'>;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  readonly tasks: readonly TaskOutcome[];
  readonly counts: Readonly<Record<OutcomeStatus, number>>;
}

export type RunEvent =
  | { readonly kind: 'run_started'; readonly runId: string; readonly tasks: number; readonly groups: number }
  | { readonly kind: 'task_started'; readonly model: string; readonly group: string }
  | { readonly kind: 'task_finished'; readonly task: TaskOutcome }
  | { readonly kind: 'run_finished'; readonly result: RunResult };

export function countStatuses(tasks: readonly TaskOutcome[]): Record<OutcomeStatus, number> {
  const counts: Record<OutcomeStatus, number> = { pending: 0, running: 0, succeeded: 0, skipped: 0, failed: 0, not_run: 0 };
  for (const t of tasks) counts[t.status]++;
  return counts;
}
