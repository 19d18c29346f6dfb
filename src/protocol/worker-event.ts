import { z } from 'zod';

/** How an attempt ended, as its metrics record it (the metadata store's AttemptOutcome). */
export const ATTEMPT_OUTCOMES = ['succeeded', 'failed', 'fenced', 'released'] as const;

/** What a worker reports about the items it runs (worker processes send it to the coordinator). */
export const workerEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('item_started'), itemId: z.string(), attempt: z.number() }).readonly(),
  z
    .object({
      kind: z.literal('item_finished'),
      itemId: z.string(),
      attempt: z.number(),
      outcome: z.enum(['succeeded', 'retry', 'dead', 'fenced', 'released']),
      error: z.string().optional(),
    })
    .readonly(),
  z.object({ kind: z.literal('store_error'), error: z.string(), retryInMs: z.number() }).readonly(),
  /** The attempt's resource use was measured (and recorded in the metadata store unless `recorded` is false). */
  z
    .object({
      kind: z.literal('item_measured'),
      itemId: z.string(),
      attempt: z.number(),
      outcome: z.enum(ATTEMPT_OUTCOMES),
      wallMs: z.number(),
      cpuMs: z.number(),
      rowsOut: z.number(),
      bytesOut: z.number(),
      recorded: z.boolean(),
    })
    .readonly(),
]);
export type WorkerEvent = z.infer<typeof workerEventSchema>;
