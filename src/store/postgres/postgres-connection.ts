import { setTimeout as delay } from 'node:timers/promises';
import { SluiceError, type ErrorCode } from '../../core/errors.js';
import { applyMigrations, isMigrated } from './apply-migrations.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { loadPg, type PgPool, type PgPoolClient } from './pg-client.js';
import { isConnectionLoss, sqlState, wrapPgError } from './postgres-errors.js';
import { parsePostgresUrl, type PostgresTarget } from './postgres-url.js';
import { compileNamed, QUERIES, type CompiledQuery, type QueryName } from './queries.js';

export interface PostgresMetadataStoreOptions {
  /** The schema to apply; tests pass their own. Defaults to `MIGRATIONS`. */
  readonly migrations?: readonly Migration[];
  /** Clock for `schema_migrations.applied_at`. */
  readonly now?: () => number;
  /** Pooled connections (default 4): a store runs one transaction per call. */
  readonly maxConnections?: number;
}

/** A transaction in progress: named queries (QUERIES), plain SQL, savepoints. */
export interface Tx {
  rows<R>(name: QueryName, params?: Readonly<Record<string, unknown>>): Promise<R[]>;
  /** Rows changed (or returned). */
  count(name: QueryName, params?: Readonly<Record<string, unknown>>): Promise<number>;
  /** `sql` as is (several statements allowed, no parameters): migrations. */
  exec(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** `fn` inside a savepoint, rolled back (with the locks it took) when it returns undefined; kept otherwise. */
  savepoint<T>(fn: () => Promise<T | undefined>): Promise<T | undefined>;
}

type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly err: unknown; readonly step: string; readonly broken: boolean };

/** Big integers (COUNT, SUM, BIGINT epoch ms) as JavaScript numbers: all fit in 2^53. */
const NUMERIC_OIDS = new Set([20 /* int8 */, 1700 /* numeric */]);
/** Deadlock and serialisation failures: the transaction had no effect and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_TRIES = 5;
/** A broken connection: this many fresh ones, RECONNECT_MS, twice that, ... apart (0.1 + 0.2 + 0.4 s). */
const MAX_RECONNECTS = 3;
const RECONNECT_MS = 100;
/** Server-side guard: a session idle inside a transaction this long (a stopped process) is ended, releasing its locks. */
const IDLE_IN_TRANSACTION_MS = 5_000;

/**
 * A pool of connections to the metadata store's PostgreSQL database, each with the store's
 * schema as its search_path; `pg` is loaded on first use. Every store call is one short
 * transaction (`write`: READ COMMITTED, retried on deadlock; `read`: one REPEATABLE READ
 * snapshot), nothing is held across the caller's awaits, and every error leaves as a
 * SluiceError whose message names the store by its redacted URL and holds no secret.
 */
export class PostgresConnection {
  readonly target: PostgresTarget;
  private readonly migrations: readonly Migration[];
  private readonly now: () => number;
  private readonly maxConnections: number;
  private readonly compiled = new Map<QueryName, CompiledQuery>();
  private pool: Promise<PgPool> | undefined;
  private migrated = false;
  private closed = false;

  constructor(url: string, options: PostgresMetadataStoreOptions = {}) {
    this.target = parsePostgresUrl(url);
    this.migrations = options.migrations ?? MIGRATIONS;
    this.now = options.now ?? Date.now;
    this.maxConnections = options.maxConnections ?? 4;
  }

  get label(): string {
    return this.target.label;
  }

  async migrate(): Promise<void> {
    await applyMigrations(this, this.migrations, this.target.schema, this.now);
    this.migrated = true;
  }

