import {
  BUCKET_COLUMN,
  ITEM_SPEC_VERSION,
  parseItemSpec,
  type ItemInput,
  type ItemSpec,
  type ShufflePlan,
} from '../protocol/item-spec.js';
import type { ItemRecord } from '../store/work-queue.js';
import { SluiceError } from '../core/errors.js';
import { parseItemOutput, type ItemOutput } from '../protocol/item-output.js';

/**
 * The second stage of a shuffle (docs/adr/0011-join-strategy.md). Given a task's items, all
 * succeeded: when they are map items and no reduce item exists yet, the reduce items — bucket i
 * of every shuffled input (the files the map items wrote for it) plus the broadcast inputs, one
 * item per bucket that holds any row. Otherwise (not a shuffle, or reduce already queued) null.
 * Pure: the coordinator queues the result; a resumed coordinator computes the same from the store.
 */
export function reduceItems(items: readonly ItemRecord[]): ItemSpec[] | null {
  const specs = items.map((i) => ({ record: i, spec: parseItemSpec(i.spec, i.id) }));
  if (specs.length === 0 || specs.some((s) => s.spec.shuffle?.stage !== 'map')) return null;
  const first = specs.find((s) => s.record.itemNo === 0) ?? specs[0]!;
  const map = first.spec.shuffle;
  const plan: ShufflePlan | undefined = map?.stage === 'map' ? map.plan : undefined;
  if (!plan)
    throw new SluiceError('EXEC_FAILED', `shuffle: work item ${first.record.id} has no shuffle plan; start a new run`);

  // Per shuffled input: every file its map items wrote, by bucket, and the columns they hold.
  const byInput = new Map<string, { columns: ItemOutput['columns']; files: ItemOutput['files'][number][] }>();
  for (const { record, spec } of specs) {
    if (spec.shuffle?.stage !== 'map') continue;
    const output = parseItemOutput(record.output, record.id);
    const entry = byInput.get(spec.shuffle.input) ?? {
      columns: output.columns.filter((c) => c.name !== BUCKET_COLUMN),
      files: [],
    };
    entry.files.push(...output.files);
    byInput.set(spec.shuffle.input, entry);
  }
  const bucketOf = (f: ItemOutput['files'][number]) => Number(f.partition[BUCKET_COLUMN]);
  const used = new Set([...byInput.values()].flatMap((e) => e.files.map(bucketOf)));
  // A bucket no large input has rows in yields nothing (a small input is never a preserved
  // side): no item, except one when all are empty, so the snapshot still has its columns.
  const buckets = Array.from({ length: plan.buckets }, (_, b) => b).filter((b) => used.has(b));
  if (buckets.length === 0) buckets.push(0);

  return buckets.map((bucket): ItemSpec => ({
    v: ITEM_SPEC_VERSION,
    model: plan.model,
    snapshot: first.spec.snapshot,
    slice: null,
    shuffle: { stage: 'reduce', bucket, buckets: plan.buckets },
    inputs: plan.inputs.map((input): ItemInput => {
      if (!('shuffled' in input)) return input;
      const entry = byInput.get(input.shuffled);
      if (!entry) throw new SluiceError('EXEC_FAILED', `shuffle: no map item wrote ${input.shuffled}`);
      const files = entry.files.filter((f) => bucketOf(f) === bucket).sort((a, b) => (a.key < b.key ? -1 : 1));
      const bytes = files.reduce((s, f) => s + f.bytes, 0);
      return {
        name: input.shuffled,
        kind: 'snapshot',
        keys: files.map((f) => f.key),
        columns: entry.columns,
        partitionBy: [],
        sizes: { rows: files.reduce((s, f) => s + f.rows, 0), bytes },
        scan: {
          name: input.shuffled,
          files: files.length,
          bytes,
          totalFiles: entry.files.length,
          totalBytes: entry.files.reduce((s, f) => s + f.bytes, 0),
          filter: null,
        },
      };
    }),
  }));
}

/** The items whose outputs make the task's snapshot: all but a shuffle's map items. */
export function publishedItems<T extends Pick<ItemRecord, 'spec' | 'id'>>(items: readonly T[]): T[] {
  return items.filter((i) => parseItemSpec(i.spec, i.id).shuffle?.stage !== 'map');
}
