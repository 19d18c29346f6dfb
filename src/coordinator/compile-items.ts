import type { DuckDBConnection } from '@duckdb/node-api';
import { SluiceError } from '../core/errors.js';
import type { ModelDef, Project, SourceDef } from '../core/types.js';
import { sourceGlobs } from '../engine/relation-sql.js';
import { quoteLiteral } from '../engine/sql-quote.js';
import { ITEM_SPEC_VERSION, type ItemInput, type ItemSpec } from '../executor/item-spec.js';
import type { Manifest } from '../snapshot/manifest.js';

/** An input split by partition value; `whole` is what a non-split read uses. */
interface SplitInput {
  readonly whole: ItemInput;
  /** Partition value -> the input restricted to it; undefined when not partitioned by the split column. */
  readonly byValue?: ReadonlyMap<string, ItemInput>;
  /** The input with no rows (for items whose values this input lacks). */
  readonly empty?: ItemInput;
}

export interface CompileContext {
  readonly project: Project;
  /** For listing source files (DuckDB's glob). */
  readonly conn: DuckDBConnection;
  /** Current snapshot of each upstream model. */
  readonly snapshots: ReadonlyMap<string, Manifest>;
}

/**
 * Compile a task into work items. Without `split_by`, one item reads everything. With it, the
 * inputs partitioned by that column (hive folders of sources, partitions of upstream models) are
 * split by value, the others are read whole by every item (broadcast), and consecutive values
 * are batched so that the task has at most `maxItems` items.
 */
export async function compileItems(ctx: CompileContext, model: ModelDef, snapshot: number, maxItems: number): Promise<ItemSpec[]> {
  const inputs = new Map<string, SplitInput>();
  for (const dep of model.dependsOn) {
    const source = ctx.project.sources.get(dep);
    inputs.set(dep, source ? await splitSource(ctx, source, model.splitBy) : splitSnapshot(dep, ctx.snapshots.get(dep)!, model.splitBy));
  }
  const base = { v: ITEM_SPEC_VERSION, model: runnable(model), snapshot } as const;
  const whole = (): ItemSpec => ({ ...base, inputs: [...inputs.values()].map((i) => i.whole), slice: null });
  if (model.splitBy === null) return [whole()];

  const values = new Set<string>();
  for (const i of inputs.values()) for (const v of i.byValue?.keys() ?? []) values.add(v);
  if (![...inputs.values()].some((i) => i.byValue)) {
    throw new SluiceError('EXEC_FAILED', `${model.file}:${model.location.line}: [model ${model.name}] split_by: ${model.splitBy}, but none of its inputs (${model.dependsOn.join(', ')}) is partitioned by ${model.splitBy}`);
  }
  if (values.size === 0) return [whole()];
  const sorted = [...values].sort();
  const batches = chunk(sorted, Math.ceil(sorted.length / maxItems));
  return batches.map((batch) => ({
    ...base,
    slice: { column: model.splitBy!, values: batch },
    inputs: [...inputs.values()].map((i) => (i.byValue ? mergeSlices(batch.map((v) => i.byValue!.get(v)).filter((x) => x !== undefined), i.empty!) : i.whole)),
  }));
}

function runnable(m: ModelDef): ItemSpec['model'] {
  return { name: m.name, file: m.file, sql: m.sql, sqlLine: m.sqlLine, partitionBy: m.partitionBy, location: m.location };
}

async function splitSource(ctx: CompileContext, source: SourceDef, splitBy: string | null): Promise<SplitInput> {
  const globs = sourceGlobs(ctx.project.root, source);
  const files = { format: source.format, paths: globs, hivePartitioning: source.hivePartitioning, ...(source.delimiter !== undefined && { delimiter: source.delimiter }), ...(source.header !== undefined && { header: source.header }), ...(source.columns && { columns: source.columns }) };
  const whole: ItemInput = { name: source.name, kind: 'files', files };
  if (splitBy === null || !source.hivePartitioning) return { whole };
  const listed: string[] = [];
  for (const g of globs) {
    const reader = await ctx.conn.runAndReadAll(`SELECT file FROM glob(${quoteLiteral(g)}) ORDER BY file`);
    for (const row of reader.getRows()) listed.push(String(row[0]));
  }
  const marker = `/${splitBy}=`;
  const byValue = new Map<string, string[]>();
  for (const f of listed) {
    const at = f.lastIndexOf(marker);
    if (at < 0) return { whole };
    const value = decodeSegment(f.slice(at + marker.length, f.indexOf('/', at + marker.length)));
    byValue.set(value, [...(byValue.get(value) ?? []), f]);
  }
  if (byValue.size === 0) return { whole };
  const slice = (paths: string[]): ItemInput => ({ name: source.name, kind: 'files', files: { ...files, paths } });
  return {
    whole,
    byValue: new Map([...byValue].map(([v, paths]) => [v, slice(paths)] as const)),
    empty: { name: source.name, kind: 'files', files: { ...files, paths: [listed[0]!] }, empty: true },
  };
}

function splitSnapshot(name: string, m: Manifest, splitBy: string | null): SplitInput {
  const input = (keys: string[]): ItemInput => ({ name, kind: 'snapshot', keys, columns: m.columns, partitionBy: m.partitionBy });
  const whole = input(m.files.map((f) => f.key));
  if (splitBy === null || !m.partitionBy.includes(splitBy)) return { whole };
  const byValue = new Map<string, string[]>();
  for (const f of m.files) {
    const v = f.partition[splitBy] ?? '__HIVE_DEFAULT_PARTITION__';
    byValue.set(v, [...(byValue.get(v) ?? []), f.key]);
  }
  return { whole, byValue: new Map([...byValue].map(([v, keys]) => [v, input(keys)] as const)), empty: input([]) };
}

/** One input covering several values: the union of their file lists. */
function mergeSlices(slices: ItemInput[], empty: ItemInput): ItemInput {
  if (slices.length === 0) return empty;
  const first = slices[0]!;
  if (first.kind === 'files') return { ...first, files: { ...first.files, paths: slices.flatMap((s) => (s.kind === 'files' ? s.files.paths : [])) } };
  return { ...first, keys: slices.flatMap((s) => (s.kind === 'snapshot' ? s.keys : [])) };
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Folder names percent-encode special characters (DuckDB, Hive, Spark): compare decoded values. */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
