import { SluiceError } from '../../core/errors.js';
import type { RunRecord, RunStatus, TaskRecord } from '../../core/types.js';
import { checkNewTasks, checkTaskResult } from '../metadata-store-input.js';
import { liveRunConflict, type MetadataStore, type NewRun, type NewTask, type TaskResult } from '../metadata-store.js';
import type { SkippedTask, TaskSkip } from '../task-skips.js';
import type { AttemptMetrics, AttemptMetricsRecord, MetricsRollup, RollupKey, TaskLabels } from '../metrics-store.js';
import { PostgresConnection, type PostgresMetadataStoreOptions } from './postgres-connection.js';
import { PostgresMetricsStore } from './postgres-metrics-store.js';
import { PostgresLeaderLeases } from './postgres-leader-lease.js';
import { PostgresWorkQueue } from './postgres-work-queue.js';

export type { PostgresMetadataStoreOptions } from './postgres-connection.js';

/**
 * The metadata store in a PostgreSQL database (`postgres://user@host:5432/db?schema=name`),
 * shared by any number of processes on any number of hosts. Every call is one short
 * transaction on a pooled connection; state changes are conditional UPDATEs, so two workers
 * can never both start one task or lease one item. Runs and tasks here; the work-item queue in
 * PostgresWorkQueue (claims: claim-item.ts; decisions: docs/adr/0007-postgres-queue.md). Call
 * `migrate()` once after opening; other methods fail with STORE_MIGRATION until the schema is
 * current. Errors never show the URL's password or PGPASSWORD.
 */
export class PostgresMetadataStore extends PostgresWorkQueue implements MetadataStore {
  private readonly metrics: PostgresMetricsStore;
  readonly leases = new PostgresLeaderLeases(this.conn);

  constructor(url: string, options: PostgresMetadataStoreOptions = {}) {
    super(new PostgresConnection(url, options));
    this.metrics = new PostgresMetricsStore(this.conn);
  }

  // ---- metrics (postgres-metrics-store.ts)
  recordAttempt(m: AttemptMetrics): Promise<void> {
    return this.metrics.recordAttempt(m);
  }
  listAttempts(runId: string, model?: string): Promise<AttemptMetricsRecord[]> {
    return this.metrics.listAttempts(runId, model);
  }
  labelTasks(runId: string, labels: readonly TaskLabels[]): Promise<void> {
    return this.metrics.labelTasks(runId, labels);
  }
  listTaskLabels(runId: string): Promise<TaskLabels[]> {
    return this.metrics.listTaskLabels(runId);
  }
  rollup(runId: string, by: RollupKey): Promise<MetricsRollup[]> {
    return this.metrics.rollup(runId, by);
  }

  /** The store's URL with its password replaced by `***`. */
  get label(): string {
    return this.conn.label;
  }

  async migrate(): Promise<void> {
    await this.conn.migrate();
  }

  async createRun(run: NewRun, tasks: readonly NewTask[]): Promise<void> {
    checkNewTasks(run, tasks);
    await this.conn.write(async (tx) => {
      if ((await tx.rows('getRun', { runId: run.id })).length > 0)
        throw new SluiceError('STORE_CONFLICT', `run ${run.id} already exists in ${this.conn.label}`);
      if (run.exclusiveSince !== undefined) {
        await tx.rows('lockProjectRuns', { project: run.project });
        const [live] = await tx.rows<RunRecord>('liveRunOfProject', {
          project: run.project,
          since: run.exclusiveSince,
        });
        if (live) throw liveRunConflict(live);
      }
      await tx.count('insertRun', {
        id: run.id,
        project: run.project,
        selector: run.selector,
        startedAt: run.startedAt,
        coordinator: run.coordinator ?? null,
      });
      if (tasks.length === 0) return;
      await tx.count('insertTasks', {
        runId: run.id,
        models: tasks.map((t) => t.model),
        groups: tasks.map((t) => t.group),
        concurrencies: tasks.map((t) => t.concurrency),
      });
    });
  }

