import { relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SluiceError } from '../core/errors.js';
import type { SourceDef } from '../core/types.js';
import type { ColumnDef } from '../protocol/column-def.js';
import { quoteIdent, quoteLiteral } from '../engine/sql-quote.js';

/** The types DuckDB's hive reader tries on folder values, in its order (then VARCHAR). */
const CANDIDATES = ['DATE', 'TIMESTAMP', 'BIGINT'] as const;

/** A listed file of a hive source: its path and its folder values (null: the default partition). */
export interface HiveFile {
  readonly id: string;
  readonly partition: Readonly<Record<string, string | null>>;
}

/**
 * The type of each partition column of a hive source (docs/adr/0015-schema-evolution.md): the
 * source contract's (`columns:`) when it names the column, else the first of DATE, TIMESTAMP,
 * BIGINT that more than half of the distinct folder values fit, else VARCHAR. A folder whose
 * value does not fit the type is an error naming the folder and the column, so one stray folder
 * can never turn a DATE column into VARCHAR. Reads pass these types as `hive_types`.
 */
export async function partitionTypes(
  conn: DuckDBConnection,
  projectRoot: string,
  source: SourceDef,
  files: readonly HiveFile[],
  keys: readonly string[],
): Promise<ColumnDef[]> {
  const out: ColumnDef[] = [];
  for (const key of keys) {
    const named = files.map((f) => f.partition[key]).filter((v): v is string => typeof v === 'string');
    const values = [...new Set(named)].sort();
    const declared = source.columns?.[key];
    const fits = await castable(conn, values, declared ? [declared] : CANDIDATES);
    const type = declared ?? CANDIDATES.find((t) => fits.get(t)!.size * 2 > values.length) ?? 'VARCHAR';
    const misfits = type === 'VARCHAR' ? [] : values.filter((v) => !fits.get(type)!.has(v));
    if (misfits.length > 0) {
      const file = files.find((f) => f.partition[key] === misfits[0])!.id;
      const folder = relative(projectRoot, file).replace(/[\\/][^\\/]*$/, '');
      const others = values.length - misfits.length;
      const why = declared ? 'the type its contract declares (columns:)' : `the type of its other ${others} folder(s)`;
      const where = `${source.location.file}:${source.location.line}: [source ${source.name}]`;
      throw new SluiceError(
        'EXEC_FAILED',
        `${where} folder ${folder}/: ${key} = '${misfits[0]}' is not a ${type}, ` +
          `${why}${misfits.length > 1 ? ` (${misfits.length} such values)` : ''}: remove the folder, or declare ` +
          `columns: { ${key}: VARCHAR } to read ${key} as text`,
      );
    }
    out.push({ name: key, type });
  }
  return out;
}

/** For each type, the values that cast to it. */
async function castable(
  conn: DuckDBConnection,
  values: readonly string[],
  types: readonly string[],
): Promise<Map<string, Set<string>>> {
  const out = new Map(types.map((t) => [t, new Set<string>()] as const));
  if (values.length === 0) return out;
  const casts = types.map((t, i) => `TRY_CAST(v AS ${t}) IS NOT NULL AS ${quoteIdent(`c${i}`)}`).join(', ');
  const list = values.map((v) => `(${quoteLiteral(v)})`).join(', ');
  const rows = (await conn.runAndReadAll(`SELECT v, ${casts} FROM (VALUES ${list}) t(v)`)).getRows();
  for (const row of rows) types.forEach((t, i) => row[i + 1] === true && out.get(t)!.add(String(row[0])));
  return out;
}
