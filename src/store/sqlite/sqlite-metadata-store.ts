import { SluiceError } from '../../core/errors.js';
import type { RunRecord, RunStatus, TaskRecord } from '../../core/types.js';
import { checkNewTasks, checkTaskResult } from '../metadata-store-input.js';
import { liveRunConflict, type MetadataStore, type NewRun, type NewTask, type TaskResult } from '../metadata-store.js';
import type { AttemptMetrics, AttemptMetricsRecord, MetricsRollup, RollupKey, TaskLabels } from '../metrics-store.js';
import { SqliteMetricsStore } from './sqlite-metrics-store.js';
import { SqliteLeaderLeases } from './sqlite-leader-lease.js';
import type { SkippedTask, TaskSkip } from '../task-skips.js';
import { SqliteConnection, type SqliteMetadataStoreOptions } from './sqlite-connection.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';

export type { SqliteMetadataStoreOptions } from './sqlite-connection.js';

/**
 * The metadata store in one SQLite file (or `:memory:`), shared safely by several processes:
 * WAL journal, a 5 s busy timeout, and `BEGIN IMMEDIATE` for every write that reads first.
 * State changes are conditional UPDATEs, so two workers can never both start one task or lease
 * one item. Runs and tasks here; the work-item queue in SqliteWorkQueue. Call `migrate()` once
 * after opening; other methods fail with STORE_MIGRATION until the schema is current.
 */
export class SqliteMetadataStore extends SqliteWorkQueue implements MetadataStore {
  private readonly metrics: SqliteMetricsStore;
  readonly leases = new SqliteLeaderLeases(this.conn);

  constructor(file: string, options: SqliteMetadataStoreOptions = {}) {
    super(new SqliteConnection(file, options));
    this.metrics = new SqliteMetricsStore(this.conn);
  }

  get file(): string {
    return this.conn.file;
  }

  async migrate(): Promise<void> {
    this.conn.migrate();
  }

  async createRun(run: NewRun, tasks: readonly NewTask[]): Promise<void> {
    checkNewTasks(run, tasks);
    this.conn.write((q) => {
      if (q.getRun.get(run.id) !== undefined)
        throw new SluiceError('STORE_CONFLICT', `run ${run.id} already exists in ${this.conn.file}`);
      if (run.exclusiveSince !== undefined) {
        const live = q.liveRunOfProject.get({ project: run.project, since: run.exclusiveSince }) as
          RunRecord | undefined;
        if (live) throw liveRunConflict(live);
      }
      q.insertRun.run({
        id: run.id,
        project: run.project,
        selector: run.selector,
        startedAt: run.startedAt,
        coordinator: run.coordinator ?? null,
      });
      tasks.forEach((t, seq) =>
        q.insertTask.run({ runId: run.id, model: t.model, seq, group: t.group, concurrency: t.concurrency }),
      );
    });
  }

  async finishRun(
    runId: string,
    status: Exclude<RunStatus, 'running'>,
    endedAt: number,
    error?: string,
  ): Promise<void> {
    this.conn.write((q) => {
      if (q.finishRun.run({ runId, status, endedAt, error: error ?? null }).changes === 1) return;
      const run = q.getRun.get(runId) as RunRecord | undefined;
      if (run === undefined) throw this.conn.runNotFound(runId);
      throw new SluiceError('STORE_CONFLICT', `run ${runId} is already ${run.status}; it cannot be marked ${status}`);
    });
  }

  async abandonRun(runId: string, endedAt: number, reason: string): Promise<boolean> {
    return this.conn.write((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      const params = { runId, endedAt, error: reason };
      if (q.finishRun.run({ ...params, status: 'failed' }).changes === 0) return false;
      q.abandonRunningTasks.run(params);
      q.abandonPendingTasks.run(params);
      return true;
    });
  }

  async runHeartbeat(runId: string, now: number, coordinator?: string): Promise<boolean> {
    return this.conn.write((q) => {
      if (q.runHeartbeat.run({ runId, now, coordinator: coordinator ?? null }).changes === 1) return true;
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return false;
    });
  }

  async startTask(runId: string, model: string, startedAt: number): Promise<void> {
    this.conn.write((q) => {
      if (q.startTask.run({ runId, model, startedAt }).changes === 1) return;
      const status = this.conn.taskStatus(runId, model);
      throw new SluiceError(
        'STORE_CONFLICT',
        `task ${model} of run ${runId} is ${status}, not pending; it cannot be started`,
      );
    });
  }

  async finishTask(runId: string, model: string, result: TaskResult): Promise<void> {
    const fromStatus = checkTaskResult(runId, model, result);
    this.conn.write((q) => {
      const changes = q.finishTask.run({
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
      }).changes;
      if (changes === 1) return;
      const status = this.conn.taskStatus(runId, model);
      throw new SluiceError(
        'STORE_CONFLICT',
        `task ${model} of run ${runId} is ${status}; only a ${fromStatus} task can become ${result.status}`,
      );
    });
  }

  async skipTask(runId: string, model: string, skip: TaskSkip): Promise<void> {
    this.conn.write((q) => {
      const params = {
        runId,
        model,
        endedAt: skip.endedAt,
        snapshot: skip.snapshot,
        rowsOut: skip.rowsOut,
        bytesOut: skip.bytesOut,
        files: skip.files,
      };
      if (q.skipTask.run(params).changes !== 1) {
        const status = this.conn.taskStatus(runId, model);
        throw new SluiceError(
          'STORE_CONFLICT',
          `task ${model} of run ${runId} is ${status}, not pending; it cannot be skipped`,
        );
      }
      q.insertTaskSkip.run({
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
    return this.conn.read((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return q.listTaskSkips.all(runId) as SkippedTask[];
    });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.conn.read((q) => q.getRun.get(runId) as RunRecord | undefined);
  }

  async listRuns(options: { limit?: number } = {}): Promise<RunRecord[]> {
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit
    if (!Number.isInteger(limit) || (options.limit !== undefined && limit < 0)) {
      throw new SluiceError(
        'STORE_CONFLICT',
        `listRuns: limit must be a non-negative integer, got ${String(options.limit)}`,
      );
    }
    return this.conn.read((q) => q.listRuns.all(limit) as RunRecord[]);
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return this.conn.read((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return q.listTasks.all(runId) as TaskRecord[];
    });
  }

  // Metrics (metrics-store.ts), on the same connection.
  recordAttempt(metrics: AttemptMetrics): Promise<void> {
    return this.metrics.recordAttempt(metrics);
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

  async close(): Promise<void> {
    this.conn.close();
  }
}
