import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import type { MetadataStoreFixture } from './metadata-store.contract.js';
import { withFixture } from './contract-kit.js';

/** The behaviour of TaskSkips every MetadataStore implementation must have (see metadata-store.contract.ts). */
export function taskSkipsContract(name: string, make: () => Promise<MetadataStoreFixture>): void {
  const withStore = (fn: (store: MetadataStoreFixture['store']) => Promise<void>): Promise<void> =>
    withFixture(make, (f) => fn(f.store));
  const skip = {
    endedAt: 50,
    snapshot: 3,
    rowsOut: 10,
    bytesOut: 400,
    files: 2,
    reason: 'unchanged since snapshot 3',
    fingerprint: 'sha256:abc',
  };

  describe(`TaskSkips contract: ${name}`, () => {
    it('skipTask makes a pending task succeeded with the reused snapshot and records why', () =>
      withStore(async (store) => {
        await store.createRun({ id: 'r1', project: 'shop', selector: '*', startedAt: 1 }, [
          { model: 'a', group: 'g', concurrency: 1 },
          { model: 'b', group: 'g', concurrency: 1 },
        ]);
        await store.skipTask('r1', 'b', skip);
        await store.skipTask('r1', 'a', { ...skip, snapshot: 7, reason: 'x', fingerprint: 'sha256:def' });
        const tasks = await store.listTasks('r1');
        assert.deepEqual(
          tasks.map((t) => [
            t.model,
            t.status,
            t.snapshot,
            t.startedAt,
            t.endedAt,
            t.rowsOut,
            t.bytesOut,
            t.files,
            t.error,
          ]),
          [
            ['a', 'succeeded', 7, 50, 50, 10, 400, 2, null],
            ['b', 'succeeded', 3, 50, 50, 10, 400, 2, null],
          ],
        );
        assert.deepEqual(await store.listSkippedTasks('r1'), [
          { runId: 'r1', model: 'a', snapshot: 7, reason: 'x', fingerprint: 'sha256:def', skippedAt: 50 },
          {
            runId: 'r1',
            model: 'b',
            snapshot: 3,
            reason: 'unchanged since snapshot 3',
            fingerprint: 'sha256:abc',
            skippedAt: 50,
          },
        ]);
      }));

    it('refuses a task that is not pending, and unknown runs and tasks, changing nothing', () =>
      withStore(async (store) => {
        await store.createRun({ id: 'r1', project: 'shop', selector: '*', startedAt: 1 }, [
          { model: 'a', group: 'g', concurrency: 1 },
        ]);
        await store.startTask('r1', 'a', 5);
        await assert.rejects(
          () => store.skipTask('r1', 'a', skip),
          (e) => e instanceof SluiceError && e.code === 'STORE_CONFLICT' && /running/.test(e.message),
        );
        await assert.rejects(
          () => store.skipTask('r1', 'zz', skip),
          (e) => e instanceof SluiceError && e.code === 'STORE_NOT_FOUND',
        );
        await assert.rejects(
          () => store.skipTask('nope', 'a', skip),
          (e) => e instanceof SluiceError && e.code === 'STORE_NOT_FOUND',
        );
        assert.deepEqual(await store.listSkippedTasks('r1'), []);
        assert.equal((await store.listTasks('r1'))[0]!.status, 'running');
      }));

    it('listSkippedTasks of an unknown run is STORE_NOT_FOUND', () =>
      withStore(async (store) => {
        await assert.rejects(
          () => store.listSkippedTasks('nope'),
          (e) => e instanceof SluiceError && e.code === 'STORE_NOT_FOUND',
        );
      }));
  });
}
