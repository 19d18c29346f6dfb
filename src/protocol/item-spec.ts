import { z } from 'zod';
import { SluiceError } from '../core/errors.js';
import { columnDefSchema } from './column-def.js';
import { fileInputSchema } from './file-input.js';
import { parseMessage } from './parse-message.js';
import { publishPlanSchema } from './publish-plan.js';
import { runnableModelSchema } from './runnable-model.js';

/**
 * A work item's compiled work, stored with the item in the queue: everything a worker needs,
 * so workers need the stores but not the project. Versioned: a worker refuses a newer `v`.
 */
export const ITEM_SPEC_VERSION = 1;

/** The hive column a shuffle map item partitions its output by. */
export const BUCKET_COLUMN = '__sluice_bucket';

/** Files and bytes read of an input vs listed; `filter`: what pruned them (null: nothing). */
export const inputScanSchema = z
  .object({
    name: z.string(),
    files: z.number(),
    bytes: z.number(),
    totalFiles: z.number(),
    totalBytes: z.number(),
    filter: z.string().nullable(),
  })
  .readonly();
export type InputScan = z.infer<typeof inputScanSchema>;

/** Source files. `empty`: no file of this slice exists; read the schema from `paths`, no rows. */
const filesInputSchema = z.object({
  name: z.string(),
  kind: z.literal('files'),
  files: fileInputSchema,
  empty: z.boolean().optional(),
  /** What this item reads of the input, against everything the input holds (partition pruning). */
  scan: inputScanSchema.optional(),
});

/** Files of an upstream model's snapshot (object keys). `empty`: none selected; `keys` holds one file for the schema, no rows. */
const snapshotInputSchema = z.object({
  name: z.string(),
  kind: z.literal('snapshot'),
  keys: z.array(z.string()).readonly(),
  columns: z.array(columnDefSchema).readonly(),
  partitionBy: z.array(z.string()).readonly(),
  empty: z.boolean().optional(),
  /** Rows and bytes of `keys` from the manifest (for metrics without reading footers). */
  sizes: z.object({ rows: z.number(), bytes: z.number() }).readonly().optional(),
  scan: inputScanSchema.optional(),
});

export const itemInputSchema = z.discriminatedUnion('kind', [filesInputSchema, snapshotInputSchema]).readonly();
export type ItemInput = z.infer<typeof itemInputSchema>;

/** How to build the reduce items once every map item succeeded (kept with the task's first item). */
export const shufflePlanSchema = z
  .object({
    /** The model the reduce items run. */
    model: runnableModelSchema,
    buckets: z.number().int().positive(),
    /** Large input -> its key column. */
    keys: z.record(z.string(), z.string()).readonly(),
    /** The model's inputs in order: a shuffled one by name, the others as every reduce item reads them (broadcast). */
    inputs: z.array(z.union([z.object({ shuffled: z.string() }).readonly(), itemInputSchema])).readonly(),
  })
  .readonly();
export type ShufflePlan = z.infer<typeof shufflePlanSchema>;

/** A map item reads a share of one large input and writes it hash-partitioned by the join key. */
export const shuffleMapSchema = z
  .object({
    stage: z.literal('map'),
    /** The large input this item partitions. */
    input: z.string(),
    buckets: z.number().int().positive(),
    plan: shufflePlanSchema.optional(),
  })
  .readonly();
export type ShuffleMap = z.infer<typeof shuffleMapSchema>;

/** A reduce item runs the model over one bucket of every large input. */
export const shuffleReduceSchema = z
  .object({ stage: z.literal('reduce'), bucket: z.number().int().nonnegative(), buckets: z.number().int().positive() })
  .readonly();
export type ShuffleReduce = z.infer<typeof shuffleReduceSchema>;

export const itemSpecSchema = z
  .object({
    v: z.literal(ITEM_SPEC_VERSION),
    model: runnableModelSchema,
    /** The snapshot the task will publish; part of every output file's key. */
    snapshot: z.number().int().positive(),
    inputs: z.array(itemInputSchema).readonly(),
    /** The partition values this item covers, or null for a whole task. */
    slice: z
      .object({
        column: z.string(),
        values: z.array(z.string()).readonly(),
        /** Part `index` of `of` of one oversized value: this item reads that share of its files. */
        part: z
          .object({ index: z.number().int().nonnegative(), of: z.number().int().positive() })
          .readonly()
          .optional(),
      })
      .readonly()
      .nullable(),
    /** For the coordinator when it publishes (kept with the task's first item, so `sluice retry` has it too). */
    publish: publishPlanSchema.optional(),
    /**
     * A stage of a shuffle join (docs/adr/0011-join-strategy.md). `map`: the model's SQL is the
     * partitioning query; its output goes to the task's shuffle area, not to the model.
     */
    shuffle: z.discriminatedUnion('stage', [shuffleMapSchema, shuffleReduceSchema]).optional(),
  })
  .readonly();
export type ItemSpec = z.infer<typeof itemSpecSchema>;

/** A work item's spec as the queue stored it; a newer version asks for a newer worker. */
export function parseItemSpec(json: string, itemId: string): ItemSpec {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new SluiceError('PROTOCOL_INVALID', `work item ${itemId}: spec is not valid JSON`, { cause: err });
  }
  const v = (doc as { v?: unknown } | null)?.v;
  if (v !== ITEM_SPEC_VERSION) {
    throw new SluiceError(
      'PROTOCOL_INVALID',
      `work item ${itemId}: spec version ${String(v)} is not supported by this worker (expects ${ITEM_SPEC_VERSION}); upgrade the worker`,
    );
  }
  return parseMessage(itemSpecSchema, doc, `work item ${itemId}: spec`);
}
