import { relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage, SluiceError } from '../core/errors.js';
import type { SourceDef } from '../core/types.js';
import { filesRelationSql } from '../engine/relation-sql.js';
import type { FileInput } from '../protocol/file-input.js';
import { quoteIdent } from '../engine/sql-quote.js';

/**
 * Check a source's column contract (`columns:`) against every row of its files, file by file,
 * reading every declared column (a model that reads fewer columns would let a violating row
 * through while another model of the same run fails on it). Runs once per source per run: the
 * coordinator shares the promise among the source's readers (compile-items.ts), so every model
 * that reads a violating source fails with this same error before any of them publishes.
 * Parquet sources carry their types and are not scanned (ADR 0015).
 */
export async function checkSourceContract(
  conn: DuckDBConnection,
  projectRoot: string,
  source: SourceDef,
  read: FileInput,
  paths: readonly string[],
): Promise<void> {
  if (!source.columns || source.format === 'parquet') return;
  const counts = Object.keys(source.columns)
    .map((c) => `count(${quoteIdent(c)})`)
    .join(', ');
  for (const path of paths) {
    try {
      await conn.runAndReadAll(`SELECT ${counts} FROM ${filesRelationSql({ ...read, paths: [path] })}`);
    } catch (err) {
      throw new SluiceError(
        'EXEC_SQL',
        `${source.location.file}:${source.location.line}: [source ${source.name}] ${relative(projectRoot, path)} ` +
          `does not match the source's columns: contract: ${duckDbLines(errorMessage(err))}`,
        { cause: err },
      );
    }
  }
}

/** DuckDB's message up to its hints, on one line (it names the row: `CSV Error on Line: n`). */
function duckDbLines(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const cut = lines.findIndex((l) => /^(Possible fixes|Column .* is being converted)/.test(l));
  return (cut > 0 ? lines.slice(0, cut) : lines).slice(0, 4).join(' | ');
}
