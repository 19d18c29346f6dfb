import { SluiceError } from '../../core/errors.js';
import type {
  ClaimRequest,
  CompleteItem,
  FailOutcome,
  QueueDepth,
  FailureKind,
  ItemRecord,
  Lease,
  TaskProgress,
  NewItem,
  QueueConfig,
  RetryPolicy,
  WorkerInfo,
  WorkerRecord,
  WorkerState,
  WorkQueue,
} from '../work-queue.js';
import { claimNext } from './claim-item.js';
import type { SqliteConnection, Statements } from './sqlite-connection.js';
import {
  backoffFor,
  checkClaim,
  checkItems,
  checkLeaseMs,
  checkQueues,
  checkRetryPolicy,
  checkWorker,
} from '../work-queue-input.js';

interface ItemBudget extends RetryPolicy {
  readonly state: string;
  readonly attempt: number;
  readonly codeFailures: number;
  readonly infraFailures: number;
}

/**
 * The work-item queue on SQLite (WorkQueue in ../work-queue.ts). Every method is one
 * `BEGIN IMMEDIATE` transaction; fenced writes are UPDATEs conditional on (attempt, leased).
 *
 * Decisions the interface leaves open:
 * - Leaving `leased` (complete, fail, reap, release, cancel) clears `leaseExpiresAt` but keeps
 *   `workerId` and `leasedAt` of the latest attempt, for the UI and post-mortems.
 * - A lease that expired but was not reaped yet is still the current attempt: its heartbeat,
 *   complete and fail are accepted (fencing is by attempt, and nobody else can hold it).
 * - A reaped attempt's busy time ends at its lease expiry (the slot was held until then), not
 *   at the reaper's `now`; released and cancelled attempts end at `now`.
 * - `error` is the latest failure's message; it stays after a retry succeeds (flaky items show).
 * - A `stopped` worker's leases are not released (a clean exit has none; if it had, they
 *   expire); `lost` releases them as infra failures with error `worker <id> lost`.
 * - `listWorkers()` omits both ended states (stopped and lost) unless `includeStopped`.
 * - Unknown item ids and run ids are STORE_NOT_FOUND; `releaseWorker` of an unknown worker
 *   releases nothing (claims do not require registration).
 * - `redriveDead` changes items only: a run or task that was already finished must be
 *   reopened by its coordinator before the items are claimable again.
 */
export class SqliteWorkQueue implements WorkQueue {
  protected readonly conn: SqliteConnection;

  constructor(conn: SqliteConnection) {
    this.conn = conn;
  }

  async setQueues(queues: readonly QueueConfig[]): Promise<void> {
    checkQueues(queues);
    this.conn.write((q) => {
      q.deleteQueues.run();
      for (const queue of queues) q.insertQueue.run({ name: queue.name, share: queue.share, maxShare: queue.maxShare });
    });
  }

  /** The configured queues, by name (unlisted queues get UNLISTED_QUEUE's share and are not listed). */
  async listQueues(): Promise<QueueConfig[]> {
    return this.conn.read((q) => q.listQueues.all() as QueueConfig[]);
  }

  async queueDepths(): Promise<QueueDepth[]> {
    return this.conn.read((q) => q.queueDepths.all() as QueueDepth[]);
  }

