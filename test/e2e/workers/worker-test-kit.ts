// Helpers shared by the partition-parallel acceptance tests (test/e2e/workers/*.test.ts).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { SluiceError } from '../../../src/core/errors.js';
import { snapshotRelationSql } from '../../../src/engine/relation-sql.js';
import { catalogKey } from '../../../src/snapshot/reader-catalog.js';
import { readCurrentSnapshot } from '../../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../../src/storage/local/local-object-store.js';
import { SqliteMetadataStore } from '../../../src/store/sqlite/sqlite-metadata-store.js';
import type { ItemRecord } from '../../../src/store/work-queue.js';
import { copyTo, query } from '../../helpers/duckdb-query.js';
import { model, writeProject } from '../../helpers/temp-project.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same trial schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Staging folders (and files) left under `<warehouse>/_staging`; [] when it is absent. */
export function stagingLeft(warehouse: string): string[] {
  const root = join(warehouse, '_staging');
  return existsSync(root) ? readdirSync(root) : [];
}

/** Every `.parquet` file under `dir`, relative to `base`, with `/` separators, sorted. */
export function parquetFiles(dir: string, base: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.parquet')) out.push(relative(base, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export interface GlobView {
  /** Keys the current manifest lists, sorted. */
  readonly manifestKeys: string[];
  readonly manifestRows: number;
  /** Keys a plain directory listing finds under the model folder, sorted. */
  readonly globKeys: string[];
  /** Rows DuckDB reads through `read_parquet('<warehouse>/<model>/**\/*.parquet')`. */
  readonly globRows: number;
}

/** What a reader that ignores manifests sees of a model, next to what its manifest says. */
export async function globView(warehouse: string, model: string): Promise<GlobView> {
  const manifest = await readCurrentSnapshot(new LocalObjectStore(warehouse), model);
  if (!manifest) throw new Error(`model ${model} has no snapshot in ${warehouse}`);
  const globKeys = parquetFiles(join(warehouse, model), warehouse);
  let globRows = 0;
  if (globKeys.length > 0) {
    const glob = join(warehouse, model, '**', '*.parquet').replaceAll("'", "''");
    const [row] = await query(`SELECT count(*) AS n FROM read_parquet('${glob}', hive_partitioning = false)`);
    globRows = Number(row!.n);
  }
  return { manifestKeys: manifest.files.map((f) => f.key).sort(), manifestRows: manifest.rows, globKeys, globRows };
}

export interface PublishedModel {
  /** As modelDigest (test/helpers/snapshot-digest.ts) computes it: rows and content checksum. */
  readonly digest: { rows: number; checksum: string };
  /** The same digest of what a reader sees through the documented path (the model's catalog). */
  readonly catalog: { rows: number; checksum: string };
  /** The leak check: what a plain glob of the model folder sees (not a documented read path). */
  readonly view: GlobView;
}

/** The SQL of a digest of `relation` (rows and a checksum of every row's text), as modelDigest's. */
function digestSql(columns: readonly { name: string }[], relation: string): string {
  const cols = columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ');
  return `SELECT count(*) AS n, coalesce(md5(string_agg(r, '|' ORDER BY r)), 'empty') AS h FROM (SELECT CAST(ROW(${cols}) AS VARCHAR) AS r FROM (${relation}))`;
}

/**
 * The documented read path (docs/guide.md "Where data goes"): ATTACH the model's catalog
 * read-only, run `sql` with `{model}` standing for the model's rows, DETACH.
 */
export async function readModel(
  conn: DuckDBConnection,
  warehouse: string,
  model: string,
  sql: string,
): Promise<Record<string, unknown>[]> {
  const file = join(warehouse, ...catalogKey(model).split('/')).replaceAll("'", "''");
  await conn.run(`ATTACH '${file}' AS sluice_read (READ_ONLY)`);
  try {
    return (
      await conn.runAndReadAll(sql.replaceAll('{model}', `sluice_read."${model.replaceAll('"', '""')}"()`))
    ).getRowObjectsJson();
  } finally {
    await conn.run('DETACH sluice_read');
  }
}

/**
 * modelDigest and globView of many models on ONE DuckDB instance (a fresh instance per query
 * costs ~80 ms; the kill trials check 14 models per trial). The digest SQL is modelDigest's.
 */
