import { SluiceError } from '../core/errors.js';
import type { ClaimRequest, NewItem, QueueConfig, RetryPolicy, WorkerInfo } from './work-queue.js';

/**
 * Checks on what callers hand the work queue, before any SQL runs. Every failure is
 * STORE_CONFLICT naming the run, model, item, queue or worker and the field.
 */

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isAmount = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0;

function fail(where: string, message: string): never {
  throw new SluiceError('STORE_CONFLICT', `${where}: ${message}`);
}

export function checkRetryPolicy(where: string, retry: RetryPolicy): void {
  for (const key of ['maxCodeAttempts', 'maxInfraAttempts'] as const) {
    if (!isCount(retry[key]) || retry[key] < 1)
      fail(where, `retry.${key} must be an integer >= 1, got ${String(retry[key])}`);
  }
  for (const key of ['backoffMs', 'maxBackoffMs'] as const) {
    if (!isCount(retry[key]))
      fail(where, `retry.${key} must be a non-negative integer (ms), got ${String(retry[key])}`);
  }
}

export function checkItems(where: string, items: readonly NewItem[]): void {
  const seen = new Set<number>();
  for (const item of items) {
    const at = `${where} item ${String(item.itemNo)}`;
    if (!isCount(item.itemNo)) fail(at, 'itemNo must be a non-negative integer');
    if (seen.has(item.itemNo)) fail(at, 'itemNo is listed twice');
    seen.add(item.itemNo);
    if (typeof item.queue !== 'string' || item.queue === '') fail(at, 'queue must be a non-empty string');
    if (typeof item.priority !== 'number' || !Number.isFinite(item.priority))
      fail(at, `priority must be a finite number, got ${String(item.priority)}`);
    if (!isAmount(item.cpus)) fail(at, `cpus must be a non-negative number, got ${String(item.cpus)}`);
    if (!isCount(item.memoryBytes))
      fail(at, `memoryBytes must be a non-negative integer, got ${String(item.memoryBytes)}`);
    if (typeof item.spec !== 'string') fail(at, 'spec must be a string (JSON)');
  }
}

/** Each queue: 0 <= share <= maxShare <= 100; names unique; shares sum to at most 100. */
export function checkQueues(queues: readonly QueueConfig[]): void {
  const seen = new Set<string>();
  let total = 0;
  for (const queue of queues) {
    const at = `setQueues: queue ${String(queue.name)}`;
    if (typeof queue.name !== 'string' || queue.name === '') fail('setQueues', 'every queue needs a non-empty name');
    if (seen.has(queue.name)) fail(at, 'is listed twice');
    seen.add(queue.name);
    if (!isAmount(queue.share) || queue.share > 100)
      fail(at, `share must be a percentage (0..100), got ${String(queue.share)}`);
    if (!isAmount(queue.maxShare) || queue.maxShare > 100 || queue.maxShare < queue.share) {
      fail(at, `maxShare must be between share (${queue.share}) and 100, got ${String(queue.maxShare)}`);
    }
    total += queue.share;
  }
  if (total > 100 + 1e-9) fail('setQueues', `the shares sum to ${total}%, more than 100%`);
}

export function checkClaim(req: ClaimRequest): void {
  const at = `claimItem (worker ${String(req.workerId)})`;
  if (typeof req.workerId !== 'string' || req.workerId === '') fail('claimItem', 'workerId must be a non-empty string');
  if (!isAmount(req.cpus)) fail(at, `cpus must be a non-negative number, got ${String(req.cpus)}`);
  if (!isAmount(req.memoryBytes)) fail(at, `memoryBytes must be a non-negative number, got ${String(req.memoryBytes)}`);
  if (!isCount(req.leaseMs) || req.leaseMs < 1)
    fail(at, `leaseMs must be a positive integer, got ${String(req.leaseMs)}`);
  if (!Number.isFinite(req.now) || !Number.isFinite(req.liveSince))
    fail(at, 'now and liveSince must be epoch milliseconds');
}

export function checkLeaseMs(where: string, leaseMs: number): void {
  if (!isCount(leaseMs) || leaseMs < 1) fail(where, `leaseMs must be a positive integer, got ${String(leaseMs)}`);
}

export function checkWorker(worker: WorkerInfo): void {
  const at = `registerWorker ${String(worker.id)}`;
  if (typeof worker.id !== 'string' || worker.id === '') fail('registerWorker', 'id must be a non-empty string');
  if (typeof worker.host !== 'string') fail(at, 'host must be a string');
  if (!isCount(worker.pid)) fail(at, `pid must be a non-negative integer, got ${String(worker.pid)}`);
  if (!isAmount(worker.cpus)) fail(at, `cpus must be a non-negative number, got ${String(worker.cpus)}`);
  if (!isCount(worker.memoryBytes))
    fail(at, `memoryBytes must be a non-negative integer, got ${String(worker.memoryBytes)}`);
  if (!Number.isFinite(worker.startedAt)) fail(at, 'startedAt must be epoch milliseconds');
}

/** Backoff before the retry after the n-th failure of a kind (1-based). */
export function backoffFor(retry: Pick<RetryPolicy, 'backoffMs' | 'maxBackoffMs'>, n: number): number {
  return Math.min(retry.backoffMs * 2 ** (n - 1), retry.maxBackoffMs);
}
