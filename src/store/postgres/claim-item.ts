import { belowMaxShare, rankQueues, UNLISTED_QUEUE, type QueueLoad } from '../fair-share.js';
import type { ClaimRequest, ItemRecord, Lease } from '../work-queue.js';
import type { Tx } from './postgres-connection.js';

interface LoadRow {
  readonly name: string;
  readonly share: number | null;
  readonly maxShare: number | null;
  readonly usage: number;
  readonly leased: number;
  readonly slots: number;
  readonly fits: boolean;
}

interface Candidate {
  readonly id: string;
  readonly runId: string;
  readonly model: string;
  readonly group: string;
  readonly taskStatus: string;
  /** Items of the queue leased now, counted after its lock was taken. */
  readonly leased: number;
}

/** Candidates dropped because a concurrent claim filled their group, before trying the next queue. */
const MAX_CANDIDATES_PER_QUEUE = 8;

/**
 * The body of claimItem; the caller runs it in ONE short READ COMMITTED transaction
 * (PostgresConnection.write). SQLite serialises whole claims (BEGIN IMMEDIATE); PostgreSQL
 * lets claimers on other connections run at the same time, each statement seeing what was
 * committed when it started. What each step may see, and why the caps still hold exactly:
 *
 * 1. `queueLoads` (one statement, no locks): the queues with pending items, their usage,
 *    leased counts and the live slots; `rankQueues` orders them (lowest usage ÷ share first).
 *    Concurrent claims may rank from a few ms older data; a lease taken at `now` adds 0 ms of
 *    usage at `now`, so this shifts the fair-share choice by at most the claims in flight and
 *    never breaks a cap. A queue already at its maxShare here is skipped (the serial order in
 *    which this claim came first), and so is one with no due item that fits the worker.
 * 2. Per queue tried: `pg_advisory_xact_lock` on the queue, held to commit. A transaction's
 *    commit is visible before its locks are released, so the NEXT statement (`nextItem`) counts
 *    every lease made by an earlier holder: claims of one queue pass its maxShare check one at
 *    a time. (The count must not be in the statement that takes the lock: that statement's
 *    snapshot predates the lock.) If the queue is full or has nothing to claim, its savepoint
 *    is rolled back, which releases the queue lock: a claim holds one queue lock at a time.
 * 3. `nextItem` also returns the queue's best pending item, `FOR UPDATE SKIP LOCKED` in claim
 *    order (priority, age, id): never an item another transaction is cancelling or changing,
 *    and re-checked on its newest version if it changed since the statement began.
 * 4. If its task is still pending, the claim would start it: inside a savepoint, take
 *    `pg_advisory_xact_lock` on (run, group), then re-read the task, its run and its group's
 *    running tasks in a new statement, which sees every task start committed by an earlier
 *    holder: task starts of one group are serialised, so its step concurrency holds. If the
 *    group is full now (or the run ended), roll back to the savepoint (releasing the group
 *    lock) and look again: the next `nextItem` sees the group full.
 * 5. `leaseItem`: lease the item and start its task if pending (one statement); commit.
 *
 * Locks are taken in the order queue, item, group, task row, with at most one queue and one
 * group lock held at once, so claims cannot deadlock each other; writers that lock several
 * items do so in id order. Nothing waits on user work: the transaction is 6 to 10 statements.
 */
export async function claimNext(tx: Tx, req: ClaimRequest): Promise<Lease | undefined> {
  const rows = await tx.rows<LoadRow>('queueLoads', { now: req.now, liveSince: req.liveSince, cpus: req.cpus, memoryBytes: req.memoryBytes });
  if (rows.length === 0) return undefined;
  const slots = Math.max(1, rows[0]!.slots);
  const fits = new Set(rows.filter((r) => r.fits).map((r) => r.name));
  const loads = rows.map((r): QueueLoad => ({
    name: r.name,
    share: r.share ?? UNLISTED_QUEUE.share,
    maxShare: r.maxShare ?? UNLISTED_QUEUE.maxShare,
    usage: r.usage,
    leased: r.leased,
  }));
  const eligible = rankQueues(loads).filter((load) => fits.has(load.name) && belowMaxShare(load, slots));
  for (const [n, load] of eligible.entries()) {
    // The last queue needs no savepoint: no other queue lock will be taken after it.
    const lease = n === eligible.length - 1
      ? await claimFromQueue(tx, load, slots, req)
      : await tx.savepoint(() => claimFromQueue(tx, load, slots, req));
    if (lease !== undefined) return lease;
  }
  return undefined;
}

async function claimFromQueue(tx: Tx, load: QueueLoad, slots: number, req: ClaimRequest): Promise<Lease | undefined> {
  await tx.rows('lockQueue', { queue: load.name });
  for (let tries = 0; tries < MAX_CANDIDATES_PER_QUEUE; tries++) {
    const [next] = await tx.rows<Candidate>('nextItem', { queue: load.name, now: req.now, cpus: req.cpus, memoryBytes: req.memoryBytes });
    if (next === undefined || !belowMaxShare({ ...load, leased: next.leased }, slots)) return undefined;
    if (next.taskStatus === 'running' || (await tx.savepoint(() => mayStart(tx, next))) !== undefined) {
      const expiresAt = req.now + req.leaseMs;
      const [item] = await tx.rows<ItemRecord>('leaseItem', { id: next.id, runId: next.runId, model: next.model, workerId: req.workerId, now: req.now, expiresAt });
      return { item: item!, attempt: item!.attempt, expiresAt };
    }
    // Its group filled up meanwhile; the item stays locked by us until commit, which blocks no
    // claim (we hold its queue), and the next nextItem sees the group full.
  }
  return undefined;
}

/** Under the group's lock: true if the candidate's task may start now, else undefined. */
async function mayStart(tx: Tx, next: Candidate): Promise<true | undefined> {
  await tx.rows('lockGroup', { runId: next.runId, group: next.group });
  const [g] = await tx.rows<{ status: string; concurrency: number; runStatus: string; running: number }>('groupLoad', { runId: next.runId, model: next.model });
  const admissible = g !== undefined && g.runStatus === 'running' && (g.status === 'running' || (g.status === 'pending' && g.concurrency > g.running));
  return admissible ? true : undefined;
}
