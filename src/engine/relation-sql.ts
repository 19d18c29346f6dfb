import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { SourceDef } from '../core/types.js';
import type { ColumnDef } from '../protocol/column-def.js';
import type { FileInput } from '../protocol/file-input.js';
import { quoteIdent, quoteList, quoteLiteral } from './sql-quote.js';

const EXTENSIONS: Record<SourceDef['format'], readonly string[]> = {
  parquet: ['parquet'],
  csv: ['csv', 'csv.gz', 'tsv'],
  json: ['json', 'ndjson', 'jsonl', 'json.gz'],
};

/**
 * The file or glob(s) a source reads: a folder means every file of its format below it.
 * `firstFileOnly` narrows a folder to its first file (enough to learn the schema).
 */
export function sourceGlobs(projectRoot: string, source: SourceDef, firstFileOnly = false): string[] {
  const path = isAbsolute(source.path) ? source.path : join(projectRoot, source.path);
  if (/[*?[]/.test(source.path)) return [path];
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Missing: DuckDB reports "no files found" for the path, which the bind check turns into a problem.
  }
  if (!isDir) return [path];
  // One glob per extension actually present (DuckDB fails on a glob in a list that matches nothing).
  const names = readdirSync(path, { recursive: true, encoding: 'utf8' });
  if (firstFileOnly) {
    const first = names.filter((n) => EXTENSIONS[source.format].some((ext) => n.endsWith(`.${ext}`))).sort()[0];
    if (first !== undefined) return [join(path, first)];
  }
  const present = EXTENSIONS[source.format].filter((ext) => names.some((n) => n.endsWith(`.${ext}`)));
  return (present.length > 0 ? present : EXTENSIONS[source.format].slice(0, 1)).map((ext) =>
    join(path, '**', `*.${ext}`),
  );
}

/** A DuckDB table expression that reads a source (`schemaOnly`: just enough files for its schema). */
export function sourceRelationSql(projectRoot: string, source: SourceDef, schemaOnly = false): string {
  return filesRelationSql({ ...source, paths: sourceGlobs(projectRoot, source, schemaOnly) });
}

/** A DuckDB table expression that reads files of a source format. */
export function filesRelationSql(input: FileInput): string {
  const files = input.paths.length === 1 ? quoteLiteral(input.paths[0]!) : quoteList(input.paths);
  const types =
    input.hivePartitioning && input.hiveTypes && Object.keys(input.hiveTypes).length > 0 ? input.hiveTypes : undefined;
  const hive = `hive_partitioning = ${input.hivePartitioning}${types ? `, hive_types = ${structLiteral(types)}` : ''}`;
  switch (input.format) {
    case 'parquet':
      return `read_parquet(${files}, ${hive})`;
    case 'csv': {
      const opts = [hive, `header = ${input.header ?? true}`];
      if (input.delimiter !== undefined) opts.push(`delim = ${quoteLiteral(input.delimiter)}`);
      if (input.columns) opts.push(`types = ${structLiteral(input.columns)}`);
      return `read_csv(${files}, ${opts.join(', ')})`;
    }
    case 'json':
      return `read_json(${files}, ${hive}${input.columns ? `, columns = ${structLiteral(input.columns)}` : ''})`;
  }
}

/**
 * A query over a published snapshot's files, with the published column order and types
 * (partition columns come back from the folder names, typed by `hive_types`).
 */
export function snapshotRelationSql(
  localPaths: readonly string[],
  columns: readonly ColumnDef[],
  partitionBy: readonly string[],
): string {
  const projection = columns.map((c) => quoteIdent(c.name)).join(', ');
  if (localPaths.length === 0) {
    const nulls = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ');
    return `SELECT ${nulls} WHERE false`;
  }
  const types = columns.filter((c) => partitionBy.includes(c.name));
  const hive =
    partitionBy.length > 0
      ? `hive_partitioning = true, hive_types = {${types.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ')}}`
      : 'hive_partitioning = false';
  return `SELECT ${projection} FROM read_parquet(${quoteList(localPaths)}, ${hive})`;
}

function structLiteral(columns: Readonly<Record<string, string>>): string {
  return `{${Object.entries(columns)
    .map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`)
    .join(', ')}}`;
}
