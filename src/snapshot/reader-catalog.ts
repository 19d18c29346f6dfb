import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError, errorMessage } from '../core/errors.js';
import { duckdbApi } from '../engine/duckdb-api.js';
import { quoteIdent, quoteList, quoteLiteral } from '../engine/sql-quote.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Manifest } from './manifest.js';
import { readCurrentSnapshot } from './read-snapshot.js';

/**
 * The reader catalog of a model (docs/adr/0012-read-path.md): a small DuckDB database file,
 * `<model>/_sluice/catalog.duckdb`, holding one table macro named after the model that reads
 * exactly the files of its current manifest, a table `sluice_snapshot` saying which snapshot
 * that is and a table `sluice_files` listing its files (path or URL, rows, bytes). Readers
 * `ATTACH` it read-only and `SELECT * FROM <alias>.<model>()`: files no manifest lists (a fenced
 * attempt's, a half-done publish's) are never read.
 */
export function catalogKey(model: string): string {
  return `${model}/_sluice/catalog.duckdb`;
}

/** The path or URL a reader's DuckDB opens for an object: an absolute path, or `s3://…`. */
export function readerUri(storeUri: string, key: string): string {
  if (storeUri.startsWith('file:')) return join(fileURLToPath(storeUri), ...key.split('/'));
  return `${storeUri.replace(/\/+$/, '')}/${key}`;
}

/**
 * The statements that fill a catalog for `manifest`. A macro, not a view: DuckDB binds a view
 * (opening its files) when it is created, which for `s3://` files needs httpfs where sluice runs;
 * a macro whose file list is a parameter default is bound when a reader calls it.
 */
export function catalogSql(manifest: Manifest, storeUri: string): string[] {
  const files = manifest.files.map((f) => readerUri(storeUri, f.key));
  const cols = manifest.columns;
  let body: string;
  if (files.length === 0) {
    body = `SELECT ${cols.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE false`;
  } else {
    const types = cols.filter((c) => manifest.partitionBy.includes(c.name));
    const typed = types.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
    const hive =
      manifest.partitionBy.length === 0
        ? 'hive_partitioning = false'
        : `hive_partitioning = true${typed ? `, hive_types = {${typed}}` : ''}`;
    body = `SELECT ${cols.map((c) => quoteIdent(c.name)).join(', ')} FROM read_parquet(files, ${hive})`;
  }
  const list = files.length === 0 ? 'CAST([] AS VARCHAR[])' : quoteList(files);
  const m = manifest;
  const fileRows = m.files.map((f, i) => `(${quoteLiteral(files[i]!)}, ${f.rows}, ${f.bytes})`);
  return [
    `CREATE MACRO ${quoteIdent(m.model)}(files := ${list}) AS TABLE ${body}`,
    'CREATE TABLE sluice_snapshot' +
      ' (model VARCHAR, snapshot BIGINT, run_id VARCHAR, created_at VARCHAR, files BIGINT, "rows" BIGINT)',
    `INSERT INTO sluice_snapshot VALUES (${quoteLiteral(m.model)}, ${m.snapshot}, ${quoteLiteral(m.runId)}, ` +
      `${quoteLiteral(m.createdAt)}, ${files.length}, ${m.rows})`,
    'CREATE TABLE sluice_files (path VARCHAR, "rows" BIGINT, bytes BIGINT)',
    ...(fileRows.length === 0 ? [] : [`INSERT INTO sluice_files VALUES ${fileRows.join(', ')}`]),
  ];
}

/** Build the catalog file for `manifest` locally and put it at its key (an atomic replace). */
export async function writeCatalog(objects: ObjectStore, manifest: Manifest): Promise<void> {
  const key = catalogKey(manifest.model);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-catalog-'));
  try {
    const file = join(dir, 'catalog.duckdb');
    const settings = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
    const db = await duckdbApi.DuckDBInstance.create(file, settings);
    try {
      const conn = await db.connect();
      try {
        for (const sql of catalogSql(manifest, objects.uri)) await conn.run(sql);
        await conn.run('CHECKPOINT');
      } finally {
        conn.closeSync();
      }
    } finally {
      db.closeSync();
    }
    await objects.putFile(key, file);
  } catch (err) {
    const what = `model ${manifest.model}: cannot write its reader catalog ${key} (snapshot ${manifest.snapshot})`;
    throw new SluiceError('STORAGE_IO', `${what}: ${errorMessage(err)}`, { cause: err });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Point the model's catalog at its current snapshot, starting from `published` (just committed).
 * Another publisher of the same model may put its catalog between our read and our write, so
 * after writing, check the current manifest again and rewrite until they agree: the last writer
 * always wrote what was current after its write, so no catalog is left stale (ADR 0012).
 */
export async function publishCatalog(objects: ObjectStore, published: Manifest): Promise<Manifest> {
  let manifest = published;
  for (let round = 0; round < 10; round++) {
    await writeCatalog(objects, manifest);
    const current = await readCurrentSnapshot(objects, manifest.model);
    if (!current || current.snapshot <= manifest.snapshot) return manifest;
    manifest = current;
  }
  return manifest;
}
