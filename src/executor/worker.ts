import { randomBytes } from 'node:crypto';
import { SluiceError, errorMessage, failureKindOf } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { FailOutcome, FailureKind, Lease } from '../store/work-queue.js';
import { Wakeup } from '../core/wakeup.js';
import { staleBefore } from '../core/staleness.js';
import type { InputStats } from '../engine/input-stats.js';
import { startAttemptMeter } from '../observability/attempt-meter.js';
import { CountingObjectStore } from '../observability/counting-object-store.js';
import type { AttemptOutcome } from '../store/metrics-store.js';
import { executeItem } from './execute-item.js';
import { parseItemSpec } from '../protocol/item-spec.js';
import type { WorkerEvent } from '../protocol/worker-event.js';
import type { ItemOutput } from '../protocol/item-output.js';

export interface WorkerOptions {
  readonly id: string;
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  readonly engine: Engine;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** How long to wait for work before asking again (a wake-up cuts it short). */
  readonly pollMs?: number;
  /** Expired leases are reaped by every worker, at most this often. */
  readonly reapEveryMs?: number;
  /** Aborted: stop claiming, interrupt the item in hand and hand it back (SIGTERM). */
  readonly stop: AbortSignal;
  /** Resolves when there may be new work (a hint from the coordinator), after `ms`, or on `stop`. */
  readonly waitForWork?: (ms: number, stop: AbortSignal) => Promise<void>;
  readonly onEvent?: (event: WorkerEvent) => void;
  readonly now?: () => number;
}

export interface WorkerStats {
  succeeded: number;
  failed: number;
  fenced: number;
  released: number;
}

/**
 * The worker loop: claim a work item that fits, run it while heartbeating its lease, report the
 * outcome, fenced by the attempt number. A lost lease (heartbeat refused, or a lease period
 * without an accepted heartbeat) interrupts the work and stops the upload between files; what
 * the attempt wrote is deleted and never published. On stop, the item in hand is interrupted and handed
 * back as an infrastructure failure, so another worker redoes it after a short backoff.
 */
export async function runWorker(opts: WorkerOptions): Promise<WorkerStats> {
  const now = opts.now ?? Date.now;
  const stats: WorkerStats = { succeeded: 0, failed: 0, fenced: 0, released: 0 };
  const pollMs = opts.pollMs ?? 200;
  // Reap about twice per lease period (a lost worker's items come back within ~1.5 leases).
  const reapEveryMs = opts.reapEveryMs ?? Math.min(10_000, Math.max(250, opts.leaseMs / 2));
  const idle = new Wakeup();
  const sleep = opts.waitForWork ?? ((ms: number, stop: AbortSignal) => idle.wait(ms, stop));
  let lastReap = 0;
  let storeErrors = 0;
  while (!opts.stop.aborted) {
    let lease: Lease | undefined;
    try {
      if (now() - lastReap >= reapEveryMs) {
        lastReap = now();
        await opts.store.reapExpired(lastReap);
      }
      const t = now();
      lease = await opts.store.claimItem({
        workerId: opts.id,
        cpus: opts.cpus,
        memoryBytes: opts.memoryBytes,
        now: t,
        leaseMs: opts.leaseMs,
        liveSince: staleBefore(t, opts.heartbeatMs),
      });
      storeErrors = 0;
    } catch (err) {
      // The metadata store is unreachable (a network blip, a database restart): we hold no lease,
      // so nothing is at stake; report it and try again with backoff.
      storeErrors++;
      const waitMs = Math.min(pollMs * 2 ** Math.min(storeErrors, 6), 10_000);
      opts.onEvent?.({ kind: 'store_error', error: errorMessage(err), retryInMs: waitMs });
      await sleep(waitMs, opts.stop);
      continue;
    }
    if (!lease) {
      await sleep(pollMs, opts.stop);
      continue;
    }
    await runLease(opts, lease, stats, now);
  }
  return stats;
}

