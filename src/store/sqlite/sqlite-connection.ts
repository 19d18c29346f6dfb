import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SluiceError, errorMessage } from '../../core/errors.js';
import { applyMigrations, isMigrated } from './apply-migrations.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { QUERIES, type QueryName } from './queries.js';

export interface SqliteMetadataStoreOptions {
  /** The schema to apply; tests pass their own. Defaults to `MIGRATIONS`. */
  readonly migrations?: readonly Migration[];
  /** Clock for `schema_migrations.applied_at`. */
  readonly now?: () => number;
}

export type Statements = { readonly [K in QueryName]: Database.Statement };

/**
 * One connection to the metadata store's SQLite file (or `:memory:`): WAL journal, a 5 s busy
 * timeout, statements prepared once the schema is current, and the transaction helpers every
 * write goes through (`BEGIN IMMEDIATE`, so a transaction that reads then writes waits for the
 * lock instead of failing half-way).
 */
export class SqliteConnection {
  readonly file: string;
  readonly db: Database.Database;
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
      throw new SluiceError('STORE_MIGRATION', `cannot open metadata store ${this.file}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  migrate(): void {
    this.guard(() => applyMigrations(this.db, this.migrations, this.file, this.now));
  }

  /** `fn` in one `BEGIN IMMEDIATE` transaction (rolled back if it throws). */
  write<T>(fn: (q: Statements) => T): T {
    const q = this.q();
    return this.guard(() => this.db.transaction(() => fn(q)).immediate());
  }

  /** `fn` in one read transaction: a consistent snapshot across its statements. */
  read<T>(fn: (q: Statements) => T): T {
    const q = this.q();
    return this.guard(() => this.db.transaction(() => fn(q)).deferred());
  }

  /** The prepared statements, once the schema is current. */
  q(): Statements {
    if (this.statements !== undefined) return this.statements;
    if (!this.db.open) throw new SluiceError('STORE_CONFLICT', `metadata store ${this.file} is closed`);
    if (!isMigrated(this.db, this.migrations)) {
      throw new SluiceError('STORE_MIGRATION', `metadata store ${this.file} is not migrated: call migrate() first`);
    }
    const prepared: Partial<Record<QueryName, Database.Statement>> = {};
    for (const name of Object.keys(QUERIES) as QueryName[]) {
      try {
        prepared[name] = this.db.prepare(QUERIES[name]);
      } catch (err) {
        throw new SluiceError(
          'STORE_MIGRATION',
          `metadata store ${this.file}: cannot prepare query ${name}: ${errorMessage(err)}`,
          { cause: err },
        );
      }
    }
    this.statements = prepared as Statements;
    return this.statements;
  }

  runNotFound(runId: string): SluiceError {
    return new SluiceError('STORE_NOT_FOUND', `run ${runId} not found in metadata store ${this.file}`);
  }

  /** Why a task could not change state: its status, or STORE_NOT_FOUND for the run or the task. */
  taskStatus(runId: string, model: string): string {
    const q = this.q();
    const row = q.taskStatus.get(runId, model) as { status: string } | undefined;
    if (row !== undefined) return row.status;
    if (q.getRun.get(runId) === undefined) throw this.runNotFound(runId);
    throw new SluiceError('STORE_NOT_FOUND', `run ${runId} has no task for model ${model}`);
  }

  /** SluiceErrors pass through; a lock held past the busy timeout becomes STORE_CONFLICT. */
  guard<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      const code = (err as { code?: unknown }).code;
      if (
        code === 'SQLITE_BUSY' ||
        code === 'SQLITE_LOCKED' ||
        (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
      ) {
        throw new SluiceError(
          'STORE_CONFLICT',
          `metadata store ${this.file} is busy (locked by another process for more than 5 s): ${errorMessage(err)}`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
