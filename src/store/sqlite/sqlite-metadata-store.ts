import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SluiceError, errorMessage } from '../../core/errors.js';
import type { RunRecord, RunStatus, TaskRecord } from '../../core/types.js';
import type { MetadataStore, NewRun, NewTask, TaskResult } from '../metadata-store.js';
import { applyMigrations, isMigrated } from './apply-migrations.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { QUERIES, type QueryName } from './queries.js';

export interface SqliteMetadataStoreOptions {
  /** The schema to apply; tests pass their own. Defaults to `MIGRATIONS`. */
  readonly migrations?: readonly Migration[];
  /** Clock for `schema_migrations.applied_at`. */
  readonly now?: () => number;
}

type Statements = { readonly [K in QueryName]: Database.Statement };

const TASK_RESULT_STATUSES = new Set(['succeeded', 'failed', 'not_run']);

/**
 * The metadata store in one SQLite file (or `:memory:`), shared safely by several processes:
 * WAL journal, a 5 s busy timeout, and `BEGIN IMMEDIATE` for every write that reads first.
 * State changes are conditional UPDATEs, so two workers can never both start one task.
 * Call `migrate()` once after opening; other methods fail with STORE_MIGRATION until the schema
 * is current.
 */
export class SqliteMetadataStore implements MetadataStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly migrations: readonly Migration[];
  private readonly now: () => number;
  private statements: Statements | undefined;

  constructor(file: string, options: SqliteMetadataStoreOptions = {}) {
    this.file = file === ':memory:' ? file : resolve(file);
    this.migrations = options.migrations ?? MIGRATIONS;
    this.now = options.now ?? Date.now;
    try {
      if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
      this.db = new Database(this.file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
    } catch (err) {
      throw new SluiceError('STORE_MIGRATION', `cannot open metadata store ${this.file}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async migrate(): Promise<void> {
    this.guard(() => applyMigrations(this.db, this.migrations, this.file, this.now));
  }

  async createRun(run: NewRun, tasks: readonly NewTask[]): Promise<void> {
    const seen = new Set<string>();
    for (const t of tasks) {
      if (seen.has(t.model)) throw new SluiceError('STORE_CONFLICT', `run ${run.id}: model ${t.model} is listed twice`);
      seen.add(t.model);
    }
    const q = this.q();
    this.guard(() => this.db.transaction(() => {
      if (q.getRun.get(run.id) !== undefined) throw new SluiceError('STORE_CONFLICT', `run ${run.id} already exists in ${this.file}`);
      q.insertRun.run({ id: run.id, project: run.project, selector: run.selector, startedAt: run.startedAt });
      tasks.forEach((t, seq) => q.insertTask.run({ runId: run.id, model: t.model, seq, group: t.group }));
    }).immediate());
  }

  async finishRun(runId: string, status: Exclude<RunStatus, 'running'>, endedAt: number, error?: string): Promise<void> {
    const q = this.q();
    this.guard(() => this.db.transaction(() => {
      if (q.finishRun.run({ runId, status, endedAt, error: error ?? null }).changes === 1) return;
      const run = q.getRun.get(runId) as RunRecord | undefined;
      if (run === undefined) throw this.runNotFound(runId);
      throw new SluiceError('STORE_CONFLICT', `run ${runId} is already ${run.status}; it cannot be marked ${status}`);
    }).immediate());
  }

  async abandonRun(runId: string, endedAt: number, reason: string): Promise<boolean> {
    const q = this.q();
    return this.guard(() => this.db.transaction(() => {
      if (q.getRun.get(runId) === undefined) throw this.runNotFound(runId);
      const params = { runId, endedAt, error: reason };
      if (q.finishRun.run({ ...params, status: 'failed' }).changes === 0) return false;
      q.abandonRunningTasks.run(params);
      q.abandonPendingTasks.run(params);
      return true;
    }).immediate());
  }

  async startTask(runId: string, model: string, startedAt: number): Promise<void> {
    const q = this.q();
    this.guard(() => this.db.transaction(() => {
      if (q.startTask.run({ runId, model, startedAt }).changes === 1) return;
      const status = this.taskStatus(runId, model);
      throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId} is ${status}, not pending; it cannot be started`);
    }).immediate());
  }

  async finishTask(runId: string, model: string, result: TaskResult): Promise<void> {
    if (!TASK_RESULT_STATUSES.has(result.status)) {
      throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId}: "${String(result.status)}" is not a final status (succeeded, failed, not_run)`);
    }
    const fromStatus = result.status === 'not_run' ? 'pending' : 'running';
    const q = this.q();
    this.guard(() => this.db.transaction(() => {
      const changes = q.finishTask.run({
        runId, model, fromStatus, status: result.status, endedAt: result.endedAt,
        rowsOut: result.rowsOut ?? null, bytesOut: result.bytesOut ?? null, files: result.files ?? null,
        snapshot: result.snapshot ?? null, error: result.error ?? null,
      }).changes;
      if (changes === 1) return;
      const status = this.taskStatus(runId, model);
      throw new SluiceError('STORE_CONFLICT', `task ${model} of run ${runId} is ${status}; only a ${fromStatus} task can become ${result.status}`);
    }).immediate());
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const q = this.q();
    return this.guard(() => q.getRun.get(runId) as RunRecord | undefined);
  }

  async listRuns(options: { limit?: number } = {}): Promise<RunRecord[]> {
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means no limit
    if (!Number.isInteger(limit) || (options.limit !== undefined && limit < 0)) {
      throw new SluiceError('STORE_CONFLICT', `listRuns: limit must be a non-negative integer, got ${String(options.limit)}`);
    }
    const q = this.q();
    return this.guard(() => q.listRuns.all(limit) as RunRecord[]);
  }

  async listTasks(runId: string): Promise<TaskRecord[]> {
    const q = this.q();
    return this.guard(() => this.db.transaction(() => {
      if (q.getRun.get(runId) === undefined) throw this.runNotFound(runId);
      return q.listTasks.all(runId) as TaskRecord[];
    }).deferred());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The prepared statements, once the schema is current. */
  private q(): Statements {
    if (this.statements !== undefined) return this.statements;
    if (!this.db.open) throw new SluiceError('STORE_CONFLICT', `metadata store ${this.file} is closed`);
    if (!isMigrated(this.db, this.migrations)) {
      throw new SluiceError('STORE_MIGRATION', `metadata store ${this.file} is not migrated: call migrate() first`);
    }
    const prepared: Partial<Record<QueryName, Database.Statement>> = {};
    for (const name of Object.keys(QUERIES) as QueryName[]) prepared[name] = this.db.prepare(QUERIES[name]);
    this.statements = prepared as Statements;
    return this.statements;
  }

  /** Why a task could not change state: its status, or STORE_NOT_FOUND for the run or the task. */
  private taskStatus(runId: string, model: string): string {
    const q = this.q();
    const row = q.taskStatus.get(runId, model) as { status: string } | undefined;
    if (row !== undefined) return row.status;
    if (q.getRun.get(runId) === undefined) throw this.runNotFound(runId);
    throw new SluiceError('STORE_NOT_FOUND', `run ${runId} has no task for model ${model}`);
  }

  private runNotFound(runId: string): SluiceError {
    return new SluiceError('STORE_NOT_FOUND', `run ${runId} not found in metadata store ${this.file}`);
  }

  /** SluiceErrors pass through; a lock held past the busy timeout becomes STORE_CONFLICT. */
  private guard<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))) {
        throw new SluiceError('STORE_CONFLICT', `metadata store ${this.file} is busy (locked by another process for more than 5 s): ${errorMessage(err)}`, { cause: err });
      }
      throw err;
    }
  }
}
