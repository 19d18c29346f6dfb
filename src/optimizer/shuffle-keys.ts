import type { DuckDBConnection } from '@duckdb/node-api';
import { aggregateNames, parseSelect } from './sql-tree.js';

/**
 * Can a model run as a shuffle — each of its large inputs hash-partitioned by a join key into N
 * buckets, bucket i of every large input joined in its own work item, every other input read
 * whole by each item — with the same rows as one item reading everything? And by which column
 * of each large input? Conservative: anything it does not recognise is "no", with the reason.
 *
 * The rules (the model is one SELECT, no CTE, set operation, LIMIT, DISTINCT, QUALIFY or SAMPLE):
 * - each large input appears once, as a table of the FROM clause (not in a subquery);
 * - one equivalence class of columns, built from `=` conjuncts, holds a column of every large
 *   input: that column is its key;
 * - every join with large inputs on both sides equates their keys in its own ON/USING (an inner
 *   or cross join may do it in the WHERE clause), so rows that meet share a key and a bucket;
 * - the preserved side of an outer, semi or anti join holds a large input (a small preserved
 *   side would be emitted by every bucket);
 * - aggregates need a GROUP BY (no grouping sets) on the key of a large input that is never
 *   null-extended, and window functions a PARTITION BY on one: then each group is one bucket's.
 */
export type ShuffleAnalysis = { readonly keys: ReadonlyMap<string, string> } | { readonly reason: string };

type Node = Record<string, unknown>;

interface Table {
  readonly input: string;
  /** Alias, or the table name: how column references qualify it (lower case). */
  readonly ref: string;
  readonly nullable: boolean;
}

interface Column {
  readonly table: Table;
  readonly column: string;
}

