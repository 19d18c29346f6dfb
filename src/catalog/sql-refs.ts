import { availableParallelism } from 'node:os';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { errorMessage, SluiceError } from '../core/errors.js';
import { duckdbApi } from '../engine/duckdb-api.js';
import { findFileReads } from './sql-file-reads.js';
import { firstKeyword, statementStarts } from './sql-scan.js';

/** A table a query reads; `offset` is the index in the SQL string (UTF-16, as JavaScript counts). */
export interface TableRef {
  readonly name: string;
  readonly offset: number;
}

export type RefResult =
  | {
      readonly ok: true;
      readonly refs: readonly TableRef[];
      /** Files the SQL reads by itself (table functions, path replacement scans): refused by validate. */
      readonly fileReads: readonly { readonly what: string; readonly offset: number }[];
    }
  | {
      readonly ok: false;
      readonly message: string;
      /** Where the problem is (index in the SQL string), when known. */
      readonly offset?: number;
      readonly reason: 'syntax' | 'not_select' | 'multiple_statements' | 'empty';
    };

/** Models per DuckDB query; chunks run on separate connections in parallel. */
const CHUNK = 1000;

/**
 * Parses each SQL text with DuckDB's `json_serialize_sql` (one in-memory instance, batched) and
 * returns the tables each one reads, in order of appearance: lowercase names, `schema.table` when
 * qualified with a schema other than `main`. CTE names in scope, table functions and file paths
 * (`from 'data/x.parquet'`) are not references.
 */
export async function extractTableRefs(sqls: readonly string[]): Promise<RefResult[]> {
  if (sqls.length === 0) return [];
  const instance = await parserInstance();
  const chunks: string[][] = [];
  for (let i = 0; i < sqls.length; i += CHUNK) chunks.push(sqls.slice(i, i + CHUNK));
  const lanes = Math.max(1, Math.min(availableParallelism(), 4, chunks.length));
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < lanes; i++) connections.push(await instance.connect());
    const results: RefResult[][] = new Array(chunks.length);
    let nextChunk = 0;
    await Promise.all(
      connections.map(async (conn) => {
        for (let c = nextChunk++; c < chunks.length; c = nextChunk++) results[c] = await parseChunk(conn, chunks[c]!);
      }),
    );
    return results.flat();
  } finally {
    for (const c of connections) c.closeSync();
  }
}

let shared: Promise<DuckDBInstance> | undefined;

/**
 * Start the parser's DuckDB now (it starts on a libuv thread), so that it is ready when
 * `extractTableRefs` needs it. A failure is reported by `extractTableRefs`, not here.
 */
export function warmUpParser(): void {
  parserInstance().catch(() => {});
}

/** One in-memory DuckDB for parsing, created on first use and kept (closing costs more than parsing). */
function parserInstance(): Promise<DuckDBInstance> {
  shared ??= duckdbApi.DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  }).catch((cause: unknown) => {
    shared = undefined;
    throw new SluiceError('EXEC_FAILED', 'could not start DuckDB to parse model SQL', { cause });
  });
  return shared;
}

async function parseChunk(conn: DuckDBConnection, sqls: readonly string[]): Promise<RefResult[]> {
  let column: readonly unknown[];
  try {
    column = await serialize(conn, sqls);
  } catch (err) {
    // json_serialize_sql reports parse errors as JSON; if the batch still fails, isolate the culprit.
    if (sqls.length === 1) return [{ ok: false, reason: 'syntax', message: cleanMessage(errorMessage(err)) }];
    return (await Promise.all(sqls.map((sql) => parseChunk(conn, [sql])))).flat();
  }
  const out: RefResult[] = [];
  for (let i = 0; i < sqls.length; i++) {
    const result = toResult(sqls[i]!, String(column[i]));
    out.push(result === NOT_SELECT ? await notSelect(conn, sqls[i]!) : result);
  }
  return out;
}

async function serialize(conn: DuckDBConnection, sqls: readonly string[]): Promise<readonly unknown[]> {
  const reader = await conn.runAndReadAll(
    'select json_serialize_sql(s, skip_empty := true, skip_null := true) from unnest($1) with ordinality as t(s, i) order by i',
    [duckdbApi.listValue([...sqls])],
    { 1: duckdbApi.LIST(duckdbApi.VARCHAR) },
  );
  return reader.getColumns()[0] ?? [];
}

interface SerializedSql {
  error?: boolean;
  error_message?: string;
  position?: string;
  statements?: unknown[];
}

/** Marks statements DuckDB would not serialize because they are not SELECTs. */
const NOT_SELECT = Symbol('not select');

