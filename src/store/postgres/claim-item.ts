import type { ClaimRequest, ItemRecord, Lease } from '../work-queue.js';
import type { Tx } from './postgres-connection.js';

/**
 * claimItem on PostgreSQL: ONE statement, `SELECT … FROM sluice_claim_item(…)`, the PL/pgSQL
 * function of migration 6, run on its own (autocommit: one round trip, no BEGIN/COMMIT). The
 * statement is its own READ COMMITTED transaction (the function refuses any other isolation;
 * the connection pins it), so every lock the function takes is held only while it runs on the
 * server and until that transaction's commit.
 *
 * SQLite serialises whole claims (BEGIN IMMEDIATE); PostgreSQL lets claimers on other
 * connections run at the same time. Inside a VOLATILE PL/pgSQL function under READ COMMITTED
 * each SQL statement takes a new snapshot, so the function does, server-side, what the
 * statement-by-statement claim of ADR 0007 did from the client, with the same lock keys:
 *
 * 1. One statement, no locks: the live slots (`max(1, active workers heard from since
 *    liveSince)`), then the queues with pending items, their usage, leased counts and whether
 *    one has a due item that fits the worker, ranked and filtered (below). Concurrent claims
 *    may rank from a few ms older data; a lease taken at `now` adds 0 ms of usage at `now`, so
 *    this shifts the fair-share choice by at most the claims in flight and never breaks a cap.
 * 2. Per queue tried (`sluice_claim_from_queue`): `pg_advisory_xact_lock` on the queue. A
 *    transaction's commit is visible before its locks are released, so the NEXT statement
 *    counts every lease made by an earlier holder: claims of one queue pass its maxShare check
 *    one at a time. That statement also picks the queue's best pending item, `FOR UPDATE SKIP
 *    LOCKED`, in claim order (priority DESC, created_at, id).
 * 3. If its task is still pending, inside a subtransaction: `pg_advisory_xact_lock` on (run,
 *    group), then re-read the task, its run and its group's running tasks in a new statement.
 *    If the group is full now, the subtransaction is rolled back (releasing the group lock) and
 *    the next candidate is tried (at most 8).
 * 4. Start the task if pending and lease the item; return the item row.
 * A queue that yields nothing is tried inside a subtransaction whose rollback releases its lock
 * (except the last one tried: nothing is locked after it), so a claim holds at most one queue and
 * one group lock, taken in the order queue, item, group, task row: no deadlock between claims.
 *
 * How the SQL ranking matches ../fair-share.ts (the definition the SQLite store runs):
 * - `UNLISTED_QUEUE`: `COALESCE(c.share, 10)`, `COALESCE(c.max_share, 100)` for a queue with no
 *   `queues` row.
 * - `rankQueues`: ratio = usage ÷ share when share > 0, else +∞ → `CASE WHEN share > 0 THEN
 *   usage / share END` with `ORDER BY ratio ASC NULLS LAST, name`. usage is the same sum
 *   converted to float8 (the nearest double, as JavaScript's Number() of it) and divided by the
 *   float8 share: the same IEEE division, so equal ratios tie exactly as in JavaScript, and
 *   queues with share 0 (all NULL) come last, by name. Names are `COLLATE "C"`: code point order,
 *   which is JavaScript's `<` for every name without characters beyond U+FFFF.
 * - `belowMaxShare`: `leased * 100 < maxShare * slots` → `(leased * 100)::float8 < max_share *
 *   slots::float8`, both sides doubles as in JavaScript (integers far below 2^53).
 * - claim-item's use of them: rank every queue with pending items, keep those below their
 *   maxShare (and, as before, with an item that fits), try them in order; after the queue lock,
 *   `belowMaxShare` again with the leased count read under the lock.
 */
export async function claimNext(tx: Tx, req: ClaimRequest): Promise<Lease | undefined> {
  const expiresAt = req.now + req.leaseMs;
  const [item] = await tx.rows<ItemRecord>('claimItem', {
    workerId: req.workerId,
    cpus: req.cpus,
    memoryBytes: req.memoryBytes,
    now: req.now,
    expiresAt,
    liveSince: req.liveSince,
  });
  return item === undefined ? undefined : { item, attempt: item.attempt, expiresAt };
}
