import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import { withLocalStore } from '../../test/helpers/local-store.js';
import { LocalObjectStore } from '../storage/local/local-object-store.js';
import { manifestKey, MANIFEST_SCHEMA, type Manifest } from './manifest.js';
import { readCurrentSnapshot, readSnapshotState, snapshotToFollow } from './read-snapshot.js';

/** Snapshot `n` of model m with one data file (written unless `withoutFile`). */
async function publish(objects: LocalObjectStore, n: number, withoutFile = false): Promise<void> {
  const key = `m/part-${String(n).padStart(6, '0')}-a-0.parquet`;
  if (!withoutFile) await objects.put(key, 'data');
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    model: 'm',
    snapshot: n,
    runId: `r${n}`,
    createdAt: '2024-01-01T00:00:00Z',
    partitionBy: [],
    columns: [{ name: 'x', type: 'INTEGER' }],
    rows: 1,
    bytes: 4,
    files: [{ key, rows: 1, bytes: 4, partition: {} }],
  };
  await objects.put(manifestKey('m', n), JSON.stringify(manifest));
}

const corrupt = (pattern: RegExp) => (err: unknown) =>
  err instanceof SluiceError && err.code === 'STORAGE_CORRUPT' && pattern.test(err.message);

describe('reading a model with a damaged manifest', () => {
  it('an intact model: its newest manifest, nothing corrupt', () =>
    withLocalStore(async (objects) => {
      await publish(objects, 1);
      await publish(objects, 2);
      const state = await readSnapshotState(objects, 'm');
      assert.deepEqual([state.current?.snapshot, state.corrupt, state.newest], [2, [], 2]);
      assert.deepEqual(await snapshotToFollow(objects, 'm', false).then((s) => s.snapshot), 3);
    }));

  it('skips a damaged newest manifest, and an older one whose files are gone, down to an intact one', () =>
    withLocalStore(async (objects) => {
      await publish(objects, 1);
      await publish(objects, 2, true); // its data file was garbage-collected
      await objects.put(manifestKey('m', 3), '{"schema":');
      const state = await readSnapshotState(objects, 'm');
      assert.equal(state.current?.snapshot, 1);
      assert.deepEqual(
        state.corrupt.map((c) => c.key),
        [manifestKey('m', 3), manifestKey('m', 2)],
      );
      assert.match(state.corrupt[1]!.why, /lists m\/part-000002-a-0\.parquet, which is gone/);
      assert.equal((await readCurrentSnapshot(objects, 'm'))?.snapshot, 1);
      await assert.rejects(
        snapshotToFollow(objects, 'm', false),
        corrupt(/0000000003\.json cannot be read .*readers keep snapshot 1/),
      );
      assert.deepEqual(await snapshotToFollow(objects, 'm', true), { previous: undefined, snapshot: 4 });
    }));

  it('nothing intact: readers get STORAGE_CORRUPT naming the manifest and --full-refresh', () =>
    withLocalStore(async (objects) => {
      await objects.put(manifestKey('m', 5), '');
      await assert.rejects(
        readCurrentSnapshot(objects, 'm'),
        corrupt(/m\/_sluice\/manifests\/0000000005\.json cannot be read .*--full-refresh --select m/),
      );
      assert.deepEqual(await snapshotToFollow(objects, 'm', true), { previous: undefined, snapshot: 6 });
    }));
});
