import type { ClaimRequest, ItemRecord, Lease, QueueConfig } from '../work-queue.js';
import type { Statements } from './sqlite-connection.js';

/**
 * A queue that is not in the `queues` table (setQueues never named it) is served with this share
 * and maximum: a small guarantee (like the field report's 10% `default` queue) that may borrow
 * every idle slot.
 */
export const UNLISTED_QUEUE = { share: 10, maxShare: 100 } as const;

/** A queue's state at the moment of a claim. */
export interface QueueLoad {
  readonly name: string;
  readonly share: number;
  readonly maxShare: number;
  /** Busy ms of the items of running runs, leases in progress included. */
  readonly usage: number;
  /** Items of this queue leased now. */
  readonly leased: number;
}

/**
 * Fair-share order (YARN's capacity scheduler): lowest usage ÷ share first, ties by name. A
 * queue with share 0 has no guarantee and only borrows: it comes after every queue with a share.
 */
export function rankQueues(loads: readonly QueueLoad[]): QueueLoad[] {
  const ratio = (l: QueueLoad): number => (l.share > 0 ? l.usage / l.share : Number.POSITIVE_INFINITY);
  return [...loads].sort((a, b) => {
    const ra = ratio(a);
    const rb = ratio(b);
    if (ra !== rb) return ra < rb ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Below its maximum: leased ÷ slots < maxShare %, in integers (a queue may always take 1 of 1). */
export function belowMaxShare(load: QueueLoad, slots: number): boolean {
  return load.leased * 100 < load.maxShare * slots;
}

/**
 * The body of claimItem; the caller runs it inside one `BEGIN IMMEDIATE` transaction, so the
 * live slots, queue usage, leased counts and group loads it reads are the ones its lease is
 * written against: no other writer can interleave. Statements: ~6 reads (one `nextItem` per
 * queue tried), then 3 writes. Claim order and caps: see WorkQueue.claimItem.
 */
export function claimNext(q: Statements, req: ClaimRequest): Lease | undefined {
  const slots = Math.max(1, (q.liveSlots.get({ liveSince: req.liveSince }) as { n: number }).n);
  const config = new Map((q.listQueues.all() as QueueConfig[]).map((c) => [c.name, c]));
  const usage = new Map((q.queueUsage.all({ now: req.now }) as { queue: string; usage: number }[]).map((r) => [r.queue, r.usage]));
  const leased = new Map((q.leasedPerQueue.all() as { queue: string; n: number }[]).map((r) => [r.queue, r.n]));
  const loads = (q.pendingQueues.all() as { name: string }[]).map(({ name }): QueueLoad => ({
    name,
    share: config.get(name)?.share ?? UNLISTED_QUEUE.share,
    maxShare: config.get(name)?.maxShare ?? UNLISTED_QUEUE.maxShare,
    usage: usage.get(name) ?? 0,
    leased: leased.get(name) ?? 0,
  }));

  for (const load of rankQueues(loads)) {
    if (!belowMaxShare(load, slots)) continue;
    const next = q.nextItem.get({ queue: load.name, now: req.now, cpus: req.cpus, memoryBytes: req.memoryBytes }) as
      { id: string; runId: string; model: string } | undefined;
    if (next === undefined) continue;
    const expiresAt = req.now + req.leaseMs;
    q.leaseItem.run({ id: next.id, workerId: req.workerId, now: req.now, expiresAt });
    q.startTask.run({ runId: next.runId, model: next.model, startedAt: req.now });
    const item = q.getItem.get(next.id) as ItemRecord;
    return { item, attempt: item.attempt, expiresAt };
  }
  return undefined;
}
