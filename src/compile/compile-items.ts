import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SluiceError } from '../core/errors.js';
import { formatBytes } from '../core/format-bytes.js';
import type { DataInterval, ModelDef, Project, SourceDef } from '../core/types.js';
import { filesRelationSql, sourceGlobs } from '../engine/relation-sql.js';
import { quoteIdent, quoteLiteral } from '../engine/sql-quote.js';
import {
  BUCKET_COLUMN,
  ITEM_SPEC_VERSION,
  type InputScan,
  type ItemInput,
  type ItemSpec,
  type ShufflePlan,
} from '../protocol/item-spec.js';
import { fingerprint, modelIdentity, type InputIdentity } from '../optimizer/fingerprint.js';
import { chooseJoin, shuffleMapSql, type JoinChoice } from '../optimizer/join-strategy.js';
import { partitionFilters } from '../optimizer/partition-filters.js';
import { filesMatching, hivePartition, type PartitionedFile } from '../optimizer/prune-files.js';
import { isRowWise } from '../optimizer/row-wise.js';
import { partitionTypes } from './partition-types.js';
import { checkSourceContract } from './source-contract.js';
import { divideFiles, sizeItems, type Sizing } from '../optimizer/size-items.js';
import type { Manifest } from '../snapshot/manifest.js';
import type { ColumnDef } from '../protocol/column-def.js';
import type { FileInput } from '../protocol/file-input.js';
import type { PublishPlan } from '../protocol/publish-plan.js';

export interface CompileContext {
  readonly project: Project;
  /** For listing source files (DuckDB's glob) and evaluating partition filters. */
  readonly conn: DuckDBConnection;
  /** Current snapshot of each upstream model. */
  readonly snapshots: ReadonlyMap<string, Manifest>;
  /** The run's data interval (none: the whole history). */
  readonly interval?: DataInterval;
  /** The model's own current snapshot: an incremental model builds on it. */
  readonly previous?: Manifest;
  /** Build incremental models whole (`--full-refresh`). */
  readonly fullRefresh?: boolean;
  /** Adaptive sizing of split tasks (execution.target_item_size); 0 or absent: one item per value. */
  readonly targetItemBytes?: number;
  /** execution.broadcast_threshold: inputs above it are split or shuffled (optimizer/join-strategy.ts); 0 or absent: never. */
  readonly broadcastBytes?: number;
  /**
   * Source listings shared by the tasks of one run (each source is globbed, stat'ed and typed
   * once per run, and every model of the run sees the same files).
   */
  readonly sourceListings?: Map<string, Promise<unknown>>;
}

/** A compiled task: its work items and what the optimizer decided. */
export interface CompiledTask {
  /** Empty when `nothingToDo` is set. */
  readonly items: ItemSpec[];
  /** Hash of the model and every input file it reads (before the interval): see fingerprint.ts. */
  readonly fingerprint: string;
  /** Per input: files and bytes the items read vs listed, and the filter that pruned them. */
  readonly scans: InputScan[];
  readonly publish: PublishPlan;
  /** Incremental: the values of the split column to build, those unchanged, and those gone. */
  readonly incremental: {
    readonly built: readonly string[];
    readonly unchanged: number;
    readonly removed: readonly string[];
  } | null;
  /** Why no item is needed (an incremental model with no new or changed partition). */
  readonly nothingToDo?: string;
  /** Split tasks: how values were coalesced and split into items, and how skewed they are. */
  readonly sizing: Omit<Sizing, 'items'> | null;
  /** How the inputs are laid out over the items, and why. */
  readonly join: JoinChoice;
}

/** One file of an input, as listed: a source file (path) or a snapshot file (object key). */
interface ListedFile extends PartitionedFile {
  readonly id: string;
  readonly mtimeMs: number;
}

interface ListedInput {
  readonly name: string;
  /** A source's column contract checked against all its rows (source-contract.ts); snapshots: none. */
  readonly checkContract: () => Promise<void>;
  readonly kind: 'files' | 'snapshot';
  readonly files: readonly ListedFile[];
  /** Partition columns present in every file, with the types the read gives them. */
  readonly partitionColumns: readonly ColumnDef[];
  /** The input restricted to a list of files (empty list: the schema, no rows). */
  readonly restrict: (files: readonly ListedFile[]) => ItemInput;
  /** Every column of the input, with its type (a source reads one file's schema). */
  readonly columns: () => Promise<readonly ColumnDef[]>;
  readonly identity: (files: readonly ListedFile[]) => InputIdentity;
}