export async function publishedState(
  warehouse: string,
  models: readonly string[],
): Promise<Map<string, PublishedModel>> {
  const objects = new LocalObjectStore(warehouse);
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  const one = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson()[0]!;
  try {
    const out = new Map<string, PublishedModel>();
    for (const model of models) {
      const manifest = await readCurrentSnapshot(objects, model);
      if (!manifest) throw new Error(`model ${model} has no snapshot in ${warehouse}`);
      let digest = { rows: 0, checksum: 'empty' };
      if (manifest.files.length > 0) {
        const paths = await objects.localPaths(manifest.files.map((f) => f.key));
        const row = await one(
          digestSql(manifest.columns, snapshotRelationSql(paths, manifest.columns, manifest.partitionBy)),
        );
        digest = { rows: Number(row.n), checksum: String(row.h) };
      }
      const [seen] = await readModel(conn, warehouse, model, digestSql(manifest.columns, 'SELECT * FROM {model}'));
      const catalog = { rows: Number(seen!.n), checksum: String(seen!.h) };
      const globKeys = parquetFiles(join(warehouse, model), warehouse);
      const glob = join(warehouse, model, '**', '*.parquet').replaceAll("'", "''");
      const globRows =
        globKeys.length === 0
          ? 0
          : Number((await one(`SELECT count(*) AS n FROM read_parquet('${glob}', hive_partitioning = false)`)).n);
      out.set(model, {
        digest,
        catalog,
        view: {
          manifestKeys: manifest.files.map((f) => f.key).sort(),
          manifestRows: manifest.rows,
          globKeys,
          globRows,
        },
      });
    }
    return out;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Open the project's metadata store, run `fn`, close it. */
export async function withStore<T>(db: string, fn: (store: SqliteMetadataStore) => Promise<T>): Promise<T> {
  const store = new SqliteMetadataStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Like withStore, for polling while a run starts: undefined until the store file exists and is
 * migrated (the run creates it).
 */
export async function peekStore<T>(
  db: string,
  fn: (store: SqliteMetadataStore) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (!existsSync(db)) return undefined;
  try {
    return await withStore(db, fn);
  } catch (err) {
    if (err instanceof SluiceError && err.code === 'STORE_MIGRATION') return undefined;
    throw err;
  }
}

/** Poll `probe` every `everyMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The latest run of the project's metadata store that is still running (the one in progress). */
export async function runningRunId(store: SqliteMetadataStore): Promise<string | undefined> {
  return (await store.listRuns({ limit: 5 })).find((r) => r.status === 'running')?.id;
}

/** True while a process with this id exists (a stopped process exists too). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** An item's attempts, failures and holder, for assertion messages. */
export function describeItem(i: ItemRecord): string {
  return `${i.id} ${i.state} attempt=${i.attempt} code=${i.codeFailures} infra=${i.infraFailures} late=${i.lateWrites} worker=${i.workerId} error=${i.error}`;
}

/** Per work item (one day): 4 keys x this many md5 calls, ~0.5-1 s on one DuckDB thread. */
const HASH_ROUNDS = 600_000;

/**
 * A project for trials that disturb a worker mid-item: one slow model, `daily_hashes`, split by
 * day (one work item per day of `days`, 4 keys each), short leases and backoffs.
 */
export async function slowDaysProject(name: string, days: number): Promise<ReturnType<typeof writeProject>> {
  const sql =
    'select e.day, e.k, count(*) as n, max(md5(e.k || r.i::varchar)) as h\n' +
    `from events e, range(${HASH_ROUNDS}) r(i)\ngroup by e.day, e.k`;
  const p = writeProject({
    'sluice.yaml': [
      `name: ${name}`,
      'execution:',
      '  threads: 1',
      '  lease_seconds: 1.5',
      '  heartbeat_seconds: 0.3',
      '  backoff_seconds: 0.1',
      '  max_backoff_seconds: 0.2',
      '  target_item_size: 0',
      '',
    ].join('\n'),
    'sources/events.yml':
      'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
    'models/daily_hashes.sql': model({ type: 'fact', business_unit: 'lab', split_by: 'day' }, sql),
  });
  mkdirSync(join(p.root, 'data'), { recursive: true });
  const events = `SELECT DATE '2024-03-01' + (i // 4)::INT AS day, 'k' || (i % 4) AS k FROM range(${days * 4}) t(i)`;
  await copyTo(events, join(p.root, 'data/events'), 'FORMAT parquet, PARTITION_BY (day)');
  return p;
}
