import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../engine/sql-quote.js';

/** One node of DuckDB's serialized parse tree (json_serialize_sql). */
export type SqlNode = Record<string, unknown>;

/**
 * A model's SQL as DuckDB parses it, when it is one plain SELECT (not a set operation, not
 * several statements); else why not. Parses only: binds nothing, reads nothing.
 */
export async function parseSelect(
  conn: DuckDBConnection,
  sql: string,
): Promise<{ readonly node: SqlNode } | { readonly reason: string }> {
  let tree: { error?: boolean; statements?: { node?: SqlNode }[] };
  try {
    const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)})`);
    tree = JSON.parse(String(reader.getRows()[0]?.[0])) as typeof tree;
  } catch {
    return { reason: 'its SQL could not be analysed' };
  }
  const node = tree.statements?.[0]?.node;
  if (tree.error || tree.statements?.length !== 1 || !node) return { reason: 'its SQL could not be analysed' };
  if (node.type !== 'SELECT_NODE') return { reason: 'it is a set operation (UNION, EXCEPT, INTERSECT)' };
  return { node };
}

let cached: Promise<Set<string>> | undefined;

/** Names of DuckDB's aggregate functions (lower case), from its own catalogue; read once. */
export async function aggregateNames(conn: DuckDBConnection): Promise<Set<string>> {
  cached ??= conn
    .runAndReadAll("SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'aggregate'")
    .then((r) => new Set(r.getRows().map((row) => String(row[0]))))
    .catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
  return cached;
}
