import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../engine/sql-quote.js';

/**
 * Static partition filters: for each input of a model, a boolean SQL expression over that
 * input's partition columns that every row the model can use satisfies, found in the model's
 * WHERE clauses with DuckDB's own parser (`json_serialize_sql`) and printed back with
 * `json_deserialize_sql`. A file whose partition values make the expression not TRUE holds no
 * row the query keeps, so it need not be read (docs/adr/0010-pruning-fingerprints-incremental.md).
 *
 * Conservative by construction: a conjunct (a top-level AND term) is used only if every column
 * it mentions is a partition column of that input (unqualified, or qualified by its alias), it
 * has no subquery, lambda, parameter or volatile function, and it has no integer literal beyond
 * JavaScript's exact range. An input referenced several times is pruned by the OR of each
 * reference's filter, and not at all if one reference has none. A reference under an outer
 * join keeps only conjuncts that are not TRUE when its columns are NULL (checked by the caller
 * through `nullRejecting`); ASOF, POSITIONAL and LATERAL joins prevent pruning. Anything else
 * means: no pruning.
 */
export interface FilterCandidate {
  /** SQL over the input's partition columns (unqualified names). */
  readonly sql: string;
  /** The input is on the NULL-supplying side of an outer join: the filter must reject NULLs. */
  readonly needsNullRejection: boolean;
}