  /** `fn` in one READ COMMITTED transaction (rolled back if it throws; run again after a deadlock). */
  async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    await this.ready();
    return this.transaction('BEGIN ISOLATION LEVEL READ COMMITTED', fn);
  }

  /** `fn` in one read-only transaction: a consistent snapshot across its statements. */
  async read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    await this.ready();
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /**
   * `fn` on one connection without BEGIN: each statement is its own transaction. For calls
   * whose first statement does the work (a fenced UPDATE, a single SELECT): two round trips
   * fewer; anything they run after it (counting a late write) needs no atomicity with it.
   * `repeatable`: running `fn` twice does what running it once does (a heartbeat, a SELECT), so
   * a connection lost mid-statement is retried on a fresh one (see `transaction`).
   */
  async autocommit<T>(fn: (tx: Tx) => Promise<T>, opts: { readonly repeatable?: boolean } = {}): Promise<T> {
    await this.ready();
    return this.transaction(undefined, fn, false, opts.repeatable === true);
  }

  /**
   * A transaction (`begin`, or none: autocommit), also before the schema is known to be
   * current (migrations). `raw`: rethrow database errors as they are, for the caller to `wrap`.
   * A connection that breaks (the server ended the session: a failover, `pg_terminate_backend`)
   * is dropped and the call runs again on a fresh one, with backoff, when that cannot apply it
   * twice: it broke while connecting, inside BEGIN before COMMIT was sent (the server rolled it
   * back), or the caller says its statements are `repeatable` (idempotent).
   */
  async transaction<T>(
    begin: string | undefined,
    fn: (tx: Tx) => Promise<T>,
    raw = false,
    repeatable = false,
  ): Promise<T> {
    for (let tries = 1, reconnects = 0; ; tries++) {
      if (this.closed) throw new SluiceError('STORE_CONFLICT', `metadata store ${this.label} is closed`);
      const r = await this.attempt(begin, fn);
      if (r.ok) return r.value;
      const { err, step, broken } = r;
      if (err instanceof SluiceError) throw err;
      const code = sqlState(err);
      if (code !== undefined && RETRYABLE.has(code) && tries < MAX_TRIES) continue;
      const again = step === 'connect' || (begin !== undefined ? step !== 'COMMIT' : repeatable);
      if (broken && again && reconnects < MAX_RECONNECTS) {
        await delay(RECONNECT_MS * 2 ** reconnects++);
        continue;
      }
      throw raw ? err : this.wrap(err, step === 'connect' ? 'cannot connect' : `${step} failed`);
    }
  }

  /** One try of `transaction`: its value, or what failed, at which step, and whether the connection broke. */
  private async attempt<T>(begin: string | undefined, fn: (tx: Tx) => Promise<T>): Promise<Attempt<T>> {
    let client: PgPoolClient;
    try {
      client = await (await this.openPool()).connect();
    } catch (err) {
      return { ok: false, err, step: 'connect', broken: true };
    }
    let step = 'BEGIN';
    let broken = false;
    // A checked-out connection that breaks emits 'error' (pg's pool listens only to idle ones):
    // without this listener the process would crash with "Unhandled 'error' event".
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      if (begin !== undefined) await client.query(begin);
      const value = await fn(
        this.tx(client, (s) => {
          step = s;
        }),
      );
      step = 'COMMIT';
      if (begin !== undefined) await client.query('COMMIT');
      return { ok: true, value };
    } catch (err) {
      // No SQLSTATE, or the server ended the session: the connection is gone; do not pool it.
      broken ||= !(err instanceof SluiceError) && isConnectionLoss(err);
      try {
        if (begin !== undefined && !broken) await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      return { ok: false, err, step, broken };
    } finally {
      client.release(broken);
      client.off('error', onError);
    }
  }

  runNotFound(runId: string): SluiceError {
    return new SluiceError('STORE_NOT_FOUND', `run ${runId} not found in metadata store ${this.label}`);
  }

  /** Why a task could not change state: its status, or STORE_NOT_FOUND for the run or the task. */
  async taskStatus(tx: Tx, runId: string, model: string): Promise<string> {
    const [row] = await tx.rows<{ status: string }>('taskStatus', { runId, model });
    if (row !== undefined) return row.status;
    if ((await tx.rows('getRun', { runId })).length === 0) throw this.runNotFound(runId);
    throw new SluiceError('STORE_NOT_FOUND', `run ${runId} has no task for model ${model}`);
  }

  /** A pg error as a SluiceError naming this store (see wrapPgError). */
  wrap(err: unknown, what: string, otherwise: ErrorCode = 'STORE_CONFLICT'): SluiceError {
    return wrapPgError(err, this.target, what, otherwise);
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) await (await pool.catch(() => undefined))?.end();
  }

  private async ready(): Promise<void> {
    if (this.migrated) return;
    const ok = await this.transaction('BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY', (tx) =>
      isMigrated(tx, this.migrations),
    );
    if (!ok)
      throw new SluiceError('STORE_MIGRATION', `metadata store ${this.label} is not migrated: call migrate() first`);
    this.migrated = true;
  }

  private openPool(): Promise<PgPool> {
    this.pool ??= loadPg().then((pg) => {
      const { schema, connectionString, options } = this.target;
      // READ COMMITTED also for statements run without BEGIN (autocommit): the one-statement
      // claim (claim-item.ts) relies on it, whatever the server's default.
      const settings = [
        ...(options === undefined ? [] : [options]),
        `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
        '-c default_transaction_isolation=read\\ committed',
      ];
      if (schema !== undefined) settings.push(`-c search_path=${schema}`);
      const pool = new pg.Pool({
        connectionString,
        max: this.maxConnections,
        options: settings.join(' '),
        application_name: 'sluice',
        connectionTimeoutMillis: 10_000,
        idleTimeoutMillis: 10_000,
        types: {
          getTypeParser: (oid, format) => (NUMERIC_OIDS.has(oid) ? Number : pg.types.getTypeParser(oid, format)),
        },
      });
      pool.on('error', () => undefined); // an idle connection broke: the next checkout reconnects or fails, wrapped
      return pool;
    });
    return this.pool;
  }

  private tx(client: PgPoolClient, at: (step: string) => void): Tx {
    let savepoints = 0;
    const run = async (name: QueryName, params: Readonly<Record<string, unknown>> = {}) => {
      at(`query ${name}`);
      const q = this.compile(name);
      return client.query<never>({
        name: `sluice_${name}`,
        text: q.text,
        values: q.names.map((n) => params[n] ?? null),
      });
    };
    return {
      rows: async <R>(name: QueryName, params?: Readonly<Record<string, unknown>>) =>
        (await run(name, params)).rows as R[],
      count: async (name, params) => (await run(name, params)).rowCount ?? 0,
      exec: async (sql, params) => {
        at('migration');
        return (await client.query<Record<string, unknown>>(params === undefined ? sql : { text: sql, values: params }))
          .rows;
      },
      savepoint: async <T>(fn: () => Promise<T | undefined>) => {
        const name = `sluice_sp${++savepoints}`;
        await client.query(`SAVEPOINT ${name}`);
        const result = await fn();
        if (result === undefined) await client.query(`ROLLBACK TO SAVEPOINT ${name}`); // (kept ones end with the transaction)
        return result;
      },
    };
  }

  private compile(name: QueryName): CompiledQuery {
    let q = this.compiled.get(name);
    if (q === undefined) this.compiled.set(name, (q = compileNamed(QUERIES[name])));
    return q;
  }
}
