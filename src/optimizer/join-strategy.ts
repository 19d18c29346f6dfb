import type { DuckDBConnection } from '@duckdb/node-api';
import { formatBytes as formatSize } from '../core/format-bytes.js';
import { quoteIdent } from '../engine/sql-quote.js';
import { BUCKET_COLUMN } from '../protocol/item-spec.js';
import { isRowWise } from './row-wise.js';
import { shuffleKeys } from './shuffle-keys.js';
import type { ColumnDef } from '../protocol/column-def.js';

/**
 * How a task's inputs are laid out over its work items (docs/adr/0011-join-strategy.md):
 * - `single`: one item reads everything;
 * - `split`: `split_by` divides the inputs partitioned by that column by value; the others are
 *   read whole by every item;
 * - `broadcast`: the one input above `broadcast_threshold` has its files divided among items,
 *   every other input is read whole by each (the model is row-wise in the large one);
 * - `shuffle`: the inputs above the threshold are hash-partitioned by the join key (map items),
 *   then bucket i of each is joined by its own item (reduce), the small inputs broadcast.
 */
export interface JoinChoice {
  readonly strategy: 'single' | 'split' | 'broadcast' | 'shuffle';
  /** Why, in a sentence: sizes against the threshold, and what ruled the others out. */
  readonly reason: string;
  readonly thresholdBytes: number;
  /** Inputs above the threshold (those split or shuffled; for `split`, the broadcast ones that exceed it). */
  readonly large: readonly string[];
  /** Shuffle: large input -> its key column. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Shuffle: buckets (reduce items). Broadcast: items the large input is divided into. */
  readonly buckets?: number;
}

export interface SizedInput {
  readonly name: string;
  readonly bytes: number;
  readonly files: number;
  /** Column names and types (read only when a shuffle is considered). */
  readonly columns: () => Promise<readonly ColumnDef[]>;
}

export interface JoinOptions {
  readonly thresholdBytes: number;
  readonly targetItemBytes: number;
  readonly maxItems: number;
}

/**
 * Choose the layout of a model without `split_by` from the bytes each input selects. With
 * every input at most the threshold, one item. With one above it, that input is divided into
 * items of about the target size when the model is row-wise in it. With several, a shuffle by
 * the join key when the SQL allows one (shuffle-keys.ts). Otherwise one item, saying why.
 */
export async function chooseJoin(
  conn: DuckDBConnection,
  sql: string,
  inputs: readonly SizedInput[],
  opts: JoinOptions,
): Promise<JoinChoice & { readonly keyType?: string }> {
  const threshold = opts.thresholdBytes;
  const base = { thresholdBytes: threshold };
  const large = threshold > 0 && opts.targetItemBytes > 0 ? inputs.filter((i) => i.bytes > threshold) : [];
  const sized = (list: readonly SizedInput[]) => list.map((i) => `${i.name} (${formatSize(i.bytes)})`).join(', ');
  const names = large.map((i) => i.name);
  if (threshold <= 0 || opts.targetItemBytes <= 0)
    return {
      ...base,
      strategy: 'single',
      large: [],
      reason: threshold <= 0 ? 'broadcast_threshold is 0: one item' : 'target_item_size is 0: one item',
    };
  if (large.length === 0)
    return {
      ...base,
      strategy: 'single',
      large: [],
      reason: `every input is at most broadcast_threshold (${formatSize(threshold)}): one item`,
    };
  if (large.length === 1) {
    const big = large[0]!;
    const parts = Math.min(big.files, Math.ceil(big.bytes / opts.targetItemBytes), opts.maxItems);
    if (parts < 2)
      return {
        ...base,
        strategy: 'single',
        large: names,
        reason: `${sized(large)} is above broadcast_threshold but ${big.files === 1 ? 'is one file' : 'fits one item'}: one item`,
      };
    if (!(await isRowWise(conn, sql, big.name)))
      return {
        ...base,
        strategy: 'single',
        large: names,
        reason: `${sized(large)} is above broadcast_threshold, but the model is not row-wise in it (it aggregates, uses a window, DISTINCT, LIMIT or a subquery on it, or outer-joins it from a small side): one item`,
      };
    const small = inputs.filter((i) => i !== big);
    return {
      ...base,
      strategy: 'broadcast',
      large: names,
      buckets: parts,
      reason: `${sized(large)} split into ${parts} items${small.length > 0 ? `; ${sized(small)} read whole by each` : ''}`,
    };
  }
  const columns = new Map<string, readonly ColumnDef[]>();
  for (const i of inputs) columns.set(i.name, await i.columns());
  const analysis = await shuffleKeys(
    conn,
    sql,
    new Map([...columns].map(([k, v]) => [k, v.map((c) => c.name)] as const)),
    names,
  );
  if ('reason' in analysis)
    return {
      ...base,
      strategy: 'single',
      large: names,
      reason: `${sized(large)} are above broadcast_threshold, but cannot be shuffled: ${analysis.reason}: one item`,
    };
  const keys = Object.fromEntries(names.map((n) => [n, analysis.keys.get(n.toLowerCase())!] as const));
  const typeOf = (input: string) =>
    columns.get(input)!.find((c) => c.name.toLowerCase() === keys[input]!.toLowerCase())?.type ?? 'VARCHAR';
  const keyType = await commonKeyType(conn, names.map(typeOf));
  if (keyType === undefined)
    return {
      ...base,
      strategy: 'single',
      large: names,
      reason: `${sized(large)} are above broadcast_threshold, but their keys have types that hash differently (${names.map((n) => `${n}.${keys[n]} ${typeOf(n)}`).join(', ')}): one item`,
    };
  const total = large.reduce((s, i) => s + i.bytes, 0);
  const buckets = Math.max(2, Math.min(opts.maxItems, Math.ceil(total / opts.targetItemBytes)));
  const small = inputs.filter((i) => !large.includes(i));
  return {
    ...base,
    strategy: 'shuffle',
    large: names,
    keys,
    keyType,
    buckets,
    reason: `${sized(large)} shuffled by ${names.map((n) => `${n}.${keys[n]}`).join(' = ')} into ${buckets} buckets${small.length > 0 ? `; ${sized(small)} read whole by each` : ''}`,
  };
}

/**
 * The type every key is cast to before hashing, so equal keys land in the same bucket: their
 * own when all agree, else the type DuckDB unifies them to, when all are numeric. Undefined
 * when they mix kinds (a string and a number compare after a cast that hashing would not make).
 */
async function commonKeyType(conn: DuckDBConnection, types: readonly string[]): Promise<string | undefined> {
  if (types.every((t) => t === types[0])) return types[0]!;
  const numeric =
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/i;
  if (!types.every((t) => numeric.test(t))) return undefined;
  const union = types.map((t) => `SELECT CAST(NULL AS ${t}) AS k`).join(' UNION ALL ');
  const reader = await conn.runAndReadAll(`DESCRIBE ${union}`);
  return String(reader.getRowObjects()[0]?.column_type);
}

/** The query a map item runs over its share of one large input: every column, plus its bucket. */
export function shuffleMapSql(input: string, key: string, keyType: string, buckets: number): string {
  return `SELECT *, CAST(hash(CAST(${quoteIdent(key)} AS ${keyType})) % ${buckets} AS INTEGER) AS ${quoteIdent(BUCKET_COLUMN)} FROM ${quoteIdent(input)}`;
}
