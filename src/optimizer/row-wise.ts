import type { DuckDBConnection } from '@duckdb/node-api';
import { aggregateNames, parseSelect } from './sql-tree.js';

/**
 * Whether a model computes each row of `input` on its own, so that the input's files may be
 * divided among several work items and the union of their outputs equals one item's output:
 * one plain SELECT (no set operation, CTE, DISTINCT, LIMIT, GROUP BY, HAVING, QUALIFY, SAMPLE,
 * aggregate, window function or subquery), reading `input` exactly once, not on the
 * NULL-supplying side of an outer join, and with no ASOF/POSITIONAL/LATERAL join. Conservative:
 * anything else is "no". Aggregates are recognised by name from DuckDB's own catalogue.
 */
export async function isRowWise(conn: DuckDBConnection, sql: string, input: string): Promise<boolean> {
  const parsed = await parseSelect(conn, sql);
  if ('reason' in parsed) return false;
  const node = parsed.node;
  const ctes = (node.cte_map as { map?: unknown[] } | undefined)?.map ?? [];
  const modifiers = (node.modifiers as { type?: string }[] | undefined) ?? [];
  if (ctes.length > 0 || modifiers.some((m) => m.type !== 'ORDER_MODIFIER')) return false;
  if (((node.group_expressions as unknown[] | undefined)?.length ?? 0) > 0) return false;
  if (node.having || node.qualify || node.sample) return false;
  if (String(node.aggregate_handling ?? 'STANDARD_HANDLING') !== 'STANDARD_HANDLING') return false;

  const aggregates = await aggregateNames(conn);
  let bad = false;
  const exprs = (n: unknown): void => {
    if (bad || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(exprs);
    const o = n as Record<string, unknown>;
    if (
      o.class === 'WINDOW' ||
      o.class === 'SUBQUERY' ||
      (o.class === 'FUNCTION' && aggregates.has(String(o.function_name).toLowerCase()))
    )
      bad = true;
    if (o.type === 'SUBQUERY' && o.subquery) bad = true;
    for (const k in o) exprs(o[k]);
  };
  exprs(node.select_list);
  exprs(node.where_clause);

  let seen = 0;
  const from = (t: unknown, nullable: boolean): void => {
    if (bad || t === null || typeof t !== 'object') return;
    const r = t as Record<string, unknown>;
    if (r.type === 'BASE_TABLE') {
      const schema = typeof r.schema_name === 'string' ? r.schema_name : '';
      if (String(r.table_name).toLowerCase() === input && (schema === '' || schema === 'main')) {
        seen++;
        if (nullable) bad = true;
      }
      return;
    }
    if (r.type === 'JOIN') {
      const kind = String(r.ref_type ?? 'REGULAR');
      if (kind !== 'REGULAR' && kind !== 'NATURAL' && kind !== 'CROSS') bad = true;
      const jt = String(r.join_type ?? 'INNER');
      if (jt !== 'INNER' && jt !== 'LEFT' && jt !== 'RIGHT') bad = true;
      exprs(r.condition);
      from(r.left, nullable || jt === 'RIGHT');
      from(r.right, nullable || jt === 'LEFT');
      return;
    }
    if (r.type === 'SUBQUERY') {
      // A derived table might aggregate or read the input: only allowed if it does not mention it.
      if (JSON.stringify(r).toLowerCase().includes(`"table_name":"${input}"`)) bad = true;
      return;
    }
    // Table functions and empty FROMs read no input.
  };
  from(node.from_table, false);
  return !bad && seen === 1;
}