const NULL_VALUE = '__HIVE_DEFAULT_PARTITION__';

/**
 * Compile a task into work items. Every input is listed file by file, pruned by the filters on
 * its partition columns found in the model's SQL (and, for a model split by a column it is
 * partitioned by, by the run's interval), and handed to the items as an explicit file list.
 * Without `split_by`, one item reads everything selected. With it, the inputs partitioned by that
 * column are split by value, the others are read whole by every item (broadcast), and consecutive
 * values are batched so that the task has at most `maxItems` items. An incremental model builds
 * only the values whose inputs are new (append) or new or changed (replace) since its snapshot.
 */
export async function compileItems(
  ctx: CompileContext,
  model: ModelDef,
  snapshot: number,
  maxItems: number,
): Promise<CompiledTask> {
  const listed: ListedInput[] = [];
  for (const dep of model.dependsOn) {
    const source = ctx.project.sources.get(dep);
    listed.push(source ? await cachedListing(ctx, source) : listSnapshot(dep, ctx.snapshots.get(dep)!));
  }
  const filters = await partitionFilters(
    ctx.conn,
    model.sql,
    new Map(listed.map((i) => [i.name, i.partitionColumns.map((c) => c.name)] as const)),
  );
  const split = model.splitBy;
  const intervalFilter = split !== null && model.partitionBy.includes(split) ? intervalSql(split, ctx.interval) : null;

  const selected = new Map<string, readonly ListedFile[]>();
  const scanBase = new Map<string, Omit<InputScan, 'files' | 'bytes'>>();
  const identities: InputIdentity[] = [];
  for (const input of listed) {
    const filter = filters.get(input.name);
    let files = input.files;
    let applied: string | null = null;
    if (filter) {
      const kept = await filesMatching(ctx.conn, files, input.partitionColumns, filter.sql, filter.needsNullRejection);
      if (kept) {
        files = kept;
        applied = filter.sql;
      }
    }
    identities.push(input.identity(files));
    if (intervalFilter !== null && input.partitionColumns.some((c) => c.name === split)) {
      const kept = await filesMatching(
        ctx.conn,
        files,
        input.partitionColumns.filter((c) => c.name === split),
        intervalFilter,
      );
      if (!kept)
        throw new SluiceError(
          'EXEC_FAILED',
          `${model.file}:${model.location.line}: [model ${model.name}] cannot compare ${split} of ${input.name} with the run's interval (${intervalFilter})`,
        );
      files = kept;
      applied = applied === null ? intervalFilter : `(${applied}) AND (${intervalFilter})`;
    }
    selected.set(input.name, files);
    scanBase.set(input.name, {
      name: input.name,
      totalFiles: input.files.length,
      totalBytes: sum(input.files),
      filter: applied,
    });
  }
  const whole = fingerprint(modelIdentity(model), identities);
  const scanOf = (name: string, files: readonly ListedFile[]): InputScan => ({
    ...scanBase.get(name)!,
    files: files.length,
    bytes: sum(files),
  });
  const withScan = (input: ListedInput, files: readonly ListedFile[]): ItemInput => ({
    ...input.restrict(files),
    scan: scanOf(input.name, files),
  });
  const base = { v: ITEM_SPEC_VERSION, model: runnable(model), snapshot } as const;
  if (split === null) {
    const join = await chooseJoin(
      ctx.conn,
      model.sql,
      listed.map((i) => ({
        name: i.name,
        bytes: sum(selected.get(i.name)!),
        files: selected.get(i.name)!.length,
        columns: i.columns,
      })),
      { thresholdBytes: ctx.broadcastBytes ?? 0, targetItemBytes: ctx.targetItemBytes ?? 0, maxItems },
    );
    const scans = listed.map((i) => scanOf(i.name, selected.get(i.name)!));
    const task = {
      fingerprint: whole,
      scans,
      publish: { fingerprint: whole, carry: null, partitions: null },
      incremental: null,
      sizing: null,
      join,
    } as const;
    if (join.strategy === 'broadcast') {
      const big = listed.find((i) => i.name === join.large[0])!;
      const shares = divideFiles(selected.get(big.name)!, join.buckets!);
      return {
        ...task,
        items: shares.map((share): ItemSpec => ({
          ...base,
          slice: null,
          inputs: listed.map((i) => withScan(i, i === big ? share : selected.get(i.name)!)),
        })),
      };
    }
    if (join.strategy === 'shuffle') {
      const plan: ShufflePlan = {
        model: runnable(model),
        buckets: join.buckets!,
        keys: join.keys!,
        inputs: listed.map((i) =>
          join.large.includes(i.name) ? { shuffled: i.name } : withScan(i, selected.get(i.name)!),
        ),
      };
      const items: ItemSpec[] = [];
      for (const name of join.large) {
        const input = listed.find((i) => i.name === name)!;
        const files = selected.get(name)!;
        const maps = Math.max(
          1,
          Math.min(files.length, Math.ceil(sum(files) / (ctx.targetItemBytes || Infinity)), maxItems),
        );
        for (const share of divideFiles(files, maps)) {
          const mapModel = {
            ...base.model,
            sql: shuffleMapSql(name, join.keys![name]!, join.keyType!, join.buckets!),
            partitionBy: [BUCKET_COLUMN],
          };
          items.push({
            ...base,
            model: mapModel,
            slice: null,
            inputs: [withScan(input, share)],
            shuffle: { stage: 'map', input: name, buckets: join.buckets!, ...(items.length === 0 && { plan }) },
          });
        }
      }
      return { ...task, items };
    }
    return {
      ...task,
      items: [{ ...base, inputs: listed.map((i) => withScan(i, selected.get(i.name)!)), slice: null }],
    };
  }

  const partitioned = listed.filter((i) => i.partitionColumns.some((c) => c.name === split));
  if (partitioned.length === 0) {
    throw new SluiceError(
      'EXEC_FAILED',
      `${model.file}:${model.location.line}: [model ${model.name}] split_by: ${split}, but none of its inputs (${model.dependsOn.join(', ')}) is partitioned by ${split}`,
    );
  }
  const threshold = ctx.broadcastBytes ?? 0;
  const whole_ = listed.filter((i) => !partitioned.includes(i));
  const over = threshold > 0 ? whole_.filter((i) => sum(selected.get(i.name)!) > threshold) : [];
  const join: JoinChoice = {
    strategy: 'split',
    thresholdBytes: threshold,
    large: over.map((i) => i.name),
    reason: `split_by ${split}: ${partitioned.map((i) => i.name).join(', ')} divided by value${whole_.length > 0 ? `; ${whole_.map((i) => `${i.name} (${formatBytes(sum(selected.get(i.name)!))})`).join(', ')} read whole by each item` : ''}${over.length > 0 ? `, though ${over.map((i) => i.name).join(', ')} ${over.length === 1 ? 'is' : 'are'} above broadcast_threshold (${formatBytes(threshold)}): split_by fixes the layout` : ''}`,
  };
  const byValue = new Map<string, Map<string, ListedFile[]>>();
  const values = new Set<string>();
  for (const input of partitioned) {
    const groups = new Map<string, ListedFile[]>();
    for (const f of selected.get(input.name)!) {
      const v = f.partition[split] ?? NULL_VALUE;
      groups.set(v, [...(groups.get(v) ?? []), f]);
      values.add(v);
    }
    byValue.set(input.name, groups);
  }
  const filesFor = (i: ListedInput, vs: readonly string[]): readonly ListedFile[] => {
    const groups = byValue.get(i.name);
    return groups ? vs.flatMap((v) => groups.get(v) ?? []) : selected.get(i.name)!;
  };
  const all = [...values].sort();
  const valueFingerprints = new Map(
    all.map(
      (v) =>
        [
          v,
          fingerprint(
            { ...(modelIdentity(model) as object), value: v },
            listed.map((i) => i.identity(filesFor(i, [v]))),
          ),
        ] as const,
    ),
  );

  // What to build: every value, or (incremental, with a snapshot built the same way) the new or changed ones.
  const splitType = partitioned[0]!.partitionColumns.find((c) => c.name === split)!;
  const prev =
    ctx.previous?.partitions?.column === split && !ctx.fullRefresh && model.incremental !== null
      ? ctx.previous.partitions.fingerprints
      : undefined;
  let build = all;
  let removed: string[] = [];
  let unchanged = 0;
  if (prev) {
    build = all.filter((v) => (model.incremental === 'append' ? !(v in prev) : prev[v] !== valueFingerprints.get(v)));
    unchanged = all.length - build.length;
    if (model.incremental === 'replace') {
      const gone = Object.keys(prev).filter((v) => !values.has(v));
      removed = intervalFilter === null ? gone : await valuesMatching(ctx.conn, gone, splitType, intervalFilter);
    }
  }
  const partitions =
    model.incremental === null
      ? null
      : {
          column: split,
          fingerprints: nextFingerprints(prev, build, removed, valueFingerprints, intervalFilter === null && !prev),
        };
  const incremental = model.incremental === null ? null : { built: build, unchanged, removed };
  const replaced = (vs: readonly string[]) =>
    vs.length === 0
      ? 'false'
      : [
          vs.some((v) => v !== NULL_VALUE)
            ? `${quoteIdent(split)} IN (${vs
                .filter((v) => v !== NULL_VALUE)
                .map(quoteLiteral)
                .join(', ')})`
            : '',
          vs.includes(NULL_VALUE) ? `${quoteIdent(split)} IS NULL` : '',
        ]
          .filter(Boolean)
          .join(' OR ');
  const publish: PublishPlan = prev
    ? {
        fingerprint: model.incremental === 'replace' && intervalFilter === null ? whole : null,
        carry:
          model.incremental === 'append'
            ? 'all'
            : model.incremental === 'merge'
              ? null
              : { column: split, filter: replaced([...build, ...removed]) },
        partitions,
      }
    : intervalFilter !== null
      ? { fingerprint: null, carry: { column: split, filter: intervalFilter }, partitions }
      : { fingerprint: whole, carry: null, partitions };
  const scans = listed.map((i) => scanOf(i.name, filesFor(i, build)));
  if (prev && build.length === 0 && removed.length === 0) {
    return {
      items: [],
      fingerprint: whole,
      scans,
      publish,
      incremental,
      sizing: null,
      join,
      nothingToDo: `incremental: no new${model.incremental === 'replace' ? ' or changed' : ''} ${split} partition (${unchanged} unchanged)`,
    };
  }
  if (build.length === 0)
    return {
      items: [{ ...base, inputs: listed.map((i) => withScan(i, filesFor(i, []))), slice: null }],
      fingerprint: whole,
      scans,
      publish,
      incremental,
      sizing: null,
      join,
    };
  if (prev && model.incremental === 'merge') {
    // One item: the rebuilt values' rows, then every previous row whose key they do not have.
    const previous = listSnapshot(PREVIOUS, ctx.previous!);
    const item: ItemSpec = {
      ...base,
      model: { ...base.model, sql: mergeSql(model.sql, model.uniqueKey), sqlLine: model.sqlLine - 1 },
      slice: { column: split, values: build },
      inputs: [
        ...listed.map((i) => withScan(i, filesFor(i, build))),
        {
          ...previous.restrict(previous.files),
          scan: {
            name: PREVIOUS,
            files: previous.files.length,
            bytes: sum(previous.files),
            totalFiles: previous.files.length,
            totalBytes: sum(previous.files),
            filter: null,
          },
        },
      ],
    };
    return { items: [item], fingerprint: whole, scans, publish, incremental, sizing: null, join };
  }

  // Adaptive sizing: coalesce small values, split oversized ones when the model is row-wise in
  // its only partitioned input (each part reads a share of that value's files).
  const target = ctx.targetItemBytes ?? 0;
  const sizes = build.map((v) => ({
    value: v,
    bytes: partitioned.reduce((n, i) => n + sum(byValue.get(i.name)!.get(v) ?? []), 0),
  }));
  const only = partitioned.length === 1 ? partitioned[0]! : undefined;
  const mayDivide =
    target > 0 &&
    only !== undefined &&
    sizes.some((v) => v.bytes > 2 * target) &&
    (await isRowWise(ctx.conn, model.sql, only.name));
  const sizing = sizeItems(sizes, {
    targetBytes: target,
    maxItems,
    maxParts: (v) => (mayDivide ? (byValue.get(only!.name)!.get(v)?.length ?? 1) : 1),
  });
  const items = sizing.items.map((it): ItemSpec => {
    const slice = { column: split, values: it.values, ...(it.part && { part: it.part }) };
    if (!it.part) return { ...base, slice, inputs: listed.map((i) => withScan(i, filesFor(i, it.values))) };
    const share = divideFiles(filesFor(only!, it.values), it.part.of)[it.part.index]!;
    return { ...base, slice, inputs: listed.map((i) => withScan(i, i === only ? share : filesFor(i, it.values))) };
  });
  const { items: _items, ...report } = sizing;
  return { items, fingerprint: whole, scans, publish, incremental, sizing: report, join };
}

