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
}

/** Candidates dropped because a concurrent claim filled their group, before trying the next queue. */
const MAX_CANDIDATES_PER_QUEUE = 8;
const NONE = Symbol('none');
const FULL = Symbol('full');

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
 * 2. Per queue tried, inside a savepoint: `pg_advisory_xact_lock` on the queue, then count its
 *    leased items in a NEW statement. The lock is held to commit, and a transaction's commit
 *    is visible before its locks are released, so this count includes every lease made by an
 *    earlier holder: claims of one queue pass its maxShare check one at a time (the count must
 *    not be in the same statement as the lock: that statement's snapshot predates the lock).
 *    If the queue is full, or has nothing to claim, the savepoint is rolled back, which
 *    releases the queue lock: a claim holds at most one queue lock at a time.
 * 3. `nextItem`: the best pending item of the queue, `FOR UPDATE SKIP LOCKED` in claim order
 *    (priority, age, id): never an item another transaction is claiming or cancelling, and
 *    re-checked on its newest version if it changed since the statement began.
 * 4. If its task is still pending, the claim would start it: inside a savepoint, take
 *    `pg_advisory_xact_lock` on (run, group), then re-read the task, its run and its group's
 *    running tasks in a new statement, which sees every task start committed by an earlier
 *    holder. Task starts of one group are thus serialised and its step concurrency holds. If
 *    the group is full now (or the run ended), roll back to the savepoint (freeing the item and
 *    the group lock) and look again: the new `nextItem` statement sees the group full.
 * 5. Lease the item and start its task (conditional UPDATEs), commit.
 *
 * Lock order is always queue, item, group, task row, and at most one queue and one group lock
 * are held at once, so claims cannot deadlock each other; writers that lock several items do
 * so in id order. Nothing waits on user work: the transaction is a few statements long.
 */
export async function claimNext(tx: Tx, req: ClaimRequest): Promise<Lease | undefined> {
  const rows = await tx.rows<LoadRow>('queueLoads', { now: req.now, liveSince: req.liveSince, cpus: req.cpus, memoryBytes: req.memoryBytes });
  if (rows.length === 0) return undefined;
  const slots = Math.max(1, rows[0]!.slots);
  const loads = rows.map((r): QueueLoad => ({
    name: r.name,
    share: r.share ?? UNLISTED_QUEUE.share,
    maxShare: r.maxShare ?? UNLISTED_QUEUE.maxShare,
    usage: r.usage,
    leased: r.leased,
  }));
  const fits = new Set(rows.filter((r) => r.fits).map((r) => r.name));
  for (const load of rankQueues(loads)) {
    if (!fits.has(load.name) || !belowMaxShare(load, slots)) continue;
    const lease = await tx.savepoint(() => claimFromQueue(tx, load, slots, req));
    if (lease !== undefined) return lease;
  }
  return undefined;
}

async function claimFromQueue(tx: Tx, load: QueueLoad, slots: number, req: ClaimRequest): Promise<Lease | undefined> {
  await tx.rows('lockQueue', { queue: load.name });
  const [{ n: leased } = { n: 0 }] = await tx.rows<{ n: number }>('leasedInQueue', { queue: load.name });
  if (!belowMaxShare({ ...load, leased }, slots)) return undefined;
  for (let tries = 0; tries < MAX_CANDIDATES_PER_QUEUE; tries++) {
    const outcome = await tx.savepoint(() => claimCandidate(tx, load.name, req));
    if (outcome === undefined) continue; // its group filled up meanwhile: look again
    if (outcome === NONE) return undefined;
    return outcome;
  }
  return undefined;
}

/** Lease the queue's best item; NONE if there is none, undefined (rolled back) if its group is full. */
async function claimCandidate(tx: Tx, queue: string, req: ClaimRequest): Promise<Lease | typeof NONE | undefined> {
  const [next] = await tx.rows<Candidate>('nextItem', { queue, now: req.now, cpus: req.cpus, memoryBytes: req.memoryBytes });
  if (next === undefined) return NONE;
  if (next.taskStatus !== 'running' && (await groupIsFull(tx, next)) === FULL) return undefined;
  const expiresAt = req.now + req.leaseMs;
  const [item] = await tx.rows<ItemRecord>('leaseItem', { id: next.id, workerId: req.workerId, now: req.now, expiresAt });
  await tx.count('startTask', { runId: next.runId, model: next.model, startedAt: req.now });
  return { item: item!, attempt: item!.attempt, expiresAt };
}

async function groupIsFull(tx: Tx, next: Candidate): Promise<typeof FULL | undefined> {
  await tx.rows('lockGroup', { runId: next.runId, group: next.group });
  const [g] = await tx.rows<{ status: string; concurrency: number; runStatus: string; running: number }>('groupLoad', { runId: next.runId, model: next.model });
  const admissible = g !== undefined && g.runStatus === 'running' && (g.status === 'running' || (g.status === 'pending' && g.concurrency > g.running));
  return admissible ? undefined : FULL;
}
