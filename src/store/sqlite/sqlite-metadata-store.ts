import { SluiceError } from '../../core/errors.js';
import type { RunRecord, RunStatus, TaskRecord } from '../../core/types.js';
import type { MetadataStore, NewRun, NewTask, TaskResult } from '../metadata-store.js';
import type { SkippedTask, TaskSkip } from '../task-skips.js';
import { SqliteConnection, type SqliteMetadataStoreOptions } from './sqlite-connection.js';
import { SqliteWorkQueue } from './sqlite-work-queue.js';

export type { SqliteMetadataStoreOptions } from './sqlite-connection.js';

const TASK_RESULT_STATUSES = new Set(['succeeded', 'failed', 'not_run']);

/**
 * The metadata store in one SQLite file (or `:memory:`), shared safely by several processes:
 * WAL journal, a 5 s busy timeout, and `BEGIN IMMEDIATE` for every write that reads first.
 * State changes are conditional UPDATEs, so two workers can never both start one task or lease
 * one item. Runs and tasks here; the work-item queue in SqliteWorkQueue. Call `migrate()` once
 * after opening; other methods fail with STORE_MIGRATION until the schema is current.
 */
export class SqliteMetadataStore extends SqliteWorkQueue implements MetadataStore {
  constructor(file: string, options: SqliteMetadataStoreOptions = {}) {
    super(new SqliteConnection(file, options));
  }

  get file(): string {
    return this.conn.file;
  }

  async migrate(): Promise<void> {
    this.conn.migrate();
  }

  async createRun(run: NewRun, tasks: readonly NewTask[]): Promise<void> {
    const seen = new Set<string>();
    for (const t of tasks) {
      if (seen.has(t.model)) throw new SluiceError('STORE_CONFLICT', `run ${run.id}: model ${t.model} is listed twice`);
      seen.add(t.model);
      if (!Number.isSafeInteger(t.concurrency) || t.concurrency < 1) {
        throw new SluiceError('STORE_CONFLICT', `run ${run.id}: task ${t.model} (group ${t.group}): concurrency must be an integer >= 1, got ${String(t.concurrency)}`);
      }
    }
    this.conn.write((q) => {
      if (q.getRun.get(run.id) !== undefined) throw new SluiceError('STORE_CONFLICT', `run ${run.id} already exists in ${this.conn.file}`);
      q.insertRun.run({ id: run.id, project: run.project, selector: run.selector, startedAt: run.startedAt });
      tasks.forEach((t, seq) => q.insertTask.run({ runId: run.id, model: t.model, seq, group: t.group, concurrency: t.concurrency }));
    });
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'running'>, endedAt: number, error?: string): Promise<void> {
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

  async startTask(runId: string, model: string, startedAt: number): Promise<void> {
    this.conn.write((q) => {
      if (q.startTask.run({ runId, model, startedAt }).changes === 1) return;
      const status = this.conn.taskStatus(runId, model);
      throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId} is ${status}, not pending; it cannot be started`);
    });
  }

  async finishTask(runId: string, model: string, result: TaskResult): Promise<void> {
    if (!TASK_RESULT_STATUSES.has(result.status)) {
      throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId}: "${String(result.status)}" is not a final status (succeeded, failed, not_run)`);
    }
    const fromStatus = result.status === 'not_run' ? 'pending' : 'running';
    this.conn.write((q) => {
      const changes = q.finishTask.run({
        runId, model, fromStatus, status: result.status, endedAt: result.endedAt,
        rowsOut: result.rowsOut ?? null, bytesOut: result.bytesOut ?? null, files: result.files ?? null,
        snapshot: result.snapshot ?? null, error: result.error ?? null,
      }).changes;
      if (changes === 1) return;
      const status = this.conn.taskStatus(runId, model);
      throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId} is ${status}; only a ${fromStatus} task can become ${result.status}`);
    });
  }

  async skipTask(runId: string, model: string, skip: TaskSkip): Promise<void> {
    this.conn.write((q) => {
      const params = { runId, model, endedAt: skip.endedAt, snapshot: skip.snapshot, rowsOut: skip.rowsOut, bytesOut: skip.bytesOut, files: skip.files };
      if (q.skipTask.run(params).changes !== 1) {
        const status = this.conn.taskStatus(runId, model);
        throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId} is ${status}, not pending; it cannot be skipped`);
      }
      q.insertTaskSkip.run({ runId, model, snapshot: skip.snapshot, reason: skip.reason, fingerprint: skip.fingerprint, endedAt: skip.endedAt });
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
      throw new SluiceError('STORE_CONFLICT', `listRuns: limit must be a non-negative integer, got ${String(options.limit)}`);
    }
    return this.conn.read((q) => q.listRuns.all(limit) as RunRecord[]);
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    return this.conn.read((q) => {
      if (q.getRun.get(runId) === undefined) throw this.conn.runNotFound(runId);
      return q.listTasks.all(runId) as TaskRecord[];
    });
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}