function toResult(sql: string, json: string): RefResult | typeof NOT_SELECT {
  const parsed = JSON.parse(json) as SerializedSql;
  if (parsed.error) {
    const message = cleanMessage(parsed.error_message ?? 'cannot parse');
    if (/only select statements/i.test(message)) return NOT_SELECT;
    const position = parsed.position === undefined ? undefined : Number(parsed.position);
    return {
      ok: false,
      reason: 'syntax',
      message,
      ...(Number.isFinite(position) ? { offset: codePointsToIndex(sql, position!) } : {}),
    };
  }
  const statements = parsed.statements ?? [];
  if (statements.length === 0)
    return { ok: false, reason: 'empty', message: 'no SQL statement (only comments or whitespace)' };
  if (statements.length > 1) return multiple(sql, statements.length);
  const refs: TableRef[] = [];
  walk(statements[0], new Set(), (name, location) => refs.push({ name, offset: bytesToIndex(sql, location) }));
  refs.sort((a, b) => a.offset - b.offset);
  const fileReads = findFileReads(statements[0]).map((r) => ({ what: r.what, offset: bytesToIndex(sql, r.location) }));
  return { ok: true, refs, fileReads };
}

function multiple(sql: string, count: number): RefResult {
  const second = statementStarts(sql)[1];
  return {
    ok: false,
    reason: 'multiple_statements',
    message: `found ${count} statements; a model is exactly one SELECT (or WITH ... SELECT) statement`,
    ...(second === undefined ? {} : { offset: second }),
  };
}

async function notSelect(conn: DuckDBConnection, sql: string): Promise<RefResult> {
  let count = 1;
  try {
    count = (await conn.extractStatements(sql)).count;
  } catch {
    // Counted as one statement; the message below still says what is wrong.
  }
  if (count > 1) return multiple(sql, count);
  const keyword = firstKeyword(sql);
  return {
    ok: false,
    reason: 'not_select',
    message: `a model must be one SELECT (or WITH ... SELECT) statement; found ${keyword ? `${/^[AEIOU]/.test(keyword) ? 'an' : 'a'} ${keyword} statement` : 'another kind of statement'}`,
    offset: statementStarts(sql)[0] ?? 0,
  };
}

/** Drops DuckDB's `LINE n: ...` excerpt (the problem carries the file's own line). */
function cleanMessage(message: string): string {
  return message.replace(/\n+LINE \d+:[\s\S]*$/, '').trim();
}

/**
 * Collects BASE_TABLE references. A node's `cte_map` puts each CTE in scope for the CTEs after
 * it and for the rest of the node; a CTE sees itself only when it is recursive.
 */
function walk(node: unknown, scope: ReadonlySet<string>, found: (name: string, location: number) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, scope, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'BASE_TABLE' && typeof obj.table_name === 'string') {
    const name = refName(obj, scope);
    if (name !== undefined) found(name, typeof obj.query_location === 'number' ? obj.query_location : 0);
    return;
  }
  const ctes = (
    obj.cte_map as { map?: { key: string; value?: { query?: { node?: { type?: string } } } }[] } | undefined
  )?.map;
  let inner = scope;
  if (ctes && ctes.length > 0) {
    const names = new Set(scope);
    for (const cte of ctes) {
      const key = cte.key.toLowerCase();
      const recursive = cte.value?.query?.node?.type === 'RECURSIVE_CTE_NODE';
      walk(cte.value, recursive ? new Set([...names, key]) : names, found);
      names.add(key);
    }
    inner = names;
  }
  for (const key in obj) {
    const value = obj[key];
    if (value !== null && typeof value === 'object' && key !== 'cte_map') walk(value, inner, found);
  }
}

function refName(table: Record<string, unknown>, scope: ReadonlySet<string>): string | undefined {
  const name = String(table.table_name).toLowerCase();
  const schema = typeof table.schema_name === 'string' ? table.schema_name.toLowerCase() : '';
  const catalog = typeof table.catalog_name === 'string' ? table.catalog_name.toLowerCase() : '';
  // `from 'data/x.parquet'` is a replacement scan of a file, not a table.
  if (/[./\\:*?]/.test(name)) return undefined;
  if (catalog === '' && (schema === '' || schema === 'main'))
    return scope.has(name) && schema === '' ? undefined : name;
  return [catalog, schema, name].filter((p) => p !== '').join('.');
}

/** DuckDB's `query_location` counts UTF-8 bytes. */
function bytesToIndex(sql: string, bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) return 0;
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(sql)) return Math.min(bytes, sql.length);
  return Buffer.from(sql, 'utf8').subarray(0, bytes).toString('utf8').length;
}

/** DuckDB's parser error `position` counts code points. */
function codePointsToIndex(sql: string, points: number): number {
  let index = 0;
  for (let p = 0; p < points && index < sql.length; p++) index += (sql.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  return index;
}