  async finishRun(
    runId: string,
    status: Exclude<RunStatus, 'running'>,
    endedAt: number,
    error?: string,
  ): Promise<void> {
    await this.conn.write(async (tx) => {
      if ((await tx.count('finishRun', { runId, status, endedAt, error: error ?? null })) === 1) return;
      const [run] = await tx.rows<RunRecord>('getRun', { runId });
      if (run === undefined) throw this.conn.runNotFound(runId);
      throw new SluiceError('STORE_CONFLICT', `run ${runId} is already ${run.status}; it cannot be marked ${status}`);
    });
  }

  async abandonRun(runId: string, endedAt: number, reason: string): Promise<boolean> {
    return this.conn.write(async (tx) => {
      await this.runMustExist(tx, runId);
      const params = { runId, endedAt, error: reason };
      if ((await tx.count('finishRun', { ...params, status: 'failed' })) === 0) return false;
      await tx.count('abandonRunningTasks', params);
      await tx.count('abandonPendingTasks', params);
      return true;
    });
  }

  async runHeartbeat(runId: string, now: number, coordinator?: string): Promise<boolean> {
    return this.conn.write(async (tx) => {
      if ((await tx.count('runHeartbeat', { runId, now, coordinator: coordinator ?? null })) === 1) return true;
      await this.runMustExist(tx, runId);
      return false;
    });
  }

  async skipTask(runId: string, model: string, skip: TaskSkip): Promise<void> {
    await this.conn.write(async (tx) => {
      const params = {
        runId,
        model,
        endedAt: skip.endedAt,
        snapshot: skip.snapshot,
        rowsOut: skip.rowsOut,
        bytesOut: skip.bytesOut,
        files: skip.files,
      };
      if ((await tx.count('skipTask', params)) !== 1) {
        const status = await this.conn.taskStatus(tx, runId, model);
        throw new SluiceError(
          'STORE_CONFLICT',
          `task ${model} of run ${runId} is ${status}, not pending; it cannot be skipped`,
        );
      }
      await tx.count('insertTaskSkip', {
        runId,
        model,
        snapshot: skip.snapshot,
        reason: skip.reason,
        fingerprint: skip.fingerprint,
        endedAt: skip.endedAt,
      });
    });
  }

  async listSkippedTasks(runId: string): Promise<SkippedTask[]> {
    return this.conn.read(async (tx) => {
      await this.runMustExist(tx, runId);
      return tx.rows<SkippedTask>('listTaskSkips', { runId });
    });
  }

  async startTask(runId: string, model: string, startedAt: number): Promise<void> {
    await this.conn.write(async (tx) => {
      if ((await tx.count('startTask', { runId, model, startedAt })) === 1) return;
      const status = await this.conn.taskStatus(tx, runId, model);
      throw new SluiceError(
        'STORE_CONFLICT',
        `task ${model} of run ${runId} is ${status}, not pending; it cannot be started`,
      );
    });
  }

  async finishTask(runId: string, model: string, result: TaskResult): Promise<void> {
    const fromStatus = checkTaskResult(runId, model, result);
    await this.conn.write(async (tx) => {
      const changes = await tx.count('finishTask', {
        runId,
        model,
        fromStatus,
        status: result.status,
        endedAt: result.endedAt,
        rowsOut: result.rowsOut ?? null,
        bytesOut: result.bytesOut ?? null,
        files: result.files ?? null,
        snapshot: result.snapshot ?? null,
        error: result.error ?? null,
      });
      if (changes === 1) return;
      const status = await this.conn.taskStatus(tx, runId, model);
      throw new SluiceError(
        'STORE_CONFLICT',
        `task ${model} of run ${runId} is ${status}; only a ${fromStatus} task can become ${result.status}`,
      );
    });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.conn.autocommit(async (tx) => (await tx.rows<RunRecord>('getRun', { runId }))[0]);
  }

  async listRuns(options: { limit?: number } = {}): Promise<RunRecord[]> {
    const limit = options.limit ?? null; // NULL: no limit
    if (limit !== null && (!Number.isInteger(limit) || limit < 0)) {
      throw new SluiceError(
        'STORE_CONFLICT',
        `listRuns: limit must be a non-negative integer, got ${String(options.limit)}`,
      );
    }
    return this.conn.autocommit((tx) => tx.rows<RunRecord>('listRuns', { limit }));
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return this.conn.read(async (tx) => {
      await this.runMustExist(tx, runId);
      return tx.rows<TaskRecord>('listTasks', { runId });
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}
