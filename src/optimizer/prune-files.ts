import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../engine/sql-quote.js';
import type { ColumnDef } from '../protocol/column-def.js';

/** A file of an input with its hive partition values (null for `__HIVE_DEFAULT_PARTITION__`). */
export interface PartitionedFile {
  readonly bytes: number;
  readonly partition: Readonly<Record<string, string | null>>;
}

/**
 * Which files a filter over partition columns keeps: evaluated by DuckDB on the files'
 * partition values, cast to the types the read itself gives them (`columns`), so the filter
 * means exactly what it means in the model's SQL. A file is kept when the filter is TRUE.
 * Returns undefined when the filter cannot be evaluated (or, with `needsNullRejection`, does
 * not reject NULLs): the caller then reads every file.
 */
export async function filesMatching<F extends PartitionedFile>(
  conn: DuckDBConnection,
  files: readonly F[],
  columns: readonly ColumnDef[],
  filter: string,
  needsNullRejection = false,
): Promise<F[] | undefined> {
  if (columns.length === 0) return undefined;
  const typed = columns.map((c, i) => `CAST(v${i} AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
  try {
    if (needsNullRejection) {
      const nulls = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
      const r = await conn.runAndReadAll(`SELECT (${filter}) IS TRUE FROM (SELECT ${nulls})`);
      if (r.getRows()[0]?.[0] !== false) return undefined;
    }
    if (files.length === 0) return [];
    const rows = files.map((f, i) => `(${i}, ${columns.map((c) => literal(f.partition[c.name])).join(', ')})`);
    const names = ['i', ...columns.map((_, i) => `v${i}`)].join(', ');
    const reader = await conn.runAndReadAll(
      `SELECT i FROM (SELECT i, ${typed} FROM (VALUES ${rows.join(', ')}) AS t(${names})) WHERE (${filter}) ORDER BY i`,
    );
    return reader.getRows().map((r) => files[Number(r[0])]!);
  } catch {
    return undefined;
  }
}

function literal(v: string | null | undefined): string {
  return v === null || v === undefined ? 'CAST(NULL AS VARCHAR)' : quoteLiteral(v);
}

/** `key=value` folder segments of a path below `base` (decoded as DuckDB's hive reader does). */
export function hivePartition(path: string, base: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const rel = path.startsWith(base) ? path.slice(base.length) : path;
  const segments = rel.split(/[\\/]/).slice(0, -1);
  for (const s of segments) {
    const eq = s.indexOf('=');
    if (eq <= 0) continue;
    const value = decode(s.slice(eq + 1));
    out[decode(s.slice(0, eq))] = value === '__HIVE_DEFAULT_PARTITION__' ? null : value;
  }
  return out;
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
