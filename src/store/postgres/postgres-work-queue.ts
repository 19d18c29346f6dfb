import { SluiceError } from '../../core/errors.js';
import type {
  ClaimRequest,
  CompleteItem,
  FailOutcome,
  QueueDepth,
  FailureKind,
  ItemRecord,
  Lease,
  NewItem,
  QueueConfig,
  RetryPolicy,
  TaskProgress,
  WorkerInfo,
  WorkerRecord,
  WorkerState,
  WorkQueue,
} from '../work-queue.js';
import {
  checkClaim,
  checkItems,
  checkLeaseMs,
  checkQueues,
  checkRetryPolicy,
  checkWorker,
} from '../work-queue-input.js';
import { claimNext } from './claim-item.js';
import type { PostgresConnection, Tx } from './postgres-connection.js';

/**
 * Calls that may run twice when a connection breaks mid-statement: reads, and writes that set
 * what a second run would set again (a heartbeat, reaping, releasing). Never a claim or a
 * completion: run twice, those could report a success as fenced.
 */
const REPEATABLE = { repeatable: true } as const;

/**
 * The work-item queue on PostgreSQL (WorkQueue in ../work-queue.ts). Every method is one
 * short transaction (or, where one statement does the work, that statement alone); fenced
 * writes are UPDATEs conditional on (attempt, leased); the claim is claim-item.ts. The hot
 * calls (claimItem, heartbeat, completeItem, failItem) are one statement each: one round trip. The decisions the interface leaves open are the SQLite store's (see
 * ../sqlite/sqlite-work-queue.ts), so both pass the same contract suite.
 */
export class PostgresWorkQueue implements WorkQueue {
  protected readonly conn: PostgresConnection;

  constructor(conn: PostgresConnection) {
    this.conn = conn;
  }

  async setQueues(queues: readonly QueueConfig[]): Promise<void> {
    checkQueues(queues);
    await this.conn.write(async (tx) => {
      await tx.count('deleteQueues');
      await tx.count('insertQueues', {
        names: queues.map((q) => q.name),
        shares: queues.map((q) => q.share),
        maxShares: queues.map((q) => q.maxShare),
      });
    });
  }

  /** The configured queues, by name (unlisted queues get UNLISTED_QUEUE's share and are not listed). */
  async listQueues(): Promise<QueueConfig[]> {
    return this.conn.autocommit((tx) => tx.rows<QueueConfig>('listQueues'), REPEATABLE);
  }

  async queueDepths(): Promise<QueueDepth[]> {
    return this.conn.autocommit((tx) => tx.rows<QueueDepth>('queueDepths'), REPEATABLE);
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
    // Zero-padded so that id order (the last claim tie-break) is item order.
    const ids = items.map((item) => `${runId}/${model}/${String(item.itemNo).padStart(6, '0')}`);
    await this.conn.write(async (tx) => {
      const [task] = await tx.rows<{ status: string; group: string }>('lockTaskForEnqueue', { runId, model });
      if (task === undefined) await this.conn.taskStatus(tx, runId, model); // throws STORE_NOT_FOUND
      if (task!.status !== 'pending' && task!.status !== 'running')
        throw new SluiceError(
          'STORE_CONFLICT',
          `${where} is ${task!.status}; items can only be added to a pending or running task`,
        );
      const [existing] = await tx.rows<{ id: string }>('firstExistingItem', { ids });
      if (existing !== undefined)
        throw new SluiceError('STORE_CONFLICT', `${where}: item ${existing.id} already exists`);
      await tx.count('insertItems', {
        runId,
        model,
        group: task!.group,
        now,
        ids,
        itemNos: items.map((i) => i.itemNo),
        queues: items.map((i) => i.queue),
        priorities: items.map((i) => i.priority),
        cpus: items.map((i) => i.cpus),
        memoryBytes: items.map((i) => i.memoryBytes),
        specs: items.map((i) => i.spec),
        maxCodeAttempts: retry.maxCodeAttempts,
        maxInfraAttempts: retry.maxInfraAttempts,
        backoffMs: retry.backoffMs,
        maxBackoffMs: retry.maxBackoffMs,
      });
    });
  }

  async claimItem(req: ClaimRequest): Promise<Lease | undefined> {
    checkClaim(req);
    return this.conn.autocommit((tx) => claimNext(tx, req));
  }

  async heartbeat(itemId: string, attempt: number, now: number, leaseMs: number): Promise<boolean> {
    checkLeaseMs(`heartbeat of item ${itemId}`, leaseMs);
    const beat = async (tx: Tx) =>
      this.fenced(tx, itemId, await tx.count('heartbeatItem', { id: itemId, attempt, expiresAt: now + leaseMs }));
    return this.conn.autocommit(beat, REPEATABLE);
  }

  async completeItem(itemId: string, attempt: number, result: CompleteItem): Promise<boolean> {
    return this.conn.autocommit(async (tx) =>
      this.fenced(
        tx,
        itemId,
        await tx.count('completeItem', {
          id: itemId,
          attempt,
          now: result.now,
          rowsOut: result.rowsOut,
          bytesOut: result.bytesOut,
          output: result.output,
        }),
      ),
    );
  }

