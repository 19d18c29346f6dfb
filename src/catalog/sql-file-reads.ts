/**
 * Reads of files a model's SQL makes on its own, found in DuckDB's parse tree
 * (`json_serialize_sql`): file-reading table functions (`read_csv('…')`, `glob('…')`,
 * `parquet_metadata('…')`, `query('…')` …) and replacement scans of a path (`from 'x.csv'`).
 * They bypass the declared sources, fingerprints and lineage, so validate refuses them
 * (docs/adr/0014-sandbox.md); the sandbox refuses them again at run time.
 */

/** One refused read; `location` counts UTF-8 bytes of the SQL, as DuckDB reports it. */
export interface FileRead {
  /** What was found, for the message: `read_csv(...)` or `'data/x.csv'`. */
  readonly what: string;
  readonly location: number;
}

/** Table functions that read or write files, run SQL from a string, or touch the database's own files. */
const REFUSED = new Set([
  'glob',
  'query',
  'query_table',
  'json_execute_serialized_sql',
  'checkpoint',
  'force_checkpoint',
  'enable_logging',
  'enable_profiling',
  'which_secret',
]);

/** `read_*`, `parquet_*`, `sniff_*` and `*_scan` (parquet_scan, iceberg_scan, delta_scan …). */
const REFUSED_PATTERN = /^(read_|parquet_|sniff_)|_scan$/;

export function isRefusedTableFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return REFUSED.has(lower) || REFUSED_PATTERN.test(lower);
}

/** A table name DuckDB would resolve as a file (a replacement scan), e.g. `'data/x.parquet'`. */
export function isPathLike(tableName: string): boolean {
  return /[./\\:*?]/.test(tableName);
}

/** Every refused read in a serialized statement, in order of appearance. */
export function findFileReads(statement: unknown): FileRead[] {
  const found: FileRead[] = [];
  visit(statement, found);
  return found.sort((a, b) => a.location - b.location);
}

function visit(node: unknown, found: FileRead[]): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const location = typeof obj.query_location === 'number' ? obj.query_location : 0;
  if (obj.type === 'BASE_TABLE' && typeof obj.table_name === 'string' && isPathLike(obj.table_name)) {
    found.push({ what: `'${obj.table_name}'`, location });
  }
  if (obj.type === 'TABLE_FUNCTION') {
    const fn = obj.function as { function_name?: unknown } | undefined;
    if (typeof fn?.function_name === 'string' && isRefusedTableFunction(fn.function_name)) {
      found.push({ what: `${fn.function_name}(...)`, location });
    }
  }
  for (const key in obj) {
    const value = obj[key];
    if (value !== null && typeof value === 'object') visit(value, found);
  }
}
