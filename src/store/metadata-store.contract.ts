import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCode, withFixture } from './contract-kit.js';
import type { RunRecord, TaskRecord } from '../core/types.js';
import type { MetadataStore } from './metadata-store.js';

/**
 * The behaviour every MetadataStore implementation must have. Each implementation's test file
 * calls `metadataStoreContract('sqlite', make)`; `make` returns a fresh, empty, unmigrated store.
 */
export interface MetadataStoreFixture {
  readonly store: MetadataStore;
  readonly cleanup: () => Promise<void>;
}

const run = (id: string, startedAt: number) => ({ id, project: 'shop', selector: '*', startedAt });
/** What the store returns for a run created with `run(id, startedAt)`. */
const stored = (id: string, startedAt: number) => ({
  ...run(id, startedAt),
  coordinator: null,
  heartbeatAt: startedAt,
});
const pendingTask = (runId: string, model: string, group: string): TaskRecord => ({
  runId,
  model,
  group,
  status: 'pending',
  startedAt: null,
  endedAt: null,
  rowsOut: null,
  bytesOut: null,
  files: null,
  snapshot: null,
  error: null,
});

export function metadataStoreContract(name: string, make: () => Promise<MetadataStoreFixture>): void {
  const withStore = (fn: (store: MetadataStore) => Promise<void>): Promise<void> =>
    withFixture(make, (f) => fn(f.store));

  describe(`MetadataStore contract: ${name}`, () => {
    it('migrate is idempotent', () =>
      withStore(async (store) => {
        await store.migrate();
        await store.migrate();
        await store.createRun(run('r1', 1), []);
        await store.migrate();
        assert.equal((await store.getRun('r1'))?.id, 'r1');
      }));

    it('createRun stores the run and its pending tasks', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1_700_000_000_000), [
          { model: 'dim_customers', group: 'dimension.sales.1', concurrency: 4 },
          { model: 'fct_orders', group: 'fact.sales.1', concurrency: 4 },
        ]);
        const expected: RunRecord = {
          id: 'r1',
          project: 'shop',
          status: 'running',
          selector: '*',
          startedAt: 1_700_000_000_000,
          endedAt: null,
          error: null,
          coordinator: null,
          heartbeatAt: 1_700_000_000_000,
        };
        assert.deepEqual(await store.getRun('r1'), expected);
        assert.deepEqual(await store.listTasks('r1'), [
          pendingTask('r1', 'dim_customers', 'dimension.sales.1'),
          pendingTask('r1', 'fct_orders', 'fact.sales.1'),
        ]);
        await store.createRun(run('empty', 2), []);
        assert.deepEqual(await store.listTasks('empty'), []);
      }));

    it('createRun is atomic and refuses duplicate run ids and models', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1), [{ model: 'a', group: 'g', concurrency: 4 }]);
        await assert.rejects(
          () => store.createRun(run('r1', 2), [{ model: 'b', group: 'g', concurrency: 4 }]),
          isCode('STORE_CONFLICT', 'r1'),
        );
        assert.deepEqual(
          (await store.listTasks('r1')).map((t) => t.model),
          ['a'],
        );
        assert.equal((await store.getRun('r1'))?.startedAt, 1);
        await assert.rejects(
          () =>
            store.createRun(run('r2', 3), [
              { model: 'x', group: 'g', concurrency: 4 },
              { model: 'x', group: 'g', concurrency: 4 },
            ]),
          isCode('STORE_CONFLICT', 'x'),
        );
        assert.equal(await store.getRun('r2'), undefined);
      }));

    it('createRun refuses a step concurrency below 1, naming the task, and stores nothing', () =>
      withStore(async (store) => {
        for (const concurrency of [0, -1, 1.5, Number.NaN]) {
          await assert.rejects(
            () =>
              store.createRun(run('r1', 1), [
                { model: 'a', group: 'g', concurrency: 2 },
                { model: 'b', group: 'fact.x.1', concurrency },
              ]),
            isCode('STORE_CONFLICT', 'r1', 'b', 'concurrency'),
          );
        }
        assert.equal(await store.getRun('r1'), undefined);
        await store.createRun(run('r1', 1), [{ model: 'a', group: 'g', concurrency: 1 }]);
        assert.equal((await store.listTasks('r1')).length, 1);
      }));

    it('listRuns returns the newest first and honours limit', () =>
      withStore(async (store) => {
        for (const [id, at] of [
          ['r1000', 1000],
          ['r3000', 3000],
          ['r2000', 2000],
          ['r4000a', 4000],
          ['r4000b', 4000],
        ] as const)
          await store.createRun(run(id, at), []);
        assert.deepEqual(
          (await store.listRuns()).map((r) => r.id),
          ['r4000b', 'r4000a', 'r3000', 'r2000', 'r1000'],
        );
        assert.deepEqual(
          (await store.listRuns({ limit: 2 })).map((r) => r.id),
          ['r4000b', 'r4000a'],
        );
        assert.deepEqual(await store.listRuns({ limit: 0 }), []);
        assert.deepEqual((await store.listRuns({ limit: 50 })).length, 5);
      }));

    it('listTasks keeps the order the tasks were created in', () =>
      withStore(async (store) => {
        const models = ['zeta', 'alpha', 'mid', 'beta'];
        await store.createRun(
          run('r1', 1),
          models.map((model) => ({ model, group: 'g', concurrency: 4 })),
        );
        await store.createRun(
          run('r2', 2),
          [...models].reverse().map((model) => ({ model, group: 'g', concurrency: 4 })),
        );
        assert.deepEqual(
          (await store.listTasks('r1')).map((t) => t.model),
          models,
        );
        assert.deepEqual(
          (await store.listTasks('r2')).map((t) => t.model),
          [...models].reverse(),
        );
      }));

    it('startTask moves pending to running once; a second start is a conflict', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1), [
          { model: 'a', group: 'g', concurrency: 4 },
          { model: 'b', group: 'g', concurrency: 4 },
        ]);
        await store.startTask('r1', 'a', 10);
        await assert.rejects(() => store.startTask('r1', 'a', 11), isCode('STORE_CONFLICT', 'r1', 'a', 'running'));
        const [a, b] = await store.listTasks('r1');
        assert.deepEqual([a?.status, a?.startedAt], ['running', 10]);
        assert.deepEqual([b?.status, b?.startedAt], ['pending', null]);
      }));

    it('finishTask records the outcome of a running task', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1), [
          { model: 'ok', group: 'g', concurrency: 4 },
          { model: 'bad', group: 'g', concurrency: 4 },
          { model: 'idle', group: 'g', concurrency: 4 },
        ]);
        await store.startTask('r1', 'ok', 10);
        await store.startTask('r1', 'bad', 11);
        await store.finishTask('r1', 'ok', {
          status: 'succeeded',
          endedAt: 20,
          rowsOut: 1234,
          bytesOut: 56_789,
          files: 3,
          snapshot: 7,
        });
        await store.finishTask('r1', 'bad', {
          status: 'failed',
          endedAt: 21,
          error: 'Binder Error: column "x" not found',
        });
        const [ok, bad] = await store.listTasks('r1');
        assert.deepEqual(ok, {
          ...pendingTask('r1', 'ok', 'g'),
          status: 'succeeded',
          startedAt: 10,
          endedAt: 20,
          rowsOut: 1234,
          bytesOut: 56_789,
          files: 3,
          snapshot: 7,
        });
        assert.deepEqual(bad, {
          ...pendingTask('r1', 'bad', 'g'),
          status: 'failed',
          startedAt: 11,
          endedAt: 21,
          error: 'Binder Error: column "x" not found',
        });
        await assert.rejects(
          () => store.finishTask('r1', 'ok', { status: 'failed', endedAt: 30, error: 'late' }),
          isCode('STORE_CONFLICT', 'ok', 'succeeded'),
        );
        await assert.rejects(
          () => store.finishTask('r1', 'idle', { status: 'succeeded', endedAt: 30 }),
          isCode('STORE_CONFLICT', 'idle', 'pending'),
        );
        assert.equal((await store.listTasks('r1'))[0]?.status, 'succeeded');
      }));

    it('not_run is recorded from pending only', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1), [
          { model: 'up', group: 'g', concurrency: 4 },
          { model: 'down', group: 'g', concurrency: 4 },
        ]);
        await store.startTask('r1', 'up', 5);
        await store.finishTask('r1', 'down', { status: 'not_run', endedAt: 9, error: 'upstream up failed' });
        await assert.rejects(
          () => store.finishTask('r1', 'up', { status: 'not_run', endedAt: 9 }),
          isCode('STORE_CONFLICT', 'up'),
        );
        await assert.rejects(() => store.startTask('r1', 'down', 10), isCode('STORE_CONFLICT', 'down', 'not_run'));
        const down = (await store.listTasks('r1'))[1];
        assert.deepEqual(down, {
          ...pendingTask('r1', 'down', 'g'),
          status: 'not_run',
          endedAt: 9,
          error: 'upstream up failed',
        });
      }));

    it('finishRun records the outcome once', () =>
      withStore(async (store) => {
        await store.createRun(run('good', 1), []);
        await store.createRun(run('bad', 2), []);
        await store.finishRun('good', 'succeeded', 100);
        await store.finishRun('bad', 'failed', 200, '1 task failed: fct_orders');
        assert.deepEqual(await store.getRun('good'), {
          ...stored('good', 1),
          status: 'succeeded',
          endedAt: 100,
          error: null,
        });
        assert.deepEqual(await store.getRun('bad'), {
          ...stored('bad', 2),
          status: 'failed',
          endedAt: 200,
          error: '1 task failed: fct_orders',
        });
        await assert.rejects(
          () => store.finishRun('good', 'failed', 300),
          isCode('STORE_CONFLICT', 'good', 'succeeded'),
        );
        assert.equal((await store.getRun('good'))?.endedAt, 100);
      }));

    it('abandonRun fails the run, its running tasks, and marks pending ones not_run, once', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1), [
          { model: 'done', group: 'g', concurrency: 4 },
          { model: 'busy', group: 'g', concurrency: 4 },
          { model: 'idle', group: 'g', concurrency: 4 },
        ]);
        await store.startTask('r1', 'done', 2);
        await store.finishTask('r1', 'done', { status: 'succeeded', endedAt: 3, rowsOut: 1 });
        await store.startTask('r1', 'busy', 4);
        assert.equal(await store.abandonRun('r1', 50, 'abandoned: process died'), true);
        const [done, busy, idle] = await store.listTasks('r1');
        assert.equal(done?.status, 'succeeded');
        assert.deepEqual([busy?.status, busy?.endedAt, busy?.error], ['failed', 50, 'abandoned: process died']);
        assert.deepEqual([idle?.status, idle?.endedAt, idle?.error], ['not_run', 50, 'abandoned: process died']);
        assert.deepEqual(await store.getRun('r1'), {
          ...stored('r1', 1),
          status: 'failed',
          endedAt: 50,
          error: 'abandoned: process died',
        });
        assert.equal(await store.abandonRun('r1', 60, 'again'), false);
        assert.equal((await store.getRun('r1'))?.endedAt, 50);
        await assert.rejects(() => store.abandonRun('nope', 1, 'x'), isCode('STORE_NOT_FOUND', 'nope'));
      }));

    it('unknown runs and tasks are STORE_NOT_FOUND (getRun returns undefined)', () =>
      withStore(async (store) => {
        await store.createRun(run('r1', 1), [{ model: 'a', group: 'g', concurrency: 4 }]);
        assert.equal(await store.getRun('nope'), undefined);
        await assert.rejects(() => store.listTasks('nope'), isCode('STORE_NOT_FOUND', 'nope'));
        await assert.rejects(() => store.startTask('nope', 'a', 1), isCode('STORE_NOT_FOUND', 'nope'));
        await assert.rejects(
          () => store.finishTask('nope', 'a', { status: 'succeeded', endedAt: 1 }),
          isCode('STORE_NOT_FOUND', 'nope'),
        );
        await assert.rejects(() => store.finishRun('nope', 'succeeded', 1), isCode('STORE_NOT_FOUND', 'nope'));
        await assert.rejects(
          () => store.startTask('r1', 'missing_model', 1),
          isCode('STORE_NOT_FOUND', 'r1', 'missing_model'),
        );
        await assert.rejects(
          () => store.finishTask('r1', 'missing_model', { status: 'not_run', endedAt: 1 }),
          isCode('STORE_NOT_FOUND', 'missing_model'),
        );
      }));

    it('lists many runs quickly', () =>
      withStore(async (store) => {
        const tasks = Array.from({ length: 8 }, (_, i) => ({ model: `model_${i}`, group: 'g', concurrency: 4 }));
        for (let i = 0; i < 200; i++) await store.createRun(run(`run-${String(i).padStart(3, '0')}`, 1_000 + i), tasks);
        const all = await store.listRuns();
        assert.equal(all.length, 200);
        assert.equal(all[0]?.id, 'run-199');
        assert.equal(all[199]?.id, 'run-000');
        assert.equal((await store.listRuns({ limit: 20 }))[19]?.id, 'run-180');
        for (let i = 0; i < 200; i += 37)
          assert.equal((await store.listTasks(`run-${String(i).padStart(3, '0')}`)).length, 8);
      }));

    it("runHeartbeat records the coordinator's sign of life while the run is running", () =>
      withStore(async (store) => {
        await store.createRun({ ...run('r1', 10), coordinator: 'host-a:100' }, []);
        assert.deepEqual(await store.getRun('r1'), {
          ...stored('r1', 10),
          status: 'running',
          endedAt: null,
          error: null,
          coordinator: 'host-a:100',
        });
        assert.equal(await store.runHeartbeat('r1', 50), true);
        assert.equal(await store.runHeartbeat('r1', 40), true); // late delivery never moves it back
        assert.deepEqual(
          [(await store.getRun('r1'))?.heartbeatAt, (await store.getRun('r1'))?.coordinator],
          [50, 'host-a:100'],
        );
        assert.equal(await store.runHeartbeat('r1', 60, 'host-b:7'), true); // resumed by another process
        assert.deepEqual(
          [(await store.getRun('r1'))?.heartbeatAt, (await store.getRun('r1'))?.coordinator],
          [60, 'host-b:7'],
        );
        await store.abandonRun('r1', 70, 'abandoned');
        assert.equal(await store.runHeartbeat('r1', 80), false, 'an abandoned run tells its old coordinator to stop');
        await assert.rejects(() => store.runHeartbeat('nope', 1), isCode('STORE_NOT_FOUND', 'nope'));
      }));

    it('createRun with exclusiveSince allows one live run per project', () =>
      withStore(async (store) => {
        await store.createRun({ ...run('a', 100), coordinator: 'host-a:1', exclusiveSince: 0 }, []);
        await assert.rejects(
          () => store.createRun({ ...run('b', 150), exclusiveSince: 90 }, []),
          isCode('STORE_CONFLICT', 'a', 'host-a:1', 'in progress'),
        );
        assert.equal(await store.getRun('b'), undefined);
        await store.createRun({ ...run('other', 150), project: 'other_project', exclusiveSince: 90 }, []);
        await store.createRun({ ...run('unchecked', 150) }, []); // no exclusiveSince: no check
        await store.finishRun('unchecked', 'succeeded', 160);
        // Stale: a's coordinator last showed life at 100, before 120.
        await store.createRun({ ...run('c', 200), exclusiveSince: 120 }, []);
        await store.runHeartbeat('c', 300);
        await assert.rejects(
          () => store.createRun({ ...run('d', 310), exclusiveSince: 250 }, []),
          isCode('STORE_CONFLICT', 'c'),
        );
        await store.finishRun('c', 'succeeded', 320);
        await store.abandonRun('a', 320, 'abandoned');
        await store.createRun({ ...run('d', 330), exclusiveSince: 250 }, []);
      }));
  });
}
