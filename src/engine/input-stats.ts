import type { DuckDBConnection } from '@duckdb/node-api';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SourceFormat } from '../core/types.js';
import { quoteList, quoteLiteral } from './sql-quote.js';

/** Files one input of a work item reads: local paths or globs, in a source format. */
export interface InputFiles {
  readonly format: SourceFormat;
  readonly paths: readonly string[];
  /** Rows and bytes of `paths` when already known (an upstream snapshot's manifest): not read again. */
  readonly known?: { readonly rows: number; readonly bytes: number };
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
 * bytes, not rows (counting them would read them twice). Inputs whose size is `known` (an
 * upstream snapshot: its manifest lists rows and bytes per file) cost no query at all.
 */
export async function inputStats(conn: DuckDBConnection, inputs: readonly InputFiles[]): Promise<InputStats> {
  const seen = new Set<string>();
  const parquet: string[] = [];
  const unknown: string[] = [];
  let anyParquet = false;
  let knownRows = 0;
  let knownBytes = 0;
  const partitions = new Set<string>();
  for (const input of inputs) {
    if (input.format === 'parquet') anyParquet = true;
    if (input.known) {
      knownRows += input.known.rows;
      knownBytes += input.known.bytes;
      for (const path of input.paths) {
        if (seen.has(path)) continue;
        seen.add(path);
        countPartition(partitions, path);
      }
      continue;
    }
    for (const path of input.paths) {
      // A plain file path (every file of an upstream snapshot) needs no glob query.
      const matches = GLOB_CHARS.test(path)
        ? (await conn.runAndReadAll(`SELECT file FROM glob(${quoteLiteral(path)})`))
            .getRowObjects()
            .map((row) => String(row.file))
        : [path];
      for (const file of matches) {
        if (seen.has(file)) continue;
        seen.add(file);
        if (input.format === 'parquet') parquet.push(file);
        unknown.push(file);
      }
    }
  }
  let bytes = knownBytes;
  for (const file of unknown) {
    try {
      bytes += statSync(file).size;
    } catch {
      // gone since the glob: counts as 0 bytes
    }
    countPartition(partitions, file);
  }
  let rows: number | null = anyParquet ? knownRows : null;
  if (parquet.length > 0) {
    const reader = await conn.runAndReadAll(
      `SELECT COALESCE(SUM(num_rows), 0) AS n FROM parquet_file_metadata(${quoteList(parquet)})`,
    );
    rows = knownRows + Number(reader.getRowObjects()[0]?.n ?? 0);
  }
  return { files: seen.size, bytes, rows, partitions: partitions.size };
}

/** A hive partition folder (`…/k=v/file`) counts once. */
function countPartition(partitions: Set<string>, file: string): void {
  const dir = dirname(file);
  if (/[\\/][^\\/=]+=[^\\/]*$/.test(dir)) partitions.add(dir);
}