  async enqueueItems(
    runId: string,
    model: string,
    items: readonly NewItem[],
    retry: RetryPolicy,
    now: number,
  ): Promise<void> {
    const where = `enqueueItems: task ${model} of run ${runId}`;
    checkRetryPolicy(where, retry);
    checkItems(where, items);
    this.conn.write((q) => {
      const task = q.taskGroup.get(runId, model) as { status: string; group: string } | undefined;
      if (task === undefined) this.conn.taskStatus(runId, model); // throws STORE_NOT_FOUND
      if (task!.status !== 'pending' && task!.status !== 'running')
        throw new SluiceError(
          'STORE_CONFLICT',
          `${where} is ${task!.status}; items can only be added to a pending or running task`,
        );
      for (const item of items) {
        // Zero-padded so that id order (the last claim tie-break) is item order.
        const id = `${runId}/${model}/${String(item.itemNo).padStart(6, '0')}`;
        if (q.getItem.get(id) !== undefined)
          throw new SluiceError('STORE_CONFLICT', `${where}: item ${id} already exists`);
        q.insertItem.run({
          id,
          runId,
          model,
          itemNo: item.itemNo,
          group: task!.group,
          queue: item.queue,
          priority: item.priority,
          cpus: item.cpus,
          memoryBytes: item.memoryBytes,
          spec: item.spec,
          now,
          maxCodeAttempts: retry.maxCodeAttempts,
          maxInfraAttempts: retry.maxInfraAttempts,
          backoffMs: retry.backoffMs,
          maxBackoffMs: retry.maxBackoffMs,
        });
      }
    });
  }

  async claimItem(req: ClaimRequest): Promise<Lease | undefined> {
    checkClaim(req);
    return this.conn.write((q) => claimNext(q, req));
  }

  async heartbeat(itemId: string, attempt: number, now: number, leaseMs: number): Promise<boolean> {
    checkLeaseMs(`heartbeat of item ${itemId}`, leaseMs);
    return this.conn.write((q) =>
      this.fenced(q, itemId, q.heartbeatItem.run({ id: itemId, attempt, expiresAt: now + leaseMs }).changes),
    );
  }

  async completeItem(itemId: string, attempt: number, result: CompleteItem): Promise<boolean> {
    return this.conn.write((q) =>
      this.fenced(
        q,
        itemId,
        q.completeItem.run({
          id: itemId,
          attempt,
          now: result.now,
          rowsOut: result.rowsOut,
          bytesOut: result.bytesOut,
          output: result.output,
        }).changes,
      ),
    );
  }

  async failItem(itemId: string, attempt: number, kind: FailureKind, error: string, now: number): Promise<FailOutcome> {
    if (kind !== 'code' && kind !== 'infra')
      throw new SluiceError('STORE_CONFLICT', `failItem ${itemId}: kind must be code or infra, got ${String(kind)}`);
    return this.conn.write((q): FailOutcome => {
      const row = q.itemBudget.get(itemId) as ItemBudget | undefined;
      if (row === undefined) throw this.itemNotFound(itemId);
      if (row.state !== 'leased' || row.attempt !== attempt) {
        q.countLateWrite.run(itemId);
        return 'fenced';
      }
      const code = kind === 'code';
      const failures = (code ? row.codeFailures : row.infraFailures) + 1;
      const dead = failures >= (code ? row.maxCodeAttempts : row.maxInfraAttempts);
      q.failItem.run({
        id: itemId,
        attempt,
        now,
        error,
        state: dead ? 'dead' : 'pending',
        codeFailures: code ? failures : row.codeFailures,
        infraFailures: code ? row.infraFailures : failures,
        notBefore: dead ? null : now + backoffFor(row, failures),
        endedAt: dead ? now : null,
      });
      return dead ? 'dead' : 'retry';
    });
  }

  async reapExpired(now: number): Promise<number> {
    return this.conn.write((q) => q.reapExpired.run({ now }).changes);
  }

  async releaseWorker(workerId: string, now: number, reason: string): Promise<number> {
    return this.conn.write((q) => q.releaseWorkerLeases.run({ workerId, now, error: reason }).changes);
  }

  async cancelRun(runId: string, now: number): Promise<number> {
    return this.conn.write((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return q.cancelRunItems.run({ runId, now }).changes;
    });
  }

  async redriveDead(runId: string, now: number): Promise<number> {
    return this.conn.write((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return q.redriveDead.run({ runId, now }).changes;
    });
  }

