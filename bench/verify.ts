import type { DuckDBConnection } from '@duckdb/node-api';
import { loadProject } from '../src/catalog/load-project.js';
import { snapshotRelationSql } from '../src/engine/relation-sql.js';
import { s3StoreOptions } from '../src/runtime/open-runtime.js';
import { quoteIdent } from '../src/engine/sql-quote.js';
import { readCurrentSnapshot } from '../src/snapshot/read-snapshot.js';
import { createObjectStore } from '../src/storage/create-object-store.js';
import { folderRelationSql } from './output-folder.js';

/**
 * Correctness before speed: every contender's output is compared with sluice's, model by
 * model, by row count, column names and an order-independent checksum computed by DuckDB.
 *
 * The checksum is the sum (as HUGEINT) of hash(row string) over all rows. A row string joins
 * the row's values in column-name order (so partition columns read back from folder names
 * count, wherever they end up), each value normalised so that engines that agree on the data
 * agree on the string: integers of any width as decimal text, DECIMAL/FLOAT/DOUBLE as 9
 * significant digits (summation order and DECIMAL-versus-DOUBLE arithmetic differ in the last
 * bits, not in the 9th digit), timestamps of any precision as microsecond text, NULL as \N.
 */
export interface TableChecksum {
  readonly rows: number;
  readonly checksum: string;
  /** Column names, sorted. */
  readonly columns: readonly string[];
}

/** Checksums of a contender's outputs, by model name. */
export type Checksums = Readonly<Record<string, TableChecksum>>;

export interface Verdict {
  readonly ok: boolean;
  /** One line per model that differs (or is missing), empty when ok. */
  readonly problems: readonly string[];
}

const INTEGER = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;
const FRACTIONAL = /^(FLOAT|DOUBLE|REAL|DECIMAL(\(\d+,\s*\d+\))?)$/;
const TIMESTAMP = /^TIMESTAMP(_S|_MS|_NS)?$/;

function normalised(column: string, type: string): string {
  const c = quoteIdent(column);
  const t = type.toUpperCase();
  let expr = `CAST(${c} AS VARCHAR)`;
  if (INTEGER.test(t)) expr = `CAST(${c} AS VARCHAR)`;
  else if (FRACTIONAL.test(t)) expr = `printf('%.9g', CAST(${c} AS DOUBLE))`;
  else if (TIMESTAMP.test(t)) expr = `strftime(CAST(${c} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')`;
  return `coalesce(${expr}, '\\N')`;
}

/** Row count, columns and checksum of a DuckDB table expression (`read_parquet(...)`, `(SELECT ...)`). */
export async function checksumRelation(conn: DuckDBConnection, relationSql: string): Promise<TableChecksum> {
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relationSql}`);
  const columns = described
    .getRowObjects()
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const row = `concat_ws(chr(31), ${columns.map((c) => normalised(c.name, c.type)).join(', ')})`;
  const reader = await conn.runAndReadAll(
    `SELECT count(*)::BIGINT AS n, coalesce(sum(hash(r)), 0)::VARCHAR AS h FROM (SELECT ${row} AS r FROM ${relationSql})`,
  );
  const result = reader.getRowObjects()[0]!;
  return { rows: Number(result.n), checksum: String(result.h), columns: columns.map((c) => c.name) };
}

/** Checksums of models written by a contender under `<outDir>/<model>/` (see output-folder.ts). */
export async function checksumFolders(
  conn: DuckDBConnection,
  outDir: string,
  models: readonly { readonly name: string; readonly partitioned: boolean }[],
): Promise<Checksums> {
  const out: Record<string, TableChecksum> = {};
  for (const m of models) {
    try {
      out[m.name] = await checksumRelation(conn, folderRelationSql(outDir, m.name, m.partitioned));
    } catch {
      // No readable output: reported as missing by compareChecksums.
    }
  }
  return out;
}

/** Checksums of every model of a sluice project, read through each model's current manifest. */
export async function checksumSluice(conn: DuckDBConnection, root: string): Promise<Checksums> {
  const project = await loadProject(root);
  const objects = createObjectStore(project.config.storage.objects, project.root, { s3: s3StoreOptions(project) });
  const out: Record<string, TableChecksum> = {};
  try {
    for (const name of project.models.keys()) {
      const manifest = await readCurrentSnapshot(objects, name);
      if (!manifest) continue;
      const paths = await objects.localPaths(manifest.files.map((f) => f.key));
      out[name] = await checksumRelation(
        conn,
        `(${snapshotRelationSql(paths, manifest.columns, manifest.partitionBy)})`,
      );
    }
  } finally {
    await objects.close();
  }
  return out;
}

/** Compares a contender's checksums with the reference (sluice's) for `models`. */
export function compareChecksums(reference: Checksums, candidate: Checksums, models: readonly string[]): Verdict {
  const problems: string[] = [];
  for (const model of models) {
    const want = reference[model];
    const got = candidate[model];
    if (!want) problems.push(`${model}: no reference output`);
    else if (!got) problems.push(`${model}: no output`);
    else if (want.columns.join(',') !== got.columns.join(','))
      problems.push(`${model}: columns differ: [${got.columns.join(', ')}] instead of [${want.columns.join(', ')}]`);
    else if (want.rows !== got.rows) problems.push(`${model}: ${got.rows} rows instead of ${want.rows}`);
    else if (want.checksum !== got.checksum)
      problems.push(
        `${model}: same ${got.rows} rows, different data (checksum ${got.checksum} instead of ${want.checksum})`,
      );
  }
  return { ok: problems.length === 0, problems };
}
