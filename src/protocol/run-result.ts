import { z } from 'zod';
import type { RunStatus, TaskStatus } from '../core/types.js';

/** The outcome of a run: every task's status, never a throw half-way (`sluice run --json`). */
export const RUN_RESULT_SCHEMA = 'sluice.run/v1';

/** A task's outcome: a stored task status, or `skipped` (succeeded without running: unchanged). */
export const OUTCOME_STATUSES = ['pending', 'running', 'succeeded', 'skipped', 'failed', 'not_run'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];
/** The statuses above are the store's task statuses plus `skipped` (a compile error if those change). */
export const outcomeStatusesMatch: [OutcomeStatus, TaskStatus | 'skipped'] extends [
  TaskStatus | 'skipped',
  OutcomeStatus,
]
  ? true
  : never = true;

export const taskOutcomeSchema = z
  .object({
    model: z.string(),
    group: z.string(),
    status: z.enum(OUTCOME_STATUSES),
    startedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    durationMs: z.number().nullable(),
    rowsOut: z.number().nullable(),
    bytesOut: z.number().nullable(),
    files: z.number().nullable(),
    snapshot: z.number().nullable(),
    /** Why it failed, or for not_run, which upstream model failed. */
    error: z.string().nullable(),
    /** For skipped: why (the snapshot it reused, unchanged SQL and inputs). Added in issue 5. */
    reason: z.string().optional(),
  })
  .readonly();
export type TaskOutcome = z.infer<typeof taskOutcomeSchema>;

const FINAL_RUN_STATUSES = ['succeeded', 'failed'] as const satisfies readonly Exclude<RunStatus, 'running'>[];

export const runResultSchema = z
  .object({
    schema: z.literal(RUN_RESULT_SCHEMA),
    runId: z.string(),
    project: z.string(),
    selector: z.string(),
    /** The run's data interval (`--from`/`--to`), or null for the whole history. */
    interval: z.object({ from: z.string().optional(), to: z.string().optional() }).readonly().nullable(),
    status: z.enum(FINAL_RUN_STATUSES),
    startedAt: z.number(),
    endedAt: z.number(),
    durationMs: z.number(),
    tasks: z.array(taskOutcomeSchema).readonly(),
    counts: z.record(z.enum(OUTCOME_STATUSES), z.number()).readonly(),
  })
  .readonly();
export type RunResult = z.infer<typeof runResultSchema>;

export function countStatuses(tasks: readonly TaskOutcome[]): Record<OutcomeStatus, number> {
  const counts: Record<OutcomeStatus, number> = {
    pending: 0,
    running: 0,
    succeeded: 0,
    skipped: 0,
    failed: 0,
    not_run: 0,
  };
  for (const t of tasks) counts[t.status]++;
  return counts;
}
