/**
 * The part of node-postgres (`pg`) the PostgreSQL metadata store uses, typed structurally so
 * that sluice compiles, and its other stores run, without `pg` installed or loaded: the module
 * is imported only when a `postgres://` store first connects (postgres-connection.ts).
 */

export interface PgQueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

export interface PgQueryConfig {
  readonly text: string;
  readonly values?: readonly unknown[];
  /** A prepared-statement name: parsed once per connection. */
  readonly name?: string;
}

/** A connection checked out of the pool. */
export interface PgPoolClient {
  query<R = Record<string, unknown>>(query: string | PgQueryConfig): Promise<PgQueryResult<R>>;
  /** Back to the pool; pass an error (or true) to destroy a connection that may be broken. */
  release(destroy?: Error | boolean): void;
  /** A checked-out connection that breaks emits 'error'; the pool listens only while it is idle. */
  on(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PgPool {
  connect(): Promise<PgPoolClient>;
  query<R = Record<string, unknown>>(query: string | PgQueryConfig): Promise<PgQueryResult<R>>;
  end(): Promise<void>;
  /** Idle connections that break emit 'error'; without a listener the process would crash. */
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export type PgTypeParser = (value: string) => unknown;

export interface PgPoolConfig {
  readonly connectionString: string;
  readonly max: number;
  /** Server settings for every connection, e.g. `-c search_path=x`. */
  readonly options?: string;
  readonly application_name: string;
  readonly connectionTimeoutMillis: number;
  readonly idleTimeoutMillis: number;
  readonly types: { getTypeParser(oid: number, format?: string): PgTypeParser };
}

/** The `pg` module: its Pool and its default type parsers. */
export interface PgModule {
  readonly Pool: new (config: PgPoolConfig) => PgPool;
  readonly types: { getTypeParser(oid: number, format?: string): PgTypeParser };
}

const PG = 'pg'; // a variable, so that type-checking needs neither `pg` nor `@types/pg`

/** Load `pg` (a CommonJS module: its exports arrive as `default`). */
export async function loadPg(): Promise<PgModule> {
  const mod = (await import(PG)) as { default?: PgModule } & PgModule;
  return mod.default ?? mod;
}
