import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ITEM_SPEC_VERSION, type ItemInput, type ItemSpec, type ShufflePlan } from '../protocol/item-spec.js';
import type { ItemRecord } from '../store/work-queue.js';
import { publishedItems, reduceItems } from './shuffle-stage.js';
import type { ItemOutput } from '../protocol/item-output.js';

const MODEL = {
  name: 'fct',
  file: 'models/fct.sql',
  sql: 'select * from a join b using (k)',
  sqlLine: 1,
  partitionBy: [],
  location: { file: 'models/fct.sql', line: 1 },
};
const SMALL: ItemInput = {
  name: 'dim',
  kind: 'files',
  files: { format: 'parquet', paths: ['/d/dim.parquet'], hivePartitioning: false },
};
const PLAN: ShufflePlan = {
  model: MODEL,
  buckets: 4,
  keys: { a: 'k', b: 'k' },
  inputs: [{ shuffled: 'a' }, SMALL, { shuffled: 'b' }],
};
const COLUMNS = [
  { name: 'k', type: 'INTEGER' },
  { name: 'v', type: 'VARCHAR' },
  { name: '__sluice_bucket', type: 'INTEGER' },
];

let no = 0;
function record(spec: ItemSpec, output: ItemOutput | null, itemNo = no++): ItemRecord {
  return {
    id: `r/fct/${String(itemNo).padStart(6, '0')}`,
    runId: 'r',
    model: 'fct',
    itemNo,
    group: 'g',
    queue: 'default',
    priority: 0,
    cpus: 1,
    memoryBytes: 0,
    state: 'succeeded',
    attempt: 1,
    codeFailures: 0,
    infraFailures: 0,
    lateWrites: 0,
    workerId: null,
    leasedAt: null,
    leaseExpiresAt: null,
    notBefore: 0,
    createdAt: 0,
    startedAt: 0,
    endedAt: 1,
    busyMs: 1,
    rowsOut: 0,
    bytesOut: 0,
    output: output && JSON.stringify(output),
    error: null,
    spec: JSON.stringify(spec),
  };
}

function mapItem(input: string, buckets: number[], itemNo: number, plan?: ShufflePlan): ItemRecord {
  const spec: ItemSpec = {
    v: ITEM_SPEC_VERSION,
    model: { ...MODEL, partitionBy: ['__sluice_bucket'] },
    snapshot: 7,
    inputs: [],
    slice: null,
    shuffle: { stage: 'map', input, buckets: 4, ...(plan && { plan }) },
  };
  const files = buckets.map((b) => ({
    key: `fct/_sluice/shuffle/${input}/__sluice_bucket=${b}/part-000007-m${itemNo}-0.parquet`,
    rows: 10,
    bytes: 100,
    partition: { __sluice_bucket: String(b) },
  }));
  return record(spec, { columns: COLUMNS, rows: 10 * files.length, bytes: 100 * files.length, files }, itemNo);
}

describe('reduceItems: the second stage of a shuffle, from the map items in the store', () => {
  it('gives each bucket that holds rows one item: its files of every shuffled input, the small inputs whole', () => {
    const items = [mapItem('a', [0, 2], 0, PLAN), mapItem('a', [2], 1), mapItem('b', [2, 3], 2)];
    const reduce = reduceItems(items)!;
    assert.deepEqual(
      reduce.map((s) => s.shuffle),
      [
        { stage: 'reduce', bucket: 0, buckets: 4 },
        { stage: 'reduce', bucket: 2, buckets: 4 },
        { stage: 'reduce', bucket: 3, buckets: 4 },
      ],
      'bucket 1 is empty everywhere: no item',
    );
    const two = reduce[1]!;
    assert.deepEqual([two.model, two.snapshot, two.slice], [MODEL, 7, null]);
    assert.deepEqual(
      two.inputs.map((i) => i.name),
      ['a', 'dim', 'b'],
      "the model's input order",
    );
    assert.deepEqual(two.inputs[1], SMALL);
    const a = two.inputs[0]!;
    assert.ok(a.kind === 'snapshot');
    assert.deepEqual(a.keys, [
      'fct/_sluice/shuffle/a/__sluice_bucket=2/part-000007-m0-0.parquet',
      'fct/_sluice/shuffle/a/__sluice_bucket=2/part-000007-m1-0.parquet',
    ]);
    assert.deepEqual(a.columns, COLUMNS.slice(0, 2), "the bucket column is not one of the input's");
    assert.deepEqual([a.partitionBy, a.sizes], [[], { rows: 20, bytes: 200 }]);
    const b0 = reduce[0]!.inputs[2]!;
    assert.ok(b0.kind === 'snapshot');
    assert.deepEqual(b0.keys, [], 'no b rows in bucket 0: the input is empty, with its columns');
  });

  it('is null when the reduce stage is queued already, or for a task without a shuffle: a resumed coordinator queues it once', () => {
    const maps = [mapItem('a', [1], 0, PLAN), mapItem('b', [1], 1)];
    const reduce = reduceItems(maps)!;
    assert.equal(reduce.length, 1);
    assert.equal(
      reduceItems([...maps, record(reduce[0]!, { columns: COLUMNS.slice(0, 2), rows: 1, bytes: 1, files: [] }, 2)]),
      null,
    );
    assert.equal(
      reduceItems([record({ v: ITEM_SPEC_VERSION, model: MODEL, snapshot: 1, inputs: [], slice: null }, null, 0)]),
      null,
    );
    assert.equal(reduceItems([]), null);
    assert.deepEqual(
      publishedItems([...maps, record(reduce[0]!, null, 2)]).map((i) => i.itemNo),
      [2],
      'only reduce items make the snapshot',
    );
  });

  it('keeps one item when every input is empty, so the snapshot has its columns; fails clearly without a plan', () => {
    const empty = [mapItem('a', [], 0, PLAN), mapItem('b', [], 1)];
    assert.deepEqual(
      reduceItems(empty)!.map((s) => s.shuffle),
      [{ stage: 'reduce', bucket: 0, buckets: 4 }],
    );
    assert.throws(() => reduceItems([mapItem('a', [0], 0), mapItem('b', [0], 1)]), /no shuffle plan/);
  });
});
