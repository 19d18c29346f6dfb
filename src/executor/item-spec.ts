import type { RunnableModel } from '../engine/engine.js';
import type { ColumnDef, FileInput } from '../engine/relation-sql.js';
import type { ManifestFile } from '../snapshot/manifest.js';
import { SluiceError } from '../core/errors.js';

/**
 * A work item's compiled work, stored with the item in the queue: everything a worker needs,
 * so workers need the stores but not the project. Versioned: a worker refuses a newer `v`.
 */
export const ITEM_SPEC_VERSION = 1;

export interface ItemSpec {
  readonly v: typeof ITEM_SPEC_VERSION;
  readonly model: RunnableModel;
  /** The snapshot the task will publish; part of every output file's key. */
  readonly snapshot: number;
  readonly inputs: readonly ItemInput[];
  /** The partition values this item covers, or null for a whole task. */
  readonly slice: {
    readonly column: string;
    readonly values: readonly string[];
    /** Part `index` of `of` of one oversized value: this item reads that share of its files. */
    readonly part?: { readonly index: number; readonly of: number };
  } | null;
  /** For the coordinator when it publishes (kept with the task's first item, so `sluice retry` has it too). */
  readonly publish?: PublishPlan;
  /**
   * A stage of a shuffle join (docs/adr/0011-join-strategy.md). `map`: the item reads a share of
   * one large input and writes it hash-partitioned by the join key (the model's SQL is the
   * partitioning query; its output goes to the task's shuffle area, not to the model). `reduce`:
   * the item runs the model over one bucket of every large input.
   */
  readonly shuffle?: ShuffleMap | ShuffleReduce;
}

export interface ShuffleMap {
  readonly stage: 'map';
  /** The large input this item partitions. */
  readonly input: string;
  readonly buckets: number;
  /** How to build the reduce items once every map item succeeded (kept with the task's first item). */
  readonly plan?: ShufflePlan;
}

export interface ShuffleReduce {
  readonly stage: 'reduce';
  readonly bucket: number;
  readonly buckets: number;
}

export interface ShufflePlan {
  /** The model the reduce items run. */
  readonly model: RunnableModel;
  readonly buckets: number;
  /** Large input -> its key column. */
  readonly keys: Readonly<Record<string, string>>;
  /** The model's inputs in order: a shuffled one by name, the others as every reduce item reads them (broadcast). */
  readonly inputs: readonly ({ readonly shuffled: string } | ItemInput)[];
}

/** The hive column a shuffle map item partitions its output by. */
export const BUCKET_COLUMN = '__sluice_bucket';

/** How the task's snapshot is to be published (docs/adr/0010-pruning-fingerprints-incremental.md). */
export interface PublishPlan {
  /** Recorded in the manifest: the task's fingerprint when its output equals a whole build, else null. */
  readonly fingerprint: string | null;
  /**
   * Files of the current snapshot kept in the new one: none (a whole build), all (append), or
   * those whose `column` value does not satisfy `filter` (the partitions this task replaced).
   */
  readonly carry: null | 'all' | { readonly column: string; readonly filter: string };
  /** Recorded in the manifest: per value of the split column, the fingerprint it was built from. */
  readonly partitions: PartitionFingerprints | null;
}

/** Which input partitions each value of an incremental model was built from. */
export interface PartitionFingerprints {
  readonly column: string;
  /** Value (`__HIVE_DEFAULT_PARTITION__` for NULL) -> fingerprint of the inputs it was built from. */
  readonly fingerprints: Readonly<Record<string, string>>;
}

export type ItemInput = (
  /** Source files. `empty`: no file of this slice exists; read the schema from `paths`, no rows. */
  | { readonly name: string; readonly kind: 'files'; readonly files: FileInput; readonly empty?: boolean }
  /** Files of an upstream model's snapshot (object keys). `empty`: none selected; `keys` holds one file for the schema, no rows. */
  | { readonly name: string; readonly kind: 'snapshot'; readonly keys: readonly string[]; readonly columns: readonly ColumnDef[]; readonly partitionBy: readonly string[]; readonly empty?: boolean; /** Rows and bytes of `keys` from the manifest (for metrics without reading footers). */ readonly sizes?: { readonly rows: number; readonly bytes: number } }
) & {
  /** What this item reads of the input, against everything the input holds (partition pruning). */
  readonly scan?: InputScan;
};

/** Files and bytes read of an input vs listed; `filter`: what pruned them (null: nothing). */
export interface InputScan {
  readonly name: string;
  readonly files: number;
  readonly bytes: number;
  readonly totalFiles: number;
  readonly totalBytes: number;
  readonly filter: string | null;
}

/** What a succeeded attempt produced: files already at their final keys, not yet published. */
export interface ItemOutput {
  readonly columns: readonly ColumnDef[];
  readonly rows: number;
  readonly bytes: number;
  readonly files: readonly ManifestFile[];
}

export function parseItemSpec(json: string, itemId: string): ItemSpec {
  const spec = JSON.parse(json) as ItemSpec;
  if (spec.v !== ITEM_SPEC_VERSION) throw new SluiceError('EXEC_UNSUPPORTED', `work item ${itemId}: spec version ${String(spec.v)} is not supported by this worker (expects ${ITEM_SPEC_VERSION}); upgrade the worker`);
  return spec;
}
