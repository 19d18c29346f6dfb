import { belowMaxShare, rankQueues, UNLISTED_QUEUE, type QueueLoad } from '../fair-share.js';
import type { ClaimRequest, ItemRecord, Lease, QueueConfig } from '../work-queue.js';
import type { Statements } from './sqlite-connection.js';

/**
 * The body of claimItem; the caller runs it inside one `BEGIN IMMEDIATE` transaction, so the
 * live slots, queue usage, leased counts and group loads it reads are the ones its lease is
 * written against: no other writer can interleave. Statements: ~6 reads (one `nextItem` per
 * queue tried), then 3 writes. Claim order and caps: see WorkQueue.claimItem.
 */
export function claimNext(q: Statements, req: ClaimRequest): Lease | undefined {
  const slots = Math.max(1, (q.liveSlots.get({ liveSince: req.liveSince }) as { n: number }).n);
  const config = new Map((q.listQueues.all() as QueueConfig[]).map((c) => [c.name, c]));
  const usage = new Map(
    (q.queueUsage.all({ now: req.now }) as { queue: string; usage: number }[]).map((r) => [r.queue, r.usage]),
  );
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
