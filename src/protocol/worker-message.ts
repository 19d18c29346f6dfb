import { z } from 'zod';
import type { ProjectConfig } from '../core/types.js';
import { parseMessage } from './parse-message.js';
import { workerEventSchema } from './worker-event.js';

/**
 * The messages between `sluice run` and the worker processes it forks (IPC channel). The parent
 * starts a worker with one argument, `{ id }`; the worker says `ready` once its code is loaded,
 * and waits for `start` (the project's validated settings, and how many workers share this
 * machine's memory). The parent sends `wake` when it queues work; the worker reports each item
 * event as `item`.
 */
export const workerArgsSchema = z.object({ id: z.string().min(1) }).readonly();
export type WorkerArgs = z.infer<typeof workerArgsSchema>;

/**
 * `config` was validated by the coordinator from the same sluice.yaml, with the same code: the
 * worker checks only that it is an object (validating it again would load the config schema,
 * which the worker processes avoid to start fast).
 */
const settingsSchema = z
  .object({
    root: z.string(),
    config: z.custom<ProjectConfig>((v) => typeof v === 'object' && v !== null, 'not an object'),
  })
  .readonly();

export const toWorkerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), settings: settingsSchema, shareOf: z.number().int().positive() }).readonly(),
  z.object({ type: z.literal('wake') }).readonly(),
]);
export type ToWorkerMessage = z.infer<typeof toWorkerMessageSchema>;

export const fromWorkerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).readonly(),
  z.object({ type: z.literal('item'), event: workerEventSchema }).readonly(),
]);
export type FromWorkerMessage = z.infer<typeof fromWorkerMessageSchema>;

export function parseToWorkerMessage(message: unknown, workerId: string): ToWorkerMessage {
  return parseMessage(toWorkerMessageSchema, message, `message to worker ${workerId}`);
}

export function parseFromWorkerMessage(message: unknown, workerId: string): FromWorkerMessage {
  return parseMessage(fromWorkerMessageSchema, message, `message from worker ${workerId}`);
}
