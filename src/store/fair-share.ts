/**
 * The fair-share rules every store's claimItem applies (WorkQueue.claimItem): which queue a
 * free slot serves, and whether a queue is below its maximum. Pure, no I/O.
 */

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