async function runLease(opts: WorkerOptions, lease: Lease, stats: WorkerStats, now: () => number): Promise<void> {
  const { item, attempt } = lease;
  const claimedAt = item.leasedAt ?? now();
  const meter = startAttemptMeter();
  const objects = new CountingObjectStore(opts.objects);
  let inputs: InputStats | undefined;
  let output: ItemOutput | undefined;
  let measured: { outcome: AttemptOutcome; recorded: boolean } | undefined;
  let completing = false;
  /**
   * Record the attempt's metrics BEFORE reporting its outcome, so that when the coordinator
   * sees an item end, its metrics are in the store (ADR 0009). A fenced report re-records the
   * attempt as fenced (same attempt: the row is replaced). Metrics never fail an item.
   */
  const record = async (outcome: AttemptOutcome, error: string | null): Promise<void> => {
    const usage = meter.stop();
    const published = outcome === 'succeeded' && output !== undefined;
    let recorded = true;
    await opts.store
      .recordAttempt({
        itemId: item.id,
        attempt,
        workerId: opts.id,
        outcome,
        startedAt: claimedAt,
        endedAt: claimedAt + usage.wallMs,
        queueWaitMs: Math.max(0, claimedAt - Math.max(item.createdAt, item.notBefore)),
        wallMs: usage.wallMs,
        cpuMs: usage.cpuMs,
        peakRssBytes: usage.peakRssBytes,
        cpus: item.cpus,
        memoryBytes: item.memoryBytes,
        rowsIn: inputs?.rows ?? null,
        bytesIn: inputs?.bytes ?? 0,
        filesIn: inputs?.files ?? 0,
        partitionsIn: inputs?.partitions ?? 0,
        rowsOut: published ? output!.rows : 0,
        bytesOut: published ? output!.bytes : 0,
        filesOut: published ? output!.files.length : 0,
        writeRequests: objects.counts.writes,
        readRequests: objects.counts.reads,
        error,
      })
      .catch(() => {
        recorded = false;
      });
    measured = { outcome, recorded };
  };
  opts.onEvent?.({ kind: 'item_started', itemId: item.id, attempt });
  const work = new AbortController();
  let leaseLost = false;
  const onStop = () => work.abort();
  opts.stop.addEventListener('abort', onStop);
  const loseLease = () => {
    leaseLost = true;
    work.abort();
  };
  // The lease surely ended once a lease period passed since the last heartbeat the store accepted
  // (a process paused by SIGSTOP, a stalled event loop): stop at once, without asking the store.
  let leaseUntil = now() + opts.leaseMs;
  const beat = setInterval(() => {
    const sentAt = now();
    if (sentAt > leaseUntil && !leaseLost) loseLease();
    void opts.store.heartbeat(item.id, attempt, sentAt, opts.leaseMs).then(
      (ok) => {
        if (ok) leaseUntil = Math.max(leaseUntil, sentAt + opts.leaseMs);
        else if (!leaseLost) loseLease();
      },
      // The store is unreachable: we can no longer prove we hold the lease, so stop.
      loseLease,
    );
  }, opts.heartbeatMs);
  let finished: Extract<WorkerEvent, { kind: 'item_finished' }> | undefined;
  const finish = (outcome: Extract<WorkerEvent, { kind: 'item_finished' }>['outcome'], error?: string) => {
    finished = { kind: 'item_finished', itemId: item.id, attempt, outcome, ...(error !== undefined && { error }) };
  };
  try {
    const spec = parseItemSpec(item.spec, item.id);
    const tag = `i${item.itemNo}a${attempt}${randomBytes(2).toString('hex')}`;
    output = await executeItem(objects, opts.engine, spec, tag, work.signal, opts.id, (s) => (inputs = s));
    if (work.signal.aborted) throw new SluiceError('EXEC_INTERRUPTED', 'interrupted');
    await record('succeeded', null);
    completing = true;
    const ok = await opts.store.completeItem(item.id, attempt, {
      now: now(),
      rowsOut: output.rows,
      bytesOut: output.bytes,
      output: JSON.stringify(output),
    });
    if (ok) {
      stats.succeeded++;
      finish('succeeded');
    } else {
      // Fenced: someone else owns the item now. Our files were never published; remove them.
      await record('fenced', 'fenced: the lease was no longer ours');
      await opts.objects.delete(output.files.map((f) => f.key));
      stats.fenced++;
      finish('fenced');
    }
  } catch (err) {
    // Uploaded but never completed (the lease was lost or the worker stopped after the upload):
    // nothing will publish these files; delete them. Not after a completion whose answer was
    // lost (`completing`): it may have been accepted, and the files published.
    if (output && !completing) await opts.objects.delete(output.files.map((f) => f.key)).catch(() => undefined);
    const stopping = opts.stop.aborted;
    const kind: FailureKind = stopping || leaseLost ? 'infra' : failureKindOf(err);
    const message = stopping ? 'worker stopped (SIGTERM); handed back' : leaseLost ? 'lease lost' : errorMessage(err);
    await record(stopping ? 'released' : 'failed', message);
    let outcome: FailOutcome;
    try {
      outcome = await opts.store.failItem(item.id, attempt, kind, message, now());
    } catch (storeErr) {
      // Cannot report: the lease expires and the item is redone elsewhere. Nothing was published.
      stats.failed++;
      finish('released', `${message}; could not report it (${errorMessage(storeErr)}): the lease will expire`);
      return;
    }
    if (outcome === 'fenced') {
      await record('fenced', message);
      stats.fenced++;
    } else if (stopping) stats.released++;
    else stats.failed++;
    finish(outcome === 'fenced' ? 'fenced' : stopping ? 'released' : outcome, message);
  } finally {
    clearInterval(beat);
    opts.stop.removeEventListener('abort', onStop);
    if (measured) {
      const usage = meter.stop();
      opts.onEvent?.({
        kind: 'item_measured',
        itemId: item.id,
        attempt,
        outcome: measured.outcome,
        wallMs: usage.wallMs,
        cpuMs: usage.cpuMs,
        rowsOut: measured.outcome === 'succeeded' ? (output?.rows ?? 0) : 0,
        bytesOut: measured.outcome === 'succeeded' ? (output?.bytes ?? 0) : 0,
        recorded: measured.recorded,
      });
    }
    if (finished) opts.onEvent?.(finished);
  }
}
