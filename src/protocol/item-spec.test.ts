import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceError } from '../core/errors.js';
import { parseItemOutput } from './item-output.js';
import { ITEM_SPEC_VERSION, parseItemSpec, type ItemSpec } from './item-spec.js';
import { parseFromWorkerMessage, parseToWorkerMessage } from './worker-message.js';

const model = {
  name: 'fct_x',
  file: 'models/fct_x.sql',
  sql: 'SELECT 1',
  sqlLine: 3,
  partitionBy: ['d'],
  location: { file: 'models/fct_x.sql', line: 1 },
};
const spec: ItemSpec = {
  v: ITEM_SPEC_VERSION,
  model,
  snapshot: 7,
  inputs: [
    {
      name: 'events',
      kind: 'files',
      files: { format: 'csv', paths: ['/data/*.csv'], hivePartitioning: true, header: true },
    },
    {
      name: 'dim',
      kind: 'snapshot',
      keys: ['dim/part-1.parquet'],
      columns: [{ name: 'k', type: 'INTEGER' }],
      partitionBy: [],
      sizes: { rows: 3, bytes: 10 },
    },
  ],
  slice: { column: 'd', values: ['2024-01-01'], part: { index: 0, of: 2 } },
  publish: {
    fingerprint: null,
    carry: { column: 'd', filter: "d = '2024-01-01'" },
    partitions: { column: 'd', fingerprints: { '2024-01-01': 'abc' } },
  },
  shuffle: {
    stage: 'map',
    input: 'events',
    buckets: 4,
    plan: { model, buckets: 4, keys: { events: 'k' }, inputs: [{ shuffled: 'events' }] },
  },
};

const invalid = (pattern: RegExp) => (err: unknown) =>
  err instanceof SluiceError && err.code === 'PROTOCOL_INVALID' && pattern.test(err.message);

test('a spec survives the queue unchanged', () => {
  assert.deepEqual(parseItemSpec(JSON.stringify(spec), 'r1/fct_x/0'), spec);
});

test('a spec that does not match its schema names the item and the field', () => {
  const broken = { ...spec, model: { ...model, sql: 42 } };
  assert.throws(
    () => parseItemSpec(JSON.stringify(broken), 'r1/fct_x/3'),
    invalid(/work item r1\/fct_x\/3: spec .*model\.sql/),
  );
  const badInput = { ...spec, inputs: [{ name: 'x', kind: 'table' }] };
  assert.throws(() => parseItemSpec(JSON.stringify(badInput), 'r1/fct_x/4'), invalid(/r1\/fct_x\/4.*inputs\.0/));
});

test('text that is not JSON, or a newer version, is refused with the item named', () => {
  assert.throws(() => parseItemSpec('{"v":1,', 'r1/a/0'), invalid(/work item r1\/a\/0: spec is not valid JSON/));
  assert.throws(
    () => parseItemSpec(JSON.stringify({ ...spec, v: 2 }), 'r1/a/1'),
    invalid(/r1\/a\/1: spec version 2 .*upgrade the worker/),
  );
});

test('an item output is checked, and a missing one is an error', () => {
  const output = {
    columns: [{ name: 'k', type: 'INTEGER' }],
    rows: 1,
    bytes: 9,
    files: [{ key: 'a/part-1.parquet', rows: 1, bytes: 9, partition: { d: null } }],
  };
  assert.deepEqual(parseItemOutput(JSON.stringify(output), 'i1'), output);
  assert.throws(() => parseItemOutput(null, 'i2'), invalid(/work item i2 succeeded without an output/));
  assert.throws(() => parseItemOutput(JSON.stringify({ ...output, rows: '1' }), 'i3'), invalid(/i3: output .*rows/));
});

test('worker process messages are checked both ways', () => {
  assert.deepEqual(parseToWorkerMessage({ type: 'wake' }, 'w1'), { type: 'wake' });
  assert.throws(
    () => parseToWorkerMessage({ type: 'start', settings: { root: '/p' }, shareOf: 1 }, 'w1'),
    invalid(/message to worker w1 .*settings\.config/),
  );
  const event = { kind: 'item_finished', itemId: 'i1', attempt: 1, outcome: 'succeeded' };
  assert.deepEqual(parseFromWorkerMessage({ type: 'item', event }, 'w2'), { type: 'item', event });
  assert.throws(
    () => parseFromWorkerMessage({ type: 'item', event: { ...event, outcome: 'maybe' } }, 'w2'),
    invalid(/message from worker w2 .*event\.outcome/),
  );
});