  async reopenRun(runId: string, now: number): Promise<{ items: number; tasks: number }> {
    return this.conn.write((q) => {
      const run = q.getRun.get(runId) as { status: string } | undefined;
      if (run === undefined) throw this.conn.runNotFound(runId);
      if (q.reopenRunRow.run({ runId }).changes === 0)
        throw new SluiceError('STORE_CONFLICT', `run ${runId} is still running; only a finished run can be reopened`);
      const items = q.reviveItems.run({ runId, now }).changes;
      const tasks = q.reopenTasksWithItems.run({ runId }).changes + q.reopenTasksWithoutItems.run({ runId }).changes;
      return { items, tasks };
    });
  }

  async taskProgress(runId: string): Promise<TaskProgress[]> {
    return this.conn.read((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return q.taskProgress.all(runId) as TaskProgress[];
    });
  }

  async listItems(runId: string, model?: string): Promise<ItemRecord[]> {
    return this.conn.read((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      if (model === undefined) return q.listItems.all(runId) as ItemRecord[];
      this.conn.taskStatus(runId, model); // STORE_NOT_FOUND for an unknown task
      return q.listTaskItems.all(runId, model) as ItemRecord[];
    });
  }

  async registerWorker(worker: WorkerInfo): Promise<void> {
    checkWorker(worker);
    this.conn.write((q) => {
      if (q.workerState.get(worker.id) !== undefined)
        throw new SluiceError('STORE_CONFLICT', `worker ${worker.id} is already registered in ${this.conn.file}`);
      q.insertWorker.run({
        id: worker.id,
        host: worker.host,
        pid: worker.pid,
        cpus: worker.cpus,
        memoryBytes: worker.memoryBytes,
        startedAt: worker.startedAt,
      });
    });
  }

  async workerHeartbeat(
    workerId: string,
    now: number,
    state?: Extract<WorkerState, 'active' | 'draining'>,
  ): Promise<WorkerState> {
    if (state !== undefined && state !== 'active' && state !== 'draining') {
      throw new SluiceError(
        'STORE_CONFLICT',
        `workerHeartbeat ${workerId}: state must be active or draining, got ${String(state)}`,
      );
    }
    return this.conn.write((q) => {
      if (q.workerHeartbeat.run({ id: workerId, now, state: state ?? null }).changes === 0)
        throw this.workerNotFound(workerId);
      return (q.workerState.get(workerId) as { state: WorkerState }).state;
    });
  }

  async stopWorker(workerId: string, now: number, state: Extract<WorkerState, 'stopped' | 'lost'>): Promise<void> {
    if (state !== 'stopped' && state !== 'lost')
      throw new SluiceError(
        'STORE_CONFLICT',
        `stopWorker ${workerId}: state must be stopped or lost, got ${String(state)}`,
      );
    this.conn.write((q) => {
      if (q.workerState.get(workerId) === undefined) throw this.workerNotFound(workerId);
      q.stopWorker.run({ id: workerId, now, state });
      if (state === 'lost') q.releaseWorkerLeases.run({ workerId, now, error: `worker ${workerId} lost` });
    });
  }

  async listWorkers(options: { includeStopped?: boolean } = {}): Promise<WorkerRecord[]> {
    return this.conn.read(
      (q) => q.listWorkers.all({ includeStopped: options.includeStopped === true ? 1 : 0 }) as WorkerRecord[],
    );
  }

  /** A fenced write: true if it changed the item; otherwise count a late write (or not found). */
  private fenced(q: Statements, itemId: string, changes: number): boolean {
    if (changes === 1) return true;
    if (q.countLateWrite.run(itemId).changes === 0) throw this.itemNotFound(itemId);
    return false;
  }

  private itemNotFound(itemId: string): SluiceError {
    return new SluiceError('STORE_NOT_FOUND', `work item ${itemId} not found in metadata store ${this.conn.file}`);
  }

  private workerNotFound(workerId: string): SluiceError {
    return new SluiceError(
      'STORE_NOT_FOUND',
      `worker ${workerId} is not registered in metadata store ${this.conn.file}`,
    );
  }
}
