import { z } from 'zod';
import { runResultSchema, taskOutcomeSchema } from './run-result.js';

/** What a run reports as it goes (to observers: logs, alerts, lineage, the CLI's progress). */
export const runEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run_started'), runId: z.string(), tasks: z.number(), groups: z.number() }).readonly(),
  z.object({ kind: z.literal('task_started'), model: z.string(), group: z.string() }).readonly(),
  z.object({ kind: z.literal('task_finished'), task: taskOutcomeSchema }).readonly(),
  z.object({ kind: z.literal('run_finished'), result: runResultSchema }).readonly(),
]);
export type RunEvent = z.infer<typeof runEventSchema>;
