import { DuckDBInstance } from '@duckdb/node-api';

/** Run one query on a fresh in-memory DuckDB and return its rows as JSON-safe objects. */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Write a Parquet/CSV file (or hive folder) from a query: `COPY (<select>) TO <path> (<options>)`. */
export async function copyTo(select: string, path: string, options = 'FORMAT parquet'): Promise<void> {
  await query(`COPY (${select}) TO '${path.replaceAll("'", "''")}' (${options})`);
}