/** Input name -> the filter to prune it by; inputs without a usable filter are absent. */
export async function partitionFilters(
  conn: DuckDBConnection,
  sql: string,
  partitionColumns: ReadonlyMap<string, readonly string[]>,
): Promise<Map<string, FilterCandidate>> {
  const out = new Map<string, FilterCandidate>();
  if (![...partitionColumns.values()].some((c) => c.length > 0)) return out;
  let tree: { error?: boolean; statements?: unknown[] };
  try {
    const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${quoteLiteral(sql)})`);
    tree = JSON.parse(String(reader.getRows()[0]?.[0])) as typeof tree;
  } catch {
    return out;
  }
  if (tree.error || tree.statements?.length !== 1) return out;
  const refs: { name: string; conjuncts: unknown[] | null; outer: boolean }[] = [];
  collect(tree.statements[0], new Set(), partitionColumns, refs);

  const byName = new Map<string, { conjuncts: unknown[] | null; outer: boolean }[]>();
  for (const r of refs) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, list] of byName) {
    if (list.some((r) => r.conjuncts === null || r.conjuncts.length === 0)) continue;
    const terms: string[] = [];
    for (const r of list) {
      const parts: string[] = [];
      for (const c of r.conjuncts!) {
        const text = await printExpression(conn, c);
        if (text !== undefined) parts.push(wrap(text));
      }
      if (parts.length === 0) {
        terms.length = 0;
        break;
      }
      terms.push(parts.join(' AND '));
    }
    if (terms.length === 0) continue;
    out.set(name, {
      sql: terms.length === 1 ? terms[0]! : terms.map(wrap).join(' OR '),
      needsNullRejection: list.some((r) => r.outer),
    });
  }
  return out;
}

type Node = Record<string, unknown>;

/**
 * Walk the statement. At each SELECT node, the base tables directly in its FROM (through joins)
 * get the WHERE conjuncts that mention only their partition columns; every base-table
 * reference anywhere is recorded, so a reference outside any analysed FROM disables pruning.
 */
function collect(
  node: unknown,
  scope: ReadonlySet<string>,
  partitions: ReadonlyMap<string, readonly string[]>,
  refs: { name: string; conjuncts: unknown[] | null; outer: boolean }[],
  analysed = new Map<object, { conjuncts: unknown[] | null; outer: boolean }>(),
): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, scope, partitions, refs, analysed);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Node;
  if (obj.type === 'BASE_TABLE' && typeof obj.table_name === 'string') {
    const name = obj.table_name.toLowerCase();
    const schema = typeof obj.schema_name === 'string' ? obj.schema_name : '';
    if ((schema === '' || schema === 'main') && !(scope.has(name) && schema === '') && partitions.has(name)) {
      const a = analysed.get(obj);
      refs.push({ name, conjuncts: a?.conjuncts ?? null, outer: a?.outer ?? false });
    }
    return;
  }
  let inner = scope;
  const ctes = (obj.cte_map as { map?: { key: string; value?: unknown }[] } | undefined)?.map;
  if (ctes && ctes.length > 0) {
    const names = new Set(scope);
    for (const cte of ctes) {
      const key = cte.key.toLowerCase();
      const recursive =
        (cte.value as { query?: { node?: { type?: string } } } | undefined)?.query?.node?.type === 'RECURSIVE_CTE_NODE';
      collect(cte.value, recursive ? new Set([...names, key]) : names, partitions, refs, analysed);
      names.add(key);
    }
    inner = names;
  }
  if (obj.type === 'SELECT_NODE') analyseSelect(obj, inner, partitions, analysed);
  for (const key in obj) {
    const value = obj[key];
    if (value !== null && typeof value === 'object' && key !== 'cte_map')
      collect(value, inner, partitions, refs, analysed);
  }
}

function analyseSelect(
  node: Node,
  scope: ReadonlySet<string>,
  partitions: ReadonlyMap<string, readonly string[]>,
  analysed: Map<object, { conjuncts: unknown[] | null; outer: boolean }>,
): void {
  const tables: { node: Node; name: string; alias: string; outer: boolean }[] = [];
  let prunable = true;
  const visit = (t: unknown, outer: boolean): void => {
    if (t === null || typeof t !== 'object') return;
    const ref = t as Node;
    if (ref.type === 'BASE_TABLE' && typeof ref.table_name === 'string') {
      const name = ref.table_name.toLowerCase();
      const alias = typeof ref.alias === 'string' && ref.alias !== '' ? ref.alias.toLowerCase() : name;
      if (!scope.has(name) && partitions.has(name)) tables.push({ node: ref, name, alias, outer });
      return;
    }
    if (ref.type === 'JOIN') {
      const kind = String(ref.ref_type ?? 'REGULAR');
      if (kind !== 'REGULAR' && kind !== 'NATURAL' && kind !== 'CROSS') prunable = false;
      const jt = String(ref.join_type ?? 'INNER');
      visit(ref.left, outer || jt === 'RIGHT' || jt === 'OUTER' || jt === 'FULL');
      visit(ref.right, outer || jt === 'LEFT' || jt === 'OUTER' || jt === 'FULL');
    }
  };
  visit(node.from_table, false);
  const conjuncts = splitAnd(node.where_clause);
  for (const t of tables) {
    const cols = new Set(partitions.get(t.name)!.map((c) => c.toLowerCase()));
    const usable = prunable ? conjuncts.filter((c) => usableFor(c, t.alias, cols)) : [];
    analysed.set(t.node, { conjuncts: usable.map(unqualify), outer: t.outer });
  }
}

function splitAnd(expr: unknown): unknown[] {
  if (expr === null || typeof expr !== 'object') return [];
  const e = expr as Node;
  if (e.class === 'CONJUNCTION' && e.type === 'CONJUNCTION_AND' && Array.isArray(e.children))
    return e.children.flatMap(splitAnd);
  return [expr];
}

const VOLATILE =
  /^(random|uuid|gen_random_uuid|uuidv4|uuidv7|now|today|current_.*|get_current_.*|transaction_timestamp|nextval|currval|setseed)$/i;

/** Every column is a partition column of this table; nothing that could vary or hide a scope. */
function usableFor(expr: unknown, alias: string, cols: ReadonlySet<string>): boolean {
  let columns = 0;
  let ok = true;
  const check = (n: unknown): void => {
    if (!ok) return;
    if (Array.isArray(n)) return n.forEach(check);
    if (typeof n === 'number' && Number.isInteger(n) && !Number.isSafeInteger(n)) ok = false;
    if (n === null || typeof n !== 'object') return;
    const o = n as Node;
    if (
      o.class === 'SUBQUERY' ||
      o.class === 'LAMBDA' ||
      o.class === 'PARAMETER' ||
      o.class === 'STAR' ||
      o.class === 'LAMBDA_REF' ||
      o.class === 'WINDOW' ||
      o.class === 'DEFAULT'
    ) {
      ok = false;
      return;
    }
    if (o.class === 'FUNCTION' && VOLATILE.test(String(o.function_name))) ok = false;
    if (o.class === 'COLUMN_REF') {
      const names = (o.column_names as string[]).map((s) => s.toLowerCase());
      columns++;
      if (names.length === 1 ? !cols.has(names[0]!) : names.length !== 2 || names[0] !== alias || !cols.has(names[1]!))
        ok = false;
      return;
    }
    // A parse-tree location may be 2^64-1 (unknown, e.g. the cast a typed literal like DATE '…'
    // becomes): it is not a value, so it does not matter that JavaScript cannot carry it exactly.
    for (const k in o) if (k !== 'query_location') check(o[k]);
  };
  check(expr);
  return ok && columns > 0;
}

/** Column references without their table qualifier, and locations zeroed (for printing back). */
function unqualify(expr: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(expr)) as unknown;
  const fix = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(fix);
    if (n === null || typeof n !== 'object') return;
    const o = n as Node;
    if (o.class === 'COLUMN_REF') o.column_names = [(o.column_names as string[]).at(-1)!];
    for (const k in o) fix(o[k]);
  };
  fix(copy);
  return copy;
}

/** Print one expression as SQL: put it in the select list of `SELECT 1` and deserialize. */
async function printExpression(conn: DuckDBConnection, expr: unknown): Promise<string | undefined> {
  try {
    const reader = await conn.runAndReadAll("SELECT json_serialize_sql('SELECT 1')");
    const template = JSON.parse(String(reader.getRows()[0]?.[0])) as {
      statements: { node: { select_list: unknown[] } }[];
    };
    template.statements[0]!.node.select_list = [expr];
    zeroLocations(template);
    const printed = await conn.runAndReadAll(`SELECT json_deserialize_sql(${quoteLiteral(JSON.stringify(template))})`);
    const text = String(printed.getRows()[0]?.[0] ?? '');
    return text.startsWith('SELECT ') ? text.slice('SELECT '.length) : undefined;
  } catch {
    return undefined;
  }
}

/** `query_location` may be 2^64-1 (unknown), which JavaScript numbers cannot carry back. */
function zeroLocations(n: unknown): void {
  if (Array.isArray(n)) return n.forEach(zeroLocations);
  if (n === null || typeof n !== 'object') return;
  const o = n as Node;
  if ('query_location' in o) o.query_location = 0;
  for (const k in o) zeroLocations(o[k]);
}

/** `(text)` unless text is already one parenthesised expression. */
function wrap(text: string): string {
  if (text.startsWith('(')) {
    let depth = 0;
    let quote: string | null = null;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (quote) {
        if (ch === quote) quote = null;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) {
        if (i === text.length - 1) return text;
        break;
      }
    }
  }
  return `(${text})`;
}
