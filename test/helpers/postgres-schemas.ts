/**
 * The PostgreSQL server the tests use (SLUICE_TEST_POSTGRES_URL, default the local one with
 * trust auth), and one throw-away schema per store: `sluice_t_<pid>_<random>`, dropped by the
 * test that made it, by `dropSchemasOfThisProcess()` at the end of the file, and, for a process
 * that died before it could, by `dropSchemasOfDeadProcesses()` at the start of the next run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, it } from 'node:test';
import pg from 'pg';
import {
  PostgresMetadataStore,
  type PostgresMetadataStoreOptions,
} from '../../src/store/postgres/postgres-metadata-store.js';

export const TEST_POSTGRES_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

const PREFIX = 'sluice_t_';
const made = new Set<string>();
let admin: pg.Pool | undefined;

function pool(): pg.Pool {
  if (admin === undefined) {
    admin = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 2, connectionTimeoutMillis: 5_000 });
    admin.on('error', () => undefined);
  }
  return admin;
}

/** Undefined if the server answers; else a message saying how to start it. */
export async function probePostgres(): Promise<string | undefined> {
  try {
    await pool().query('SELECT 1');
    return undefined;
  } catch (err) {
    return (
      `PostgreSQL is not reachable at ${TEST_POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')} (${(err as Error).message}). ` +
      `Start it with: ${START_POSTGRES} (or point SLUICE_TEST_POSTGRES_URL at another server)`
    );
  }
}

/** A URL naming a schema no one uses yet (the store creates it on migrate()). */
export function freshSchemaUrl(): { url: string; schema: string } {
  const schema = `${PREFIX}${process.pid}_${randomBytes(5).toString('hex')}`;
  made.add(schema);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('schema', schema);
  // Visibility and locking are unchanged; only the fsync at each commit (~2.5 ms here) goes.
  url.searchParams.set('options', '-c synchronous_commit=off');
  return { url: url.toString(), schema };
}

export async function dropSchema(schema: string): Promise<void> {
  await pool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  made.delete(schema);
}

export async function schemaExists(schema: string): Promise<boolean> {
  return (await pool().query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
}

export async function adminQuery<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  return (await pool().query<R>(sql, values)).rows;
}

export async function dropSchemasOfThisProcess(): Promise<void> {
  for (const schema of [...made]) await dropSchema(schema);
  await admin?.end();
  admin = undefined;
}

/** Schemas left by test processes that no longer run (killed mid-test). */
export async function dropSchemasOfDeadProcesses(): Promise<void> {
  const rows = await adminQuery<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspname LIKE '${PREFIX}%'`,
  );
  for (const { nspname } of rows) {
    const pid = Number(/^sluice_t_(\d+)_/.exec(nspname)?.[1]);
    if (Number.isInteger(pid) && !alive(pid)) await pool().query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Register a test file's suites if the server answers; otherwise one failing test that says
 * how to start it (never a silent skip). Schemas this process made are dropped at the end.
 */
export async function ifPostgresIsUp(register: () => void): Promise<void> {
  const unreachable = await probePostgres();
  after(() => dropSchemasOfThisProcess());
  if (unreachable !== undefined) {
    it('PostgreSQL is reachable', () => assert.fail(unreachable));
    return;
  }
  await dropSchemasOfDeadProcesses();
  register();
}

/** Stores on one fresh schema, all closed and the schema dropped after `fn`. */
export async function withSchema(
  fn: (open: (options?: PostgresMetadataStoreOptions) => PostgresMetadataStore, schema: string) => Promise<void>,
): Promise<void> {
  const { url, schema } = freshSchemaUrl();
  const opened: PostgresMetadataStore[] = [];
  try {
    await fn((options) => {
      const s = new PostgresMetadataStore(url, options);
      opened.push(s);
      return s;
    }, schema);
  } finally {
    for (const s of opened) await s.close();
    await dropSchema(schema);
  }
}
