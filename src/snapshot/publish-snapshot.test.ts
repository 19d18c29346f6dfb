import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import { withLocalStore } from '../../test/helpers/local-store.js';
import { LocalObjectStore } from '../storage/local/local-object-store.js';
import { commitSnapshot } from './publish-snapshot.js';
import { readCurrentSnapshot } from './read-snapshot.js';
import type { ManifestFile } from '../protocol/manifest-file.js';

describe('commitSnapshot', () => {
  const files = async (objects: LocalObjectStore, tag: string): Promise<ManifestFile[]> => {
    const out: ManifestFile[] = [];
    for (const day of ['2024-01-01', '2024-01-02']) {
      const key = `m/day=${day}/part-000001-${tag}-0.parquet`;
      await objects.put(key, `${tag} ${day}`);
      out.push({ key, rows: 1, bytes: 10, partition: { day } });
    }
    return out;
  };
  const request = (runId: string, list: ManifestFile[]) => ({
    model: 'm',
    snapshot: 1,
    runId,
    partitionBy: ['day'],
    columns: [{ name: 'x', type: 'INTEGER' }],
    files: list,
  });

  it("is idempotent: committing the same run's files again (a resumed coordinator) keeps them published", () =>
    withLocalStore(async (objects) => {
      const mine = await files(objects, 'aaaa');
      const first = await commitSnapshot(objects, request('run-1', mine));
      const again = await commitSnapshot(objects, request('run-1', mine));
      assert.deepEqual(again.files, first.files);
      for (const f of mine) assert.ok(await objects.head(f.key), `${f.key} is still there`);
      assert.equal((await readCurrentSnapshot(objects, 'm'))?.runId, 'run-1');
    }));

  it('a competing writer of the same snapshot loses: its files are removed, the published ones kept', () =>
    withLocalStore(async (objects) => {
      const mine = await files(objects, 'aaaa');
      await commitSnapshot(objects, request('run-1', mine));
      const theirs = await files(objects, 'bbbb');
      await assert.rejects(
        () => commitSnapshot(objects, request('run-2', theirs)),
        (err: unknown) => err instanceof SluiceError && err.code === 'STORE_CONFLICT' && /run run-1/.test(err.message),
      );
      for (const f of theirs) assert.equal(await objects.head(f.key), undefined, `${f.key} was discarded`);
      for (const f of mine) assert.ok(await objects.head(f.key), `${f.key} is still published`);
    }));
});