  async failItem(itemId: string, attempt: number, kind: FailureKind, error: string, now: number): Promise<FailOutcome> {
    if (kind !== 'code' && kind !== 'infra')
      throw new SluiceError('STORE_CONFLICT', `failItem ${itemId}: kind must be code or infra, got ${String(kind)}`);
    return this.conn.autocommit(async (tx): Promise<FailOutcome> => {
      const [row] = await tx.rows<{ state: string }>('failItem', { id: itemId, attempt, kind, error, now });
      if (row !== undefined) return row.state === 'dead' ? 'dead' : 'retry';
      await this.fenced(tx, itemId, 0); // counts the late write (or throws STORE_NOT_FOUND)
      return 'fenced';
    });
  }

  async reapExpired(now: number): Promise<number> {
    return this.conn.autocommit((tx) => tx.count('reapExpired', { now }), REPEATABLE);
  }

  async releaseWorker(workerId: string, now: number, reason: string): Promise<number> {
    return this.conn.autocommit((tx) => tx.count('releaseWorkerLeases', { workerId, now, error: reason }), REPEATABLE);
  }

  async cancelRun(runId: string, now: number): Promise<number> {
    return this.conn.write(async (tx) => {
      await this.runMustExist(tx, runId);
      return tx.count('cancelRunItems', { runId, now });
    });
  }

  async redriveDead(runId: string, now: number): Promise<number> {
    return this.conn.write(async (tx) => {
      await this.runMustExist(tx, runId);
      return tx.count('redriveDead', { runId, now });
    });
  }

  async reopenRun(runId: string, now: number): Promise<{ items: number; tasks: number }> {
    return this.conn.write(async (tx) => {
      await this.runMustExist(tx, runId);
      if ((await tx.count('reopenRunRow', { runId })) === 0)
        throw new SluiceError('STORE_CONFLICT', `run ${runId} is still running; only a finished run can be reopened`);
      const items = await tx.count('reviveItems', { runId, now });
      const tasks =
        (await tx.count('reopenTasksWithItems', { runId })) + (await tx.count('reopenTasksWithoutItems', { runId }));
      return { items, tasks };
    });
  }

  async taskProgress(runId: string): Promise<TaskProgress[]> {
    return this.conn.read(async (tx) => {
      await this.runMustExist(tx, runId);
      return tx.rows<TaskProgress>('taskProgress', { runId });
    });
  }

  async listItems(runId: string, model?: string): Promise<ItemRecord[]> {
    return this.conn.read(async (tx) => {
      await this.runMustExist(tx, runId);
      if (model === undefined) return tx.rows<ItemRecord>('listItems', { runId });
      await this.conn.taskStatus(tx, runId, model); // STORE_NOT_FOUND for an unknown task
      return tx.rows<ItemRecord>('listTaskItems', { runId, model });
    });
  }

  async registerWorker(worker: WorkerInfo): Promise<void> {
    checkWorker(worker);
    await this.conn.write(async (tx) => {
      if ((await tx.rows('workerState', { id: worker.id })).length > 0)
        throw new SluiceError('STORE_CONFLICT', `worker ${worker.id} is already registered in ${this.conn.label}`);
      await tx.count('insertWorker', {
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
    return this.conn.write(async (tx) => {
      const [row] = await tx.rows<{ state: WorkerState }>('workerHeartbeat', {
        id: workerId,
        now,
        state: state ?? null,
      });
      if (row === undefined) throw this.workerNotFound(workerId);
      return row.state;
    });
  }

  async stopWorker(workerId: string, now: number, state: Extract<WorkerState, 'stopped' | 'lost'>): Promise<void> {
    if (state !== 'stopped' && state !== 'lost')
      throw new SluiceError(
        'STORE_CONFLICT',
        `stopWorker ${workerId}: state must be stopped or lost, got ${String(state)}`,
      );
    await this.conn.write(async (tx) => {
      if ((await tx.rows('workerState', { id: workerId })).length === 0) throw this.workerNotFound(workerId);
      await tx.count('stopWorker', { id: workerId, now, state });
      if (state === 'lost') await tx.count('releaseWorkerLeases', { workerId, now, error: `worker ${workerId} lost` });
    });
  }

  async listWorkers(options: { includeStopped?: boolean } = {}): Promise<WorkerRecord[]> {
    const includeStopped = options.includeStopped === true;
    return this.conn.autocommit((tx) => tx.rows<WorkerRecord>('listWorkers', { includeStopped }), REPEATABLE);
  }

  protected async runMustExist(tx: Tx, runId: string): Promise<void> {
    if ((await tx.rows('getRun', { runId })).length === 0) throw this.conn.runNotFound(runId);
  }

  /** A fenced write: true if it changed the item; otherwise count a late write (or not found). */
  private async fenced(tx: Tx, itemId: string, changes: number): Promise<boolean> {
    if (changes === 1) return true;
    if ((await tx.count('countLateWrite', { id: itemId })) === 0) throw this.itemNotFound(itemId);
    return false;
  }

  private itemNotFound(itemId: string): SluiceError {
    return new SluiceError('STORE_NOT_FOUND', `work item ${itemId} not found in metadata store ${this.conn.label}`);
  }

  private workerNotFound(workerId: string): SluiceError {
    return new SluiceError(
      'STORE_NOT_FOUND',
      `worker ${workerId} is not registered in metadata store ${this.conn.label}`,
    );
  }
}