export async function shuffleKeys(
  conn: DuckDBConnection,
  sql: string,
  /** Column names of every input (any case), to resolve unqualified references. */
  columnsOf: ReadonlyMap<string, readonly string[]>,
  /** The large inputs to partition (at least two). */
  large: readonly string[],
): Promise<ShuffleAnalysis> {
  const parsed = await parseSelect(conn, sql);
  if ('reason' in parsed) return parsed;
  const node = parsed.node;
  const shuffled = new Set(large.map((n) => n.toLowerCase()));
  const columns = new Map(
    [...columnsOf].map(([k, v]) => [k.toLowerCase(), new Set(v.map((c) => c.toLowerCase()))] as const),
  );

  const ctes = (node.cte_map as { map?: unknown[] } | undefined)?.map ?? [];
  if (ctes.length > 0) return { reason: 'it uses a WITH clause' };
  const modifiers = (node.modifiers as { type?: string }[] | undefined) ?? [];
  if (modifiers.some((m) => m.type !== 'ORDER_MODIFIER')) return { reason: 'it uses LIMIT or DISTINCT' };
  if (node.qualify || node.sample) return { reason: 'it uses QUALIFY or SAMPLE' };

  // The FROM clause: tables, null-extension, and the equalities each join states.
  const tables: Table[] = [];
  const links: { left: Table[]; right: Table[]; pairs: [Column, Column][]; inner: boolean }[] = [];
  let problem: string | undefined;
  const from = (t: unknown, nullable: boolean): Table[] => {
    if (problem !== undefined || t === null || typeof t !== 'object') return [];
    const r = t as Node;
    if (r.type === 'BASE_TABLE') {
      const schema = typeof r.schema_name === 'string' ? r.schema_name : '';
      const input = String(r.table_name).toLowerCase();
      if (schema !== '' && schema !== 'main') return [];
      if (shuffled.has(input) && tables.some((x) => x.input === input)) problem = `it reads ${input} twice`;
      const table = {
        input,
        ref: (typeof r.alias === 'string' && r.alias !== '' ? r.alias : input).toLowerCase(),
        nullable,
      };
      tables.push(table);
      return [table];
    }
    if (r.type === 'JOIN') {
      const ref = String(r.ref_type ?? 'REGULAR');
      const jt = String(r.join_type ?? 'INNER');
      if (ref !== 'REGULAR' && ref !== 'NATURAL' && ref !== 'CROSS') {
        problem = `it uses a ${ref.toLowerCase()} join`;
        return [];
      }
      if (!['INNER', 'LEFT', 'RIGHT', 'OUTER', 'SEMI', 'ANTI'].includes(jt)) {
        problem = `it uses a ${jt.toLowerCase()} join`;
        return [];
      }
      const left = from(r.left, nullable || jt === 'RIGHT' || jt === 'OUTER');
      const right = from(r.right, nullable || jt === 'LEFT' || jt === 'OUTER');
      const holdsLarge = (side: Table[]) => side.some((x) => shuffled.has(x.input));
      const preserved =
        jt === 'LEFT' || jt === 'SEMI' || jt === 'ANTI'
          ? [left]
          : jt === 'RIGHT'
            ? [right]
            : jt === 'OUTER'
              ? [left, right]
              : [];
      if (problem === undefined && preserved.some((side) => !holdsLarge(side)))
        problem = `a small input is the preserved side of a ${jt.toLowerCase()} join`;
      const scope = [...left, ...right];
      const pairs = equalities(r.condition, scope);
      const using =
        ref === 'NATURAL'
          ? commonColumns(left, right)
          : ((r.using_columns as string[] | undefined) ?? []).map((c) => c.toLowerCase());
      for (const c of using) {
        const l = left.filter((x) => columns.get(x.input)?.has(c));
        const rt = right.filter((x) => columns.get(x.input)?.has(c));
        if (l.length === 1 && rt.length === 1)
          pairs.push([
            { table: l[0]!, column: c },
            { table: rt[0]!, column: c },
          ]);
      }
      if (holdsLarge(left) && holdsLarge(right)) links.push({ left, right, pairs, inner: jt === 'INNER' });
      return scope;
    }
    if (r.type === 'SUBQUERY') {
      if (mentions(r, shuffled)) problem = 'it reads a large input in a subquery';
      return [];
    }
    return []; // table functions, VALUES: read no input
  };
  const commonColumns = (left: Table[], right: Table[]): string[] => {
    const names = (side: Table[]) => new Set(side.flatMap((x) => [...(columns.get(x.input) ?? [])]));
    const r = names(right);
    return [...names(left)].filter((c) => r.has(c));
  };
  /** `a.x = b.y` conjuncts between two columns of different tables in scope. */
  const equalities = (cond: unknown, scope: readonly Table[]): [Column, Column][] => {
    const out: [Column, Column][] = [];
    for (const c of conjuncts(cond)) {
      if ((c.type !== 'COMPARE_EQUAL' && c.type !== 'COMPARE_NOT_DISTINCT_FROM') || c.class !== 'COMPARISON') continue;
      const a = resolve(c.left, scope);
      const b = resolve(c.right, scope);
      if (a && b && a.table !== b.table) out.push([a, b]);
    }
    return out;
  };
  const resolve = (e: unknown, scope: readonly Table[]): Column | undefined => {
    const ref = e as Node | null;
    if (!ref || ref.class !== 'COLUMN_REF') return undefined;
    const names = (ref.column_names as string[]).map((n) => n.toLowerCase());
    if (names.length === 2) {
      const table = scope.find((x) => x.ref === names[0]);
      return table ? { table, column: names[1]! } : undefined;
    }
    if (names.length !== 1) return undefined;
    const owners = scope.filter((x) => columns.get(x.input)?.has(names[0]!));
    return owners.length === 1 ? { table: owners[0]!, column: names[0]! } : undefined;
  };

  from(node.from_table, false);
  if (problem !== undefined) return { reason: problem };
  for (const name of shuffled)
    if (!tables.some((t) => t.input === name)) return { reason: `it does not read ${name} in its FROM clause` };
  // Outside FROM, a table can only appear in a subquery.
  for (const part of [node.select_list, node.where_clause, node.having, node.group_expressions]) {
    if (mentions(part, shuffled)) return { reason: 'it reads a large input in a subquery' };
  }

  // Equivalence classes of columns of large inputs, from every equality that holds for the rows that meet.
  const where = equalities(node.where_clause, tables);
  const parent = new Map<string, string>();
  const id = (c: Column) => `${c.table.input}.${c.column}`;
  const find = (k: string): string => {
    const p = parent.get(k) ?? k;
    if (p === k) return k;
    const root = find(p);
    parent.set(k, root);
    return root;
  };
  const largePairs = [...links.flatMap((l) => l.pairs), ...where].filter(
    ([a, b]) => shuffled.has(a.table.input) && shuffled.has(b.table.input),
  );
  for (const [a, b] of largePairs) parent.set(find(id(a)), find(id(b)));
  const members = new Map<string, Column[]>();
  for (const pair of largePairs) {
    for (const c of pair) {
      const root = find(id(c));
      const list = members.get(root) ?? [];
      if (!list.some((x) => id(x) === id(c))) list.push(c);
      members.set(root, list);
    }
  }
  const candidates = [...members.values()].filter((cols) =>
    [...shuffled].every((name) => cols.filter((c) => c.table.input === name).length === 1),
  );
  if (candidates.length === 0) return { reason: `no equality joins ${[...shuffled].join(', ')} on one column each` };
  const named = (key: ReadonlyMap<string, string>) => [...key].map(([t, c]) => `${t}.${c}`).join(' = ');
  // Every join between large inputs must meet on the key: in its own condition, or (inner) in WHERE.
  const meetsEverywhere = (key: ReadonlyMap<string, string>) =>
    links.every((link) => {
      const isKey = (c: Column) => key.get(c.table.input) === c.column;
      const across = ([a, b]: [Column, Column]) =>
        isKey(a) &&
        isKey(b) &&
        ((link.left.includes(a.table) && link.right.includes(b.table)) ||
          (link.left.includes(b.table) && link.right.includes(a.table)));
      return link.pairs.some(across) || (link.inner && where.some(across));
    });
  const keys = candidates.map((cols) => new Map(cols.map((c) => [c.table.input, c.column] as const)));
  const keyOf = keys.find(meetsEverywhere);
  if (!keyOf)
    return { reason: `a join between ${[...shuffled].join(', ')} is not on their key alone (${named(keys[0]!)})` };
  const isKey = (c: Column | undefined) => c !== undefined && keyOf.get(c.table.input) === c.column;

  // Aggregates and windows: each group or window partition must be one bucket's.
  const anchored = (exprs: unknown): boolean =>
    (Array.isArray(exprs) ? exprs : []).some((e) => {
      const c = resolve(e, tables);
      return isKey(c) && !c!.table.nullable;
    });
  const aggregates = await aggregateNames(conn);
  let windows = true;
  let aggregating = false;
  walk([node.select_list, node.having, node.where_clause], (o) => {
    if (o.class === 'WINDOW' && !anchored(o.partitions)) windows = false;
    if (o.class === 'FUNCTION' && aggregates.has(String(o.function_name).toLowerCase())) aggregating = true;
    return true;
  });
  if (!windows) return { reason: 'a window function is not partitioned by the key' };
  const groupSets = (node.group_sets as unknown[] | undefined) ?? [];
  const groups = (node.group_expressions as unknown[] | undefined) ?? [];
  if (groupSets.length > 1) return { reason: 'it uses GROUPING SETS, ROLLUP or CUBE' };
  const groupAll = String(node.aggregate_handling ?? 'STANDARD_HANDLING') === 'FORCE_AGGREGATES';
  const grouped = groupAll ? anchored(node.select_list) : anchored(groups);
  if ((aggregating || groups.length > 0 || groupAll || node.having) && !grouped) {
    return {
      reason: `it aggregates, but not grouped by the key of an input that is never null-extended (${named(keyOf)})`,
    };
  }
  return { keys: keyOf };
}

function conjuncts(cond: unknown): Node[] {
  const c = cond as Node | null;
  if (!c || typeof c !== 'object') return [];
  if (c.class === 'CONJUNCTION' && c.type === 'CONJUNCTION_AND') return (c.children as unknown[]).flatMap(conjuncts);
  return [c];
}

/** Visit every object below `n`; `visit` returning false skips the object's children. */
function walk(n: unknown, visit: (o: Node) => boolean): void {
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) return n.forEach((x) => walk(x, visit));
  const o = n as Node;
  if (!visit(o)) return;
  for (const k in o) walk(o[k], visit);
}

function mentions(n: unknown, names: ReadonlySet<string>): boolean {
  let found = false;
  walk(n, (o) => {
    if (o.type === 'BASE_TABLE' && names.has(String(o.table_name).toLowerCase())) found = true;
    return !found;
  });
  return found;
}