/** The name under which a merge item reads the model's current snapshot. */
const PREVIOUS = '__sluice_previous';

/**
 * A merge: the model's rows for the rebuilt values, plus the previous snapshot's rows whose
 * unique key is not among them. The model's SQL starts on the second line.
 */
export function mergeSql(sql: string, uniqueKey: readonly string[]): string {
  const match = uniqueKey.map((k) => `n.${quoteIdent(k)} IS NOT DISTINCT FROM p.${quoteIdent(k)}`).join(' AND ');
  return `WITH __sluice_new AS (\n${sql}\n)\nSELECT * FROM __sluice_new\nUNION ALL BY NAME\nSELECT p.* FROM ${PREVIOUS} p WHERE NOT EXISTS (SELECT 1 FROM __sluice_new n WHERE ${match})`;
}

/** After this build: the previous entries not rebuilt or removed, plus the rebuilt values. */
function nextFingerprints(
  prev: Readonly<Record<string, string>> | undefined,
  build: readonly string[],
  removed: readonly string[],
  current: ReadonlyMap<string, string>,
  whole: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (prev && !whole) for (const [v, fp] of Object.entries(prev)) if (!removed.includes(v)) out[v] = fp;
  for (const v of build) out[v] = current.get(v)!;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The values (as folder strings) that satisfy a filter on the column, typed as the column is. */
async function valuesMatching(
  conn: DuckDBConnection,
  values: readonly string[],
  column: ColumnDef,
  filter: string,
): Promise<string[]> {
  const files = values.map((v) => ({ v, bytes: 0, partition: { [column.name]: v === NULL_VALUE ? null : v } }));
  return ((await filesMatching(conn, files, [column], filter)) ?? files).map((f) => f.v);
}

function runnable(m: ModelDef): ItemSpec['model'] {
  return {
    name: m.name,
    file: m.file,
    sql: m.sql,
    sqlLine: m.sqlLine,
    partitionBy: m.partitionBy,
    location: m.location,
    timeoutMs: m.timeoutMs,
  };
}

/** `"col" >= 'from' AND "col" < 'to'`; the literals take the column's type when compared. */
export function intervalSql(column: string, interval: DataInterval | undefined): string | null {
  if (!interval || (interval.from === undefined && interval.to === undefined)) return null;
  const parts: string[] = [];
  if (interval.from !== undefined) parts.push(`${quoteIdent(column)} >= ${quoteLiteral(interval.from)}`);
  if (interval.to !== undefined) parts.push(`${quoteIdent(column)} < ${quoteLiteral(interval.to)}`);
  return parts.join(' AND ');
}

function cachedListing(ctx: CompileContext, source: SourceDef): Promise<ListedInput> {
  const cache = ctx.sourceListings;
  if (!cache) return listSource(ctx, source).then(async (l) => (await l.checkContract(), l));
  let listing = cache.get(source.name) as Promise<ListedInput> | undefined;
  if (!listing) {
    listing = listSource(ctx, source);
    listing.catch(() => cache.delete(source.name));
    cache.set(source.name, listing);
  }
  // The contract is checked once per run (a failure is kept: every reader fails the same way).
  const key = `contract:${source.name}`;
  let contract = cache.get(key) as Promise<void> | undefined;
  if (!contract) {
    contract = listing.then(
      (l) => l.checkContract(),
      () => undefined,
    );
    cache.set(key, contract);
  }
  return Promise.all([listing, contract]).then(([l]) => l);
}

async function listSource(ctx: CompileContext, source: SourceDef): Promise<ListedInput> {
  const globs = sourceGlobs(ctx.project.root, source);
  const listing: FileInput = {
    format: source.format,
    paths: globs,
    hivePartitioning: source.hivePartitioning,
    ...(source.delimiter !== undefined && { delimiter: source.delimiter }),
    ...(source.header !== undefined && { header: source.header }),
    ...(source.columns && { columns: source.columns }),
  };
  const paths: string[] = [];
  for (const g of globs) {
    const reader = await ctx.conn.runAndReadAll(`SELECT file FROM glob(${quoteLiteral(g)}) ORDER BY file`);
    for (const row of reader.getRows()) paths.push(String(row[0]));
  }
  const base = globs[0]!.replace(/[*?[].*$/, '');
  const files: ListedFile[] = paths.map((path) => {
    let bytes = 0;
    let mtimeMs = 0;
    try {
      const st = statSync(path);
      bytes = st.size;
      mtimeMs = Math.trunc(st.mtimeMs);
    } catch {
      // Vanished since the glob: DuckDB will say so when the item reads it.
    }
    return { id: path, bytes, mtimeMs, partition: source.hivePartitioning ? hivePartition(path, base) : {} };
  });
  const partitionColumns =
    source.hivePartitioning && files.length > 0
      ? await partitionTypes(ctx.conn, ctx.project.root, source, files, commonKeys(files))
      : [];
  const read: FileInput =
    partitionColumns.length > 0
      ? { ...listing, hiveTypes: Object.fromEntries(partitionColumns.map((c) => [c.name, c.type])) }
      : listing;
  const readIdentity = {
    format: read.format,
    hive: read.hivePartitioning,
    delimiter: read.delimiter,
    header: read.header,
    columns: read.columns,
    hiveTypes: read.hiveTypes,
  };
  return {
    name: source.name,
    kind: 'files',
    files,
    partitionColumns,
    // No file listed: keep the globs, so DuckDB reports the missing files as before.
    restrict: (sel) =>
      files.length === 0
        ? { name: source.name, kind: 'files', files: read }
        : sel.length === 0
          ? { name: source.name, kind: 'files', files: { ...read, paths: [files[0]!.id] }, empty: true }
          : { name: source.name, kind: 'files', files: { ...read, paths: sel.map((f) => f.id) } },
    identity: (sel) => ({
      name: source.name,
      kind: 'files',
      read: readIdentity,
      files: sel.map((f) => [relative(ctx.project.root, f.id), f.bytes, f.mtimeMs] as const),
    }),
    checkContract: () => checkSourceContract(ctx.conn, ctx.project.root, source, read, paths),
    columns: async () =>
      files.length === 0
        ? []
        : describeColumns(ctx.conn, `SELECT * FROM ${filesRelationSql({ ...read, paths: [files[0]!.id] })}`),
  };
}

function listSnapshot(name: string, m: Manifest): ListedInput {
  const files: ListedFile[] = m.files.map((f) => ({ id: f.key, bytes: f.bytes, mtimeMs: 0, partition: f.partition }));
  const rowsOf = new Map(m.files.map((f) => [f.key, f.rows] as const));
  const sizes = (sel: readonly ListedFile[]) => ({
    rows: sel.reduce((s, f) => s + (rowsOf.get(f.id) ?? 0), 0),
    bytes: sel.reduce((s, f) => s + f.bytes, 0),
  });
  return {
    name,
    kind: 'snapshot',
    files,
    checkContract: async () => undefined,
    partitionColumns: m.partitionBy.map((p) => m.columns.find((c) => c.name === p) ?? { name: p, type: 'VARCHAR' }),
    restrict: (sel) =>
      sel.length === 0 && files.length > 0
        ? { name, kind: 'snapshot', keys: [files[0]!.id], columns: m.columns, partitionBy: m.partitionBy, empty: true }
        : {
            name,
            kind: 'snapshot',
            keys: sel.map((f) => f.id),
            columns: m.columns,
            partitionBy: m.partitionBy,
            sizes: sizes(sel),
          },
    identity: (sel) => ({ name, kind: 'snapshot', files: sel.map((f) => [f.id, f.bytes] as const) }),
    columns: async () => m.columns,
  };
}

function commonKeys(files: readonly ListedFile[]): string[] {
  const keys = Object.keys(files[0]!.partition);
  return keys.filter((k) => files.every((f) => k in f.partition));
}

/** The columns a query returns, with their types (DESCRIBE: binds, reads at most file metadata). */
async function describeColumns(conn: DuckDBConnection, select: string): Promise<ColumnDef[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${select}`);
  return reader.getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

function sum(files: readonly PartitionedFile[]): number {
  return files.reduce((s, f) => s + f.bytes, 0);
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
