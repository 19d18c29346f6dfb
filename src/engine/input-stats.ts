import type { DuckDBConnection } from '@duckdb/node-api';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SourceFormat } from '../core/types.js';
import { quoteList, quoteLiteral } from './sql-quote.js';

/** Files one input of a work item reads: local paths or globs, in a source format. */
export interface InputFiles {
  readonly format: SourceFormat;
  readonly paths: readonly string[];
}

/** Characters that make a path a glob pattern for DuckDB. */
const GLOB_CHARS = /[*?[\]{}]/;

/** What a work item's inputs amount to, from file metadata (no data is read). */
export interface InputStats {
  readonly files: number;
  readonly bytes: number;
  /** Rows in the Parquet files (their footers); null when no input is Parquet. */
  readonly rows: number | null;
  /** Distinct hive partition folders (`k=v`) among the files. */
  readonly partitions: number;
}

/**
 * Expand each input's globs with DuckDB's `glob()`, size the files, and count the rows of the
 * Parquet ones from their footers (`parquet_file_metadata`). CSV and JSON files add files and
 * bytes, not rows (counting them would read them twice).
 */
export async function inputStats(conn: DuckDBConnection, inputs: readonly InputFiles[]): Promise<InputStats> {
  const seen = new Set<string>();
  const parquet: string[] = [];
  let anyParquet = false;
  for (const input of inputs) {
    if (input.format === 'parquet') anyParquet = true;
    for (const path of input.paths) {
      // A plain file path (every file of an upstream snapshot) needs no glob query.
      const matches = GLOB_CHARS.test(path) ? (await conn.runAndReadAll(`SELECT file FROM glob(${quoteLiteral(path)})`)).getRowObjects().map((row) => String(row.file)) : [path];
      for (const file of matches) {
        if (seen.has(file)) continue;
        seen.add(file);
        if (input.format === 'parquet') parquet.push(file);
      }
    }
  }
  let bytes = 0;
  const partitions = new Set<string>();
  for (const file of seen) {
    try {
      bytes += statSync(file).size;
    } catch {
      // gone since the glob: counts as 0 bytes
    }
    const dir = dirname(file);
    if (/[\\/][^\\/=]+=[^\\/]*$/.test(dir)) partitions.add(dir);
  }
  let rows: number | null = anyParquet ? 0 : null;
  if (parquet.length > 0) {
    const reader = await conn.runAndReadAll(`SELECT COALESCE(SUM(num_rows), 0) AS n FROM parquet_file_metadata(${quoteList(parquet)})`);
    rows = Number(reader.getRowObjects()[0]?.n ?? 0);
  }
  return { files: seen.size, bytes, rows, partitions: partitions.size };
}
