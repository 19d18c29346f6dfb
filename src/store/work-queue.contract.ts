import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCode, withFixture } from './contract-kit.js';
import type { MetadataStore, NewTask } from './metadata-store.js';
import type { ClaimRequest, ItemRecord, Lease, NewItem, RetryPolicy } from './work-queue.js';

/**
 * The behaviour every WorkQueue implementation must have (SQLite and PostgreSQL). Each
 * implementation's test file calls `workQueueContract(name, make)`; `make` returns a fresh,
 * empty, unmigrated store, and, where the implementation can, `connect` opens another
 * connection to the same store (for the claim race).
 *
 * Claims count live slots (active workers heard from at or after `liveSince`, at least 1)
 * against each queue's maxShare, so tests that hold several leases register workers first.
 */
export interface WorkQueueFixture {
  readonly store: MetadataStore;
  readonly cleanup: () => Promise<void>;
  /** Another connection to the same store (unmigrated); closed by the suite. */
  readonly connect?: () => Promise<MetadataStore>;
}

const RETRY: RetryPolicy = { maxCodeAttempts: 3, maxInfraAttempts: 3, backoffMs: 1_000, maxBackoffMs: 60_000 };
const GB = 1024 ** 3;

const item = (itemNo: number, over: Partial<NewItem> = {}): NewItem => ({
  itemNo,
  queue: 'default',
  priority: 0,
  cpus: 1,
  memoryBytes: GB,
  spec: JSON.stringify({ part: itemNo }),
  ...over,
});

const items = (n: number, over: Partial<NewItem> = {}): NewItem[] => Array.from({ length: n }, (_, i) => item(i, over));

const task = (model: string, group = 'g', concurrency = 4): NewTask => ({ model, group, concurrency });

const claimAs = (
  store: MetadataStore,
  workerId: string,
  now: number,
  over: Partial<ClaimRequest> = {},
): Promise<Lease | undefined> =>
  store.claimItem({ workerId, cpus: 8, memoryBytes: 64 * GB, now, leaseMs: 60_000, liveSince: 0, ...over });

async function registerWorkers(store: MetadataStore, n: number, at = 0): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  for (const [i, id] of ids.entries())
    await store.registerWorker({ id, host: 'host-a', pid: 100 + i, cpus: 8, memoryBytes: 64 * GB, startedAt: at });
  return ids;
}

/** A run `r` with the given tasks, each holding `perTask` items (or its own list). */
async function runWith(
  store: MetadataStore,
  tasks: readonly NewTask[],
  perTask: number | Record<string, NewItem[]>,
  retry = RETRY,
  now = 0,
): Promise<void> {
  await store.createRun({ id: 'r', project: 'shop', selector: '*', startedAt: now }, tasks);
  for (const t of tasks) {
    const list = typeof perTask === 'number' ? items(perTask) : (perTask[t.model] ?? []);
    if (list.length > 0) await store.enqueueItems('r', t.model, list, retry, now);
  }
}

async function itemById(store: MetadataStore, id: string): Promise<ItemRecord> {
  const [runId, model] = id.split('/');
  const found = (await store.listItems(runId!, model)).find((i) => i.id === id);
  assert.ok(found, `item ${id} exists`);
  return found;
}

/**
 * Two workers take items of equal duration; each, when free, completes its item and claims the
 * next. Returns each queue's share (percent) of the busy time.
 */
async function simulateShares(
  store: MetadataStore,
  claims: number,
  durationMs: number,
): Promise<Record<string, number>> {
  const workers = await registerWorkers(store, 2);
  const freeAt = new Map(workers.map((w, i) => [w, 1_000 + (i * durationMs) / 2]));
  const held = new Map<string, Lease>();
  for (let n = 0; n < claims; n++) {
    const [worker, now] = [...freeAt].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]!;
    const lease = held.get(worker);
    if (lease)
      assert.equal(
        await store.completeItem(lease.item.id, lease.attempt, { now, rowsOut: 1, bytesOut: 1, output: '{}' }),
        true,
      );
    const next = await claimAs(store, worker, now);
    assert.ok(next, `claim ${n} at ${now} found an item`);
    held.set(worker, next);
    freeAt.set(worker, now + durationMs);
  }
  for (const [worker, lease] of held)
    await store.completeItem(lease.item.id, lease.attempt, {
      now: freeAt.get(worker)!,
      rowsOut: 1,
      bytesOut: 1,
      output: '{}',
    });
  const busy: Record<string, number> = {};
  for (const i of await store.listItems('r')) busy[i.queue] = (busy[i.queue] ?? 0) + i.busyMs;
  const total = Object.values(busy).reduce((a, b) => a + b, 0);
  assert.equal(total, claims * durationMs, 'every attempt adds its leased time');
  return Object.fromEntries(Object.entries(busy).map(([q, ms]) => [q, (100 * ms) / total]));
}

const assertShares = (actual: Record<string, number>, expected: Record<string, number>): void => {
  for (const [queue, share] of Object.entries(expected)) {
    const got = actual[queue] ?? 0;
    assert.ok(
      Math.abs(got - share) <= 5,
      `queue ${queue}: ${got.toFixed(1)}% of busy time, expected ${share}% ± 5 (all: ${JSON.stringify(actual)})`,
    );
  }
};

export function workQueueContract(name: string, make: () => Promise<WorkQueueFixture>): void {
  const withStore = (fn: (store: MetadataStore, fixture: WorkQueueFixture) => Promise<void>): Promise<void> =>
    withFixture(make, (f) => fn(f.store, f));

  describe(`WorkQueue contract: ${name}`, () => {
    it('queueDepths counts pending and leased items per queue over running runs', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.queueDepths(), []);
        await runWith(
          store,
          [task('a'), task('b')],
          {
            a: [item(0, { queue: 'fact' }), item(1, { queue: 'fact' }), item(2, { queue: 'fact' })],
            b: [item(0, { queue: 'report' })],
          },
          RETRY,
        );
        const lease = await claimAs(store, 'w1', 5);
        assert.equal(lease?.item.queue, 'fact');
        assert.deepEqual(await store.queueDepths(), [
          { queue: 'fact', pending: 2, leased: 1 },
          { queue: 'report', pending: 1, leased: 0 },
        ]);
        await store.completeItem(lease!.item.id, lease!.attempt, { now: 6, rowsOut: 1, bytesOut: 1, output: '{}' });
        assert.deepEqual(await store.queueDepths(), [
          { queue: 'fact', pending: 2, leased: 0 },
          { queue: 'report', pending: 1, leased: 0 },
        ]);
        await store.cancelRun('r', 7);
        await store.finishRun('r', 'failed', 8, 'stopped');
        assert.deepEqual(await store.queueDepths(), [], 'a finished run waits for nothing');
      }));

    it("taskProgress counts each task's items by state, with its first claim", () =>
      withStore(async (store) => {
        await runWith(
          store,
          [task('a'), task('b'), task('c')],
          { a: items(3), b: items(2) },
          { ...RETRY, maxCodeAttempts: 1 },
        );
        const l1 = await claimAs(store, 'w1', 5);
        await store.completeItem(l1!.item.id, l1!.attempt, { now: 6, rowsOut: 1, bytesOut: 1, output: '{}' });
        const l2 = await claimAs(store, 'w1', 7);
        assert.equal(await store.failItem(l2!.item.id, l2!.attempt, 'code', 'x', 8), 'dead');
        assert.deepEqual(await store.taskProgress('r'), [
          { model: 'a', items: 3, succeeded: 1, dead: 1, cancelled: 0, firstStartedAt: 5 },
          { model: 'b', items: 2, succeeded: 0, dead: 0, cancelled: 0, firstStartedAt: null },
        ]);
        await store.cancelRun('r', 9);
        assert.deepEqual(
          (await store.taskProgress('r')).map((t) => [t.model, t.cancelled]),
          [
            ['a', 1],
            ['b', 2],
          ],
        );
        await assert.rejects(() => store.taskProgress('nope'), isCode('STORE_NOT_FOUND', 'nope'));
      }));

    it('reopenRun revives dead and cancelled items and reopens failed and not_run tasks, once', () =>
      withStore(async (store) => {
        await runWith(
          store,
          [task('a'), task('b'), task('c')],
          { a: items(2), b: items(1) },
          { ...RETRY, maxCodeAttempts: 1 },
        );
        const first = await claimAs(store, 'w1', 1);
        assert.equal(
          await store.completeItem(first!.item.id, first!.attempt, { now: 2, rowsOut: 1, bytesOut: 1, output: '{}' }),
          true,
        );
        const second = await claimAs(store, 'w1', 3);
        assert.equal(await store.failItem(second!.item.id, second!.attempt, 'code', 'boom', 4), 'dead');
        await store.cancelRun('r', 5);
        await store.finishTask('r', 'a', { status: 'failed', endedAt: 6, error: 'item dead' });
        await store.finishTask('r', 'c', { status: 'not_run', endedAt: 6, error: 'upstream a failed' });
        await store.finishRun('r', 'failed', 7, '1 task failed');
        assert.equal(await claimAs(store, 'w1', 8), undefined, 'a finished run has nothing claimable');

        assert.deepEqual(await store.reopenRun('r', 10), { items: 2, tasks: 2 });
        const run = await store.getRun('r');
        assert.deepEqual([run?.status, run?.endedAt, run?.error], ['running', null, null]);
        const tasks = Object.fromEntries((await store.listTasks('r')).map((t) => [t.model, t]));
        assert.deepEqual(
          [tasks.a?.status, tasks.a?.error],
          ['running', null],
          'a has items: the coordinator watches it',
        );
        assert.deepEqual(
          [tasks.c?.status, tasks.c?.startedAt],
          ['pending', null],
          'c has none: the coordinator queues it',
        );
        const all = await store.listItems('r');
        assert.deepEqual(
          all.map((i) => [i.model, i.itemNo, i.state]),
          [
            ['a', 0, 'succeeded'],
            ['a', 1, 'pending'],
            ['b', 0, 'pending'],
          ],
        );
        assert.equal(all[1]?.codeFailures, 0);
        assert.equal((await claimAs(store, 'w2', 11))?.item.model, 'a');
        await assert.rejects(() => store.reopenRun('r', 12), isCode('STORE_CONFLICT', 'r'));
        await assert.rejects(() => store.reopenRun('nope', 12), isCode('STORE_NOT_FOUND', 'nope'));
      }));

    it('enqueueItems stores pending items with every field; listItems orders by model then itemNo', () =>
      withStore(async (store) => {
        await store.createRun({ id: 'r', project: 'shop', selector: '*', startedAt: 1 }, [
          task('b_model', 'fact.sales.1'),
          task('a_model'),
        ]);
        await store.enqueueItems(
          'r',
          'b_model',
          [item(10, { queue: 'fact', priority: 7, cpus: 2.5, memoryBytes: 3 * GB }), item(2)],
          RETRY,
          500,
        );
        await store.enqueueItems('r', 'a_model', [item(0)], RETRY, 600);
        const expected: ItemRecord = {
          id: 'r/b_model/000010',
          runId: 'r',
          model: 'b_model',
          itemNo: 10,
          group: 'fact.sales.1',
          queue: 'fact',
          priority: 7,
          cpus: 2.5,
          memoryBytes: 3 * GB,
          state: 'pending',
          attempt: 0,
          codeFailures: 0,
          infraFailures: 0,
          lateWrites: 0,
          workerId: null,
          leasedAt: null,
          leaseExpiresAt: null,
          notBefore: 500,
          createdAt: 500,
          startedAt: null,
          endedAt: null,
          busyMs: 0,
          rowsOut: null,
          bytesOut: null,
          output: null,
          error: null,
          spec: '{"part":10}',
        };
        const all = await store.listItems('r');
        assert.deepEqual(
          all.map((i) => i.id),
          ['r/a_model/000000', 'r/b_model/000002', 'r/b_model/000010'],
        );
        assert.deepEqual(all[2], expected);
        assert.deepEqual(
          (await store.listItems('r', 'b_model')).map((i) => i.itemNo),
          [2, 10],
        );
        assert.deepEqual(await store.listItems('r', 'a_model'), [all[0]]);
      }));

    it('enqueueItems adds a later stage to a running task: its items are claimable at once', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 1);
        await registerWorkers(store, 2);
        const first = await claimAs(store, 'w1', 10);
        assert.equal((await store.listTasks('r'))[0]?.status, 'running');
        await store.enqueueItems('r', 'm', [item(1)], RETRY, 11);
        assert.equal(
          (await claimAs(store, 'w2', 12))?.item.itemNo,
          1,
          'the running task holds its group slot: no step-concurrency wait',
        );
        assert.ok(await store.completeItem(first!.item.id, 1, { now: 13, rowsOut: 0, bytesOut: 0, output: '{}' }));
        assert.deepEqual(
          (await store.taskProgress('r')).map((t) => [t.items, t.succeeded]),
          [[2, 1]],
        );
      }));

    it('enqueueItems refuses unknown runs and tasks, finished tasks, duplicates and bad policies', () =>
      withStore(async (store) => {
        await runWith(store, [task('m'), task('done')], { done: items(1) });
        await registerWorkers(store, 1);
        const lease = await claimAs(store, 'w1', 10);
        assert.ok(await store.completeItem(lease!.item.id, 1, { now: 11, rowsOut: 0, bytesOut: 0, output: '{}' }));
        await store.finishTask('r', 'done', { status: 'succeeded', endedAt: 12 });
        await assert.rejects(
          () => store.enqueueItems('nope', 'm', items(1), RETRY, 0),
          isCode('STORE_NOT_FOUND', 'nope'),
        );
        await assert.rejects(
          () => store.enqueueItems('r', 'ghost', items(1), RETRY, 0),
          isCode('STORE_NOT_FOUND', 'ghost'),
        );
        await assert.rejects(
          () => store.enqueueItems('r', 'done', [item(5)], RETRY, 0),
          isCode('STORE_CONFLICT', 'done', 'succeeded'),
        );
        await assert.rejects(
          () => store.enqueueItems('r', 'm', [item(1), item(1)], RETRY, 0),
          isCode('STORE_CONFLICT', 'm', 'item 1'),
        );
        await assert.rejects(
          () => store.enqueueItems('r', 'm', items(1), { ...RETRY, maxCodeAttempts: 0 }, 0),
          isCode('STORE_CONFLICT', 'maxCodeAttempts'),
        );
        await assert.rejects(
          () => store.enqueueItems('r', 'm', [item(0, { cpus: -1 })], RETRY, 0),
          isCode('STORE_CONFLICT', 'item 0', 'cpus'),
        );
        await store.enqueueItems('r', 'm', [item(0)], RETRY, 0);
        await assert.rejects(
          () => store.enqueueItems('r', 'm', [item(1), item(0)], RETRY, 0),
          isCode('STORE_CONFLICT', 'r/m/000000'),
        );
        assert.deepEqual(
          (await store.listItems('r', 'm')).map((i) => i.itemNo),
          [0],
          'a refused batch adds nothing',
        );
        await assert.rejects(() => store.listItems('nope'), isCode('STORE_NOT_FOUND', 'nope'));
        await assert.rejects(() => store.listItems('r', 'ghost'), isCode('STORE_NOT_FOUND', 'ghost'));
      }));

    it('a claim leases the item (attempt + 1, expiry) and starts its task; nothing left gives undefined', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 1);
        const lease = await claimAs(store, 'w1', 1_000, { leaseMs: 30_000 });
        assert.ok(lease);
        assert.deepEqual([lease.attempt, lease.expiresAt], [1, 31_000]);
        assert.deepEqual(lease.item, { ...(await itemById(store, 'r/m/000000')) });
        assert.deepEqual(
          [
            lease.item.state,
            lease.item.attempt,
            lease.item.workerId,
            lease.item.leasedAt,
            lease.item.leaseExpiresAt,
            lease.item.startedAt,
          ],
          ['leased', 1, 'w1', 1_000, 31_000, 1_000],
        );
        const [t] = await store.listTasks('r');
        assert.deepEqual([t?.status, t?.startedAt], ['running', 1_000]);
        assert.equal(await claimAs(store, 'w2', 1_001), undefined);
      }));

    it('within a queue: priority first, then age, then id', () =>
      withStore(async (store) => {
        await store.createRun({ id: 'r', project: 'shop', selector: '*', startedAt: 0 }, [
          task('old'),
          task('new'),
          task('vip'),
        ]);
        await store.enqueueItems('r', 'new', [item(0), item(1)], RETRY, 200);
        await store.enqueueItems('r', 'old', [item(1), item(0)], RETRY, 100);
        await store.enqueueItems('r', 'vip', [item(0, { priority: 5 }), item(1, { priority: 9 })], RETRY, 300);
        await registerWorkers(store, 8);
        const order: string[] = [];
        for (let n = 0; n < 6; n++) order.push((await claimAs(store, 'w1', 1_000 + n))!.item.id);
        assert.deepEqual(order, [
          'r/vip/000001',
          'r/vip/000000',
          'r/old/000000',
          'r/old/000001',
          'r/new/000000',
          'r/new/000001',
        ]);
      }));

    it('fair share: 4 queues 30/30/30/10 get their share of busy time', () =>
      withStore(async (store) => {
        await store.setQueues([
          { name: 'dimension', share: 30, maxShare: 100 },
          { name: 'fact', share: 30, maxShare: 100 },
          { name: 'report', share: 30, maxShare: 100 },
          { name: 'default', share: 10, maxShare: 100 },
        ]);
        const queues = ['dimension', 'fact', 'report', 'default'];
        await runWith(
          store,
          queues.map((q) => task(`m_${q}`, q, 1)),
          Object.fromEntries(queues.map((q) => [`m_${q}`, items(200, { queue: q })])),
        );
        assertShares(await simulateShares(store, 400, 10), { dimension: 30, fact: 30, report: 30, default: 10 });
      }));

    it('fair share: an idle queue lends its share; an unlisted queue has share 10', () =>
      withStore(async (store) => {
        await store.setQueues([
          { name: 'dimension', share: 30, maxShare: 100 },
          { name: 'fact', share: 30, maxShare: 100 },
          { name: 'report', share: 30, maxShare: 100 },
          { name: 'default', share: 10, maxShare: 100 },
        ]);
        const queues = ['dimension', 'fact', 'report', 'adhoc']; // default is idle; adhoc is not configured
        await runWith(
          store,
          queues.map((q) => task(`m_${q}`, q, 1)),
          Object.fromEntries(queues.map((q) => [`m_${q}`, items(200, { queue: q })])),
        );
        assertShares(await simulateShares(store, 400, 10), { dimension: 30, fact: 30, report: 30, adhoc: 10 });
      }));

    it('fair share: with only three 30% queues busy, each gets a third', () =>
      withStore(async (store) => {
        await store.setQueues([
          { name: 'dimension', share: 30, maxShare: 100 },
          { name: 'fact', share: 30, maxShare: 100 },
          { name: 'report', share: 30, maxShare: 100 },
          { name: 'default', share: 10, maxShare: 100 },
        ]);
        const queues = ['dimension', 'fact', 'report'];
        await runWith(
          store,
          queues.map((q) => task(`m_${q}`, q, 1)),
          Object.fromEntries(queues.map((q) => [`m_${q}`, items(200, { queue: q })])),
        );
        assertShares(await simulateShares(store, 300, 10), { dimension: 33.3, fact: 33.3, report: 33.3, default: 0 });
      }));

    it('claims only items that fit the worker (cpus, memory)', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], {
          m: [
            item(0, { cpus: 4, priority: 9 }),
            item(1, { memoryBytes: 16 * GB, priority: 8 }),
            item(2, { cpus: 2, memoryBytes: 2 * GB }),
          ],
        });
        await registerWorkers(store, 4);
        const small = { cpus: 2, memoryBytes: 4 * GB };
        assert.equal((await claimAs(store, 'small', 10, small))?.item.id, 'r/m/000002');
        assert.equal(await claimAs(store, 'small', 11, small), undefined);
        assert.equal((await claimAs(store, 'wide', 12, { cpus: 4, memoryBytes: 4 * GB }))?.item.id, 'r/m/000000');
        assert.equal(await claimAs(store, 'wide', 13, { cpus: 4, memoryBytes: 4 * GB }), undefined);
        assert.equal((await claimAs(store, 'tall', 14, { cpus: 1, memoryBytes: 16 * GB }))?.item.id, 'r/m/000001');
      }));

    it('notBefore holds a retried item back until its backoff has passed', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 1);
        const first = (await claimAs(store, 'w1', 1_000))!;
        assert.equal(await store.failItem(first.item.id, 1, 'code', 'Binder Error', 2_000), 'retry');
        assert.equal((await itemById(store, 'r/m/000000')).notBefore, 3_000);
        assert.equal(await claimAs(store, 'w1', 2_999), undefined);
        const second = await claimAs(store, 'w1', 3_000);
        assert.deepEqual([second?.item.id, second?.attempt], ['r/m/000000', 2]);
      }));

    it('step concurrency: a group with concurrency 2 runs at most 2 tasks; items of running tasks stay claimable', () =>
      withStore(async (store) => {
        const tasks = ['a', 'b', 'c', 'd', 'e'].map((m) => task(m, 'fact.sales.1', 2));
        await runWith(store, [...tasks, task('other', 'report.sales.1', 1)], {
          a: items(2),
          b: items(2),
          c: items(2),
          d: items(2),
          e: items(2),
          other: items(1, { priority: -1 }),
        });
        await registerWorkers(store, 20);
        const claim = async (now: number): Promise<string | undefined> => (await claimAs(store, 'w1', now))?.item.id;
        assert.deepEqual(
          [await claim(1), await claim(2), await claim(3), await claim(4)],
          ['r/a/000000', 'r/a/000001', 'r/b/000000', 'r/b/000001'],
        );
        assert.equal(await claim(5), 'r/other/000000', 'another group is not held back');
        assert.equal(await claim(6), undefined, 'c, d and e wait while a and b run');
        assert.deepEqual(
          (await store.listTasks('r')).filter((t) => t.status === 'running').map((t) => t.model),
          ['a', 'b', 'other'],
        );

        assert.equal(await store.failItem('r/b/000001', 1, 'code', 'flaky', 7), 'retry');
        assert.equal(await claim(1_007), 'r/b/000001', 'b is running: its items are claimable at the cap');
        assert.equal(await claim(1_008), undefined);

        for (const id of ['r/a/000000', 'r/a/000001'])
          assert.equal(await store.completeItem(id, 1, { now: 1_009, rowsOut: 1, bytesOut: 1, output: '{}' }), true);
        await store.finishTask('r', 'a', { status: 'succeeded', endedAt: 1_010 });
        assert.equal(await claim(1_011), 'r/c/000000', 'a finished: c may start');
        assert.equal(await claim(1_012), 'r/c/000001');
        assert.equal(await claim(1_013), undefined);
      }));

    it("a queue's maxShare caps its leases at that share of the live slots (at least 1 slot)", () =>
      withStore(async (store) => {
        await store.setQueues([
          { name: 'fact', share: 30, maxShare: 50 },
          { name: 'default', share: 70, maxShare: 100 },
        ]);
        await runWith(store, [task('f', 'g', 100)], { f: items(10, { queue: 'fact' }) });
        const claim = (now: number, liveSince = 0): Promise<Lease | undefined> =>
          claimAs(store, 'w1', now, { liveSince });

        assert.ok(await claim(1), 'no live worker still counts as one slot');
        assert.equal(await claim(2), undefined, '1 of 1 slot is more than 50%');
        await registerWorkers(store, 4, 100); // 4 live slots: fact may hold 2
        assert.ok(await claim(101));
        assert.equal(await claim(102), undefined);
        await store.registerWorker({ id: 'w5', host: 'h', pid: 5, cpus: 8, memoryBytes: GB, startedAt: 100 });
        await store.registerWorker({ id: 'w6', host: 'h', pid: 6, cpus: 8, memoryBytes: GB, startedAt: 100 });
        assert.ok(await claim(103), '6 live slots: fact may hold 3');
        assert.equal(await claim(104), undefined);

        await store.workerHeartbeat('w1', 500);
        await store.workerHeartbeat('w2', 500, 'draining');
        const leased = (await store.listItems('r')).filter((i) => i.state === 'leased');
        assert.equal(leased.length, 3);
        assert.equal(
          await store.completeItem(leased[0]!.id, 1, { now: 510, rowsOut: 0, bytesOut: 0, output: '{}' }),
          true,
        );
        assert.equal(await claim(511, 400), undefined, 'since 400 only w1 is live: 1 slot, and fact holds 2');
        assert.ok(await claim(512, 0), 'w1, w3-w6 are live (w2 drains): 5 slots, fact may hold 2.5');
        assert.equal(await claim(513, 0), undefined);
        await store.stopWorker('w3', 600, 'stopped');
        assert.equal(
          await store.completeItem(leased[1]!.id, 1, { now: 610, rowsOut: 0, bytesOut: 0, output: '{}' }),
          true,
        );
        assert.equal(await claim(611, 0), undefined, 'w3 stopped: 4 slots, fact may hold 2 and holds 2');
      }));

    it("fencing: after expiry and reaping, the first worker's writes are refused and counted; the second's output is kept", () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 1, {
          maxCodeAttempts: 3,
          maxInfraAttempts: 3,
          backoffMs: 500,
          maxBackoffMs: 10_000,
        });
        const first = (await claimAs(store, 'w1', 1_000, { leaseMs: 1_000 }))!;
        assert.equal(await store.heartbeat(first.item.id, 1, 1_800, 1_000), true);
        assert.equal((await itemById(store, first.item.id)).leaseExpiresAt, 2_800);
        assert.equal(await store.reapExpired(2_800), 0, 'a lease expiring at now is not expired yet');
        assert.equal(
          await store.heartbeat(first.item.id, 1, 2_900, 1_000),
          true,
          'expired but not reaped: still the current attempt',
        );
        assert.equal(await store.reapExpired(4_000), 1);

        const reaped = await itemById(store, first.item.id);
        assert.deepEqual(
          [
            reaped.state,
            reaped.infraFailures,
            reaped.codeFailures,
            reaped.notBefore,
            reaped.leaseExpiresAt,
            reaped.busyMs,
          ],
          ['pending', 1, 0, 4_500, null, 2_900],
        );
        assert.match(reaped.error ?? '', /w1.*expired/);

        const second = (await claimAs(store, 'w2', 4_500))!;
        assert.equal(second.attempt, 2);
        assert.equal(await store.heartbeat(first.item.id, 1, 4_600, 1_000), false);
        assert.equal(
          await store.completeItem(first.item.id, 1, {
            now: 4_700,
            rowsOut: 666,
            bytesOut: 666,
            output: '{"from":"w1"}',
          }),
          false,
        );
        assert.equal(await store.failItem(first.item.id, 1, 'code', 'late failure', 4_800), 'fenced');
        assert.equal(
          await store.completeItem(second.item.id, 2, {
            now: 5_500,
            rowsOut: 42,
            bytesOut: 4_200,
            output: '{"from":"w2"}',
          }),
          true,
        );
        assert.equal(
          await store.completeItem(first.item.id, 1, {
            now: 5_600,
            rowsOut: 666,
            bytesOut: 666,
            output: '{"from":"w1"}',
          }),
          false,
        );
        assert.equal(
          await store.completeItem(second.item.id, 2, {
            now: 5_700,
            rowsOut: 1,
            bytesOut: 1,
            output: '{"again":true}',
          }),
          false,
          'completing twice is a late write',
        );

        const done = await itemById(store, first.item.id);
        assert.deepEqual(
          [
            done.state,
            done.attempt,
            done.workerId,
            done.output,
            done.rowsOut,
            done.bytesOut,
            done.endedAt,
            done.lateWrites,
            done.busyMs,
          ],
          ['succeeded', 2, 'w2', '{"from":"w2"}', 42, 4_200, 5_500, 5, 2_900 + 1_000],
        );
        await assert.rejects(() => store.heartbeat('r/m/000099', 1, 1, 1_000), isCode('STORE_NOT_FOUND', 'r/m/000099'));
      }));

    it('code failures spend the code budget with capped exponential backoff, then the item is dead', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 1, {
          maxCodeAttempts: 4,
          maxInfraAttempts: 2,
          backoffMs: 1_000,
          maxBackoffMs: 3_000,
        });
        await registerWorkers(store, 1);
        let now = 10_000;
        const notBefore: number[] = [];
        const outcomes: string[] = [];
        for (let n = 1; n <= 4; n++) {
          const lease = (await claimAs(store, 'w1', now))!;
          assert.equal(lease.attempt, n);
          outcomes.push(await store.failItem(lease.item.id, n, 'code', `error ${n}`, now + 100));
          const after = await itemById(store, 'r/m/000000');
          notBefore.push(after.notBefore - (now + 100));
          now = Math.max(after.notBefore, now + 100);
        }
        assert.deepEqual(outcomes, ['retry', 'retry', 'retry', 'dead']);
        assert.deepEqual(notBefore.slice(0, 3), [1_000, 2_000, 3_000]);
        const dead = await itemById(store, 'r/m/000000');
        assert.deepEqual(
          [dead.state, dead.codeFailures, dead.infraFailures, dead.error, dead.busyMs, dead.endedAt],
          ['dead', 4, 0, 'error 4', 400, now],
        );
        assert.equal(await claimAs(store, 'w1', now + 1_000_000), undefined, 'dead items are not claimed');
      }));

    it('infra failures (failItem, reaper) spend their own budget', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 2, {
          maxCodeAttempts: 2,
          maxInfraAttempts: 3,
          backoffMs: 100,
          maxBackoffMs: 1_000,
        });
        await registerWorkers(store, 2);
        // item 0: code, infra, reaped infra, reaped infra (dead at the third infra failure)
        let lease = (await claimAs(store, 'w1', 0, { leaseMs: 50 }))!;
        assert.equal(lease.item.id, 'r/m/000000');
        assert.equal(await store.failItem(lease.item.id, 1, 'code', 'sql', 10), 'retry');
        lease = (await claimAs(store, 'w1', 110, { leaseMs: 50 }))!;
        assert.equal(lease.item.id, 'r/m/000000');
        assert.equal(await store.failItem(lease.item.id, 2, 'infra', 'SIGTERM', 120), 'retry');
        let it0 = await itemById(store, 'r/m/000000');
        assert.deepEqual(
          [it0.codeFailures, it0.infraFailures, it0.notBefore],
          [1, 1, 220],
          'the first infra failure backs off 100 ms',
        );
        lease = (await claimAs(store, 'w1', 220, { leaseMs: 50 }))!;
        assert.equal(lease.item.id, 'r/m/000000');
        assert.equal(await store.reapExpired(300), 1);
        it0 = await itemById(store, 'r/m/000000');
        assert.deepEqual(
          [it0.state, it0.infraFailures, it0.notBefore],
          ['pending', 2, 500],
          'the second backs off 200 ms',
        );
        lease = (await claimAs(store, 'w1', 500, { leaseMs: 50 }))!;
        assert.equal(lease.item.id, 'r/m/000000');
        assert.equal(await store.reapExpired(600), 1);
        it0 = await itemById(store, 'r/m/000000');
        assert.deepEqual(
          [it0.state, it0.attempt, it0.codeFailures, it0.infraFailures, it0.endedAt, it0.busyMs],
          ['dead', 4, 1, 3, 600, 10 + 10 + 50 + 50],
        );
        assert.match(it0.error ?? '', /expired/);
        const it1 = await itemById(store, 'r/m/000001');
        assert.deepEqual([it1.state, it1.attempt], ['pending', 0]);
      }));

    it('releaseWorker and a lost worker fail their leases as infra at once', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 5);
        await registerWorkers(store, 4);
        const l1 = (await claimAs(store, 'w1', 100))!;
        await claimAs(store, 'w1', 110);
        const l2 = (await claimAs(store, 'w2', 120))!;
        const l3 = (await claimAs(store, 'w3', 130))!;
        assert.deepEqual(
          (await store.listWorkers()).map((w) => [w.id, w.state, w.leased]),
          [
            ['w1', 'active', 2],
            ['w2', 'active', 1],
            ['w3', 'active', 1],
            ['w4', 'active', 0],
          ],
        );

        assert.equal(await store.releaseWorker('w1', 200, 'spot interruption notice'), 2);
        const released = (await store.listItems('r')).filter((i) => i.workerId === 'w1');
        assert.deepEqual(
          released.map((i) => [i.state, i.infraFailures, i.error, i.notBefore]),
          [
            ['pending', 1, 'spot interruption notice', 1_200],
            ['pending', 1, 'spot interruption notice', 1_200],
          ],
        );
        assert.equal(released.find((i) => i.id === l1.item.id)?.busyMs, 100);
        assert.equal(
          await store.completeItem(l1.item.id, l1.attempt, { now: 210, rowsOut: 1, bytesOut: 1, output: '{}' }),
          false,
        );
        assert.equal((await itemById(store, l2.item.id)).state, 'leased', "another worker's lease is untouched");
        assert.equal(await store.releaseWorker('nobody', 220, 'x'), 0);

        await store.stopWorker('w3', 300, 'lost');
        const lost = await itemById(store, l3.item.id);
        assert.deepEqual([lost.state, lost.infraFailures], ['pending', 1]);
        assert.match(lost.error ?? '', /w3/);
        assert.equal(await store.workerHeartbeat('w3', 310), 'lost', 'a lost worker learns it on its next heartbeat');
        assert.deepEqual(
          (await store.listWorkers()).map((w) => w.id),
          ['w1', 'w2', 'w4'],
        );
        const all = await store.listWorkers({ includeStopped: true });
        assert.deepEqual(
          all.map((w) => [w.id, w.state, w.stoppedAt, w.leased]),
          [
            ['w1', 'active', null, 0],
            ['w2', 'active', null, 1],
            ['w3', 'lost', 300, 0],
            ['w4', 'active', null, 0],
          ],
        );
      }));

    it('workers: register once, heartbeat, drain, stop', () =>
      withStore(async (store) => {
        await store.registerWorker({
          id: 'w1',
          host: 'ip-10-0-0-1',
          pid: 4242,
          cpus: 4,
          memoryBytes: 16 * GB,
          startedAt: 1_000,
        });
        await assert.rejects(
          () => store.registerWorker({ id: 'w1', host: 'h', pid: 1, cpus: 1, memoryBytes: 1, startedAt: 2 }),
          isCode('STORE_CONFLICT', 'w1'),
        );
        assert.deepEqual(await store.listWorkers(), [
          {
            id: 'w1',
            host: 'ip-10-0-0-1',
            pid: 4242,
            cpus: 4,
            memoryBytes: 16 * GB,
            startedAt: 1_000,
            state: 'active',
            heartbeatAt: 1_000,
            stoppedAt: null,
            leased: 0,
          },
        ]);
        assert.equal(await store.workerHeartbeat('w1', 2_000), 'active');
        assert.equal(await store.workerHeartbeat('w1', 3_000, 'draining'), 'draining');
        assert.equal(await store.workerHeartbeat('w1', 3_500), 'draining', 'the state is kept when none is given');
        assert.equal((await store.listWorkers())[0]?.heartbeatAt, 3_500);
        await store.stopWorker('w1', 4_000, 'stopped');
        assert.equal(await store.workerHeartbeat('w1', 4_100, 'active'), 'stopped', 'a stopped worker is not revived');
        assert.deepEqual(await store.listWorkers(), []);
        await assert.rejects(() => store.workerHeartbeat('ghost', 1), isCode('STORE_NOT_FOUND', 'ghost'));
        await assert.rejects(() => store.stopWorker('ghost', 1, 'lost'), isCode('STORE_NOT_FOUND', 'ghost'));
      }));

    it('cancelRun cancels pending and leased items; the holder learns it on its next heartbeat', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 4);
        await registerWorkers(store, 4);
        const done = (await claimAs(store, 'w1', 10))!;
        await store.completeItem(done.item.id, 1, { now: 20, rowsOut: 1, bytesOut: 1, output: '{}' });
        const busy = (await claimAs(store, 'w2', 30))!;
        assert.equal(await store.cancelRun('r', 100), 3);
        const byId = new Map((await store.listItems('r')).map((i) => [i.id, i]));
        assert.deepEqual(
          [...byId.values()].map((i) => i.state),
          ['succeeded', 'cancelled', 'cancelled', 'cancelled'],
        );
        assert.deepEqual([byId.get(busy.item.id)?.endedAt, byId.get(busy.item.id)?.busyMs], [100, 70]);
        assert.equal(await store.heartbeat(busy.item.id, busy.attempt, 110, 60_000), false);
        assert.equal(
          await store.completeItem(busy.item.id, busy.attempt, { now: 120, rowsOut: 1, bytesOut: 1, output: '{}' }),
          false,
        );
        assert.equal((await itemById(store, busy.item.id)).lateWrites, 2);
        assert.equal(await claimAs(store, 'w3', 130), undefined);
        assert.equal(await store.cancelRun('r', 140), 0);
        await assert.rejects(() => store.cancelRun('nope', 1), isCode('STORE_NOT_FOUND', 'nope'));
      }));

    it('redriveDead gives dead items fresh budgets and makes them claimable now', () =>
      withStore(async (store) => {
        await runWith(store, [task('m')], 3, {
          maxCodeAttempts: 1,
          maxInfraAttempts: 1,
          backoffMs: 100,
          maxBackoffMs: 100,
        });
        await registerWorkers(store, 3);
        const a = (await claimAs(store, 'w1', 10))!;
        const b = (await claimAs(store, 'w2', 10))!;
        const c = (await claimAs(store, 'w3', 10))!;
        assert.equal(await store.failItem(a.item.id, 1, 'code', 'bad sql', 20), 'dead');
        assert.equal(await store.failItem(b.item.id, 1, 'infra', 'oom', 20), 'dead');
        await store.completeItem(c.item.id, 1, { now: 20, rowsOut: 1, bytesOut: 1, output: '{}' });
        assert.equal(await store.redriveDead('r', 500), 2);
        const [ra, rb, rc] = await store.listItems('r');
        for (const i of [ra!, rb!])
          assert.deepEqual(
            [i.state, i.codeFailures, i.infraFailures, i.notBefore, i.endedAt, i.attempt],
            ['pending', 0, 0, 500, null, 1],
          );
        assert.equal(rc?.state, 'succeeded');
        assert.equal(await claimAs(store, 'w1', 499), undefined);
        const again = await claimAs(store, 'w1', 500);
        assert.deepEqual([again?.item.id, again?.attempt], [a.item.id, 2]);
        assert.equal(await store.redriveDead('r', 600), 0);
        await assert.rejects(() => store.redriveDead('nope', 1), isCode('STORE_NOT_FOUND', 'nope'));
      }));

    it('items of runs that are not running are not claimable', () =>
      withStore(async (store) => {
        await registerWorkers(store, 4);
        for (const id of ['done', 'dead', 'live']) {
          await store.createRun({ id, project: 'shop', selector: '*', startedAt: 0 }, [task('m')]);
          await store.enqueueItems(id, 'm', items(1, { priority: id === 'live' ? 0 : 10 }), RETRY, 0);
        }
        await store.finishRun('done', 'failed', 5, 'stopped by hand');
        assert.equal(await store.abandonRun('dead', 5, 'coordinator died'), true);
        assert.equal((await claimAs(store, 'w1', 10))?.item.id, 'live/m/000000');
        assert.equal(await claimAs(store, 'w1', 11), undefined);
      }));

    it('setQueues replaces the queue configuration; listQueues lists it by name; bad shares are refused', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.listQueues(), []);
        await store.setQueues([
          { name: 'report', share: 30, maxShare: 60 },
          { name: 'default', share: 10, maxShare: 100 },
          { name: 'dimension', share: 30, maxShare: 30 },
        ]);
        assert.deepEqual(
          (await store.listQueues()).map((q) => [q.name, q.share, q.maxShare]),
          [
            ['default', 10, 100],
            ['dimension', 30, 30],
            ['report', 30, 60],
          ],
        );
        await store.setQueues([{ name: 'fact', share: 100, maxShare: 100 }]);
        assert.deepEqual(await store.listQueues(), [{ name: 'fact', share: 100, maxShare: 100 }]);
        await assert.rejects(
          () =>
            store.setQueues([
              { name: 'a', share: 60, maxShare: 60 },
              { name: 'b', share: 50, maxShare: 50 },
            ]),
          isCode('STORE_CONFLICT', '110'),
        );
        await assert.rejects(
          () => store.setQueues([{ name: 'a', share: 40, maxShare: 30 }]),
          isCode('STORE_CONFLICT', 'queue a', 'maxShare'),
        );
        await assert.rejects(
          () =>
            store.setQueues([
              { name: 'a', share: 10, maxShare: 10 },
              { name: 'a', share: 10, maxShare: 10 },
            ]),
          isCode('STORE_CONFLICT', 'queue a', 'twice'),
        );
        assert.deepEqual(
          await store.listQueues(),
          [{ name: 'fact', share: 100, maxShare: 100 }],
          'a refused configuration changes nothing',
        );
        await store.setQueues([]);
        assert.deepEqual(await store.listQueues(), []);
      }));

    it('10,000 pending items across 4 queues: claims follow share, caps and order', () =>
      withStore(async (store) => {
        await store.setQueues([
          { name: 'a', share: 30, maxShare: 100 },
          { name: 'b', share: 30, maxShare: 100 },
          { name: 'c', share: 30, maxShare: 100 },
          { name: 'd', share: 10, maxShare: 100 },
        ]);
        const queues = ['a', 'b', 'c', 'd'];
        // per queue one group (concurrency 1) of two tasks: x_1 enqueued first (older), x_2 second
        const tasks = queues.flatMap((q) => [task(`${q}_1`, `group_${q}`, 1), task(`${q}_2`, `group_${q}`, 1)]);
        await store.createRun({ id: 'r', project: 'shop', selector: '*', startedAt: 0 }, tasks);
        for (const t of tasks) {
          await store.enqueueItems(
            'r',
            t.model,
            Array.from({ length: 1_250 }, (_, n) => item(n, { queue: t.model[0]!, priority: n % 10 })),
            RETRY,
            t.model.endsWith('_1') ? 100 : 200,
          );
        }
        await registerWorkers(store, 16);
        // Ties within a task go by id, a string: item 1009 before item 109 before item 9.
        const top = (model: string, k: number): string =>
          Array.from({ length: 125 }, (_, j) => `r/${model}/${String(j * 10 + 9).padStart(6, '0')}`).sort()[k]!;
        // Timing, SQLite (measured at this size, 3,000 claims, 2 loaded cores): a claim takes 0.15 ms
        // median, 0.35 ms p95 on a WAL file (0.06 / 0.13 ms in memory); the rare multi-ms outliers
        // are WAL checkpoints. The cost follows the number of admissible tasks, not pending items.
        const claimed: string[] = [];
        for (let n = 0; n < 6; n++) claimed.push((await claimAs(store, 'w1', 1_000 + n))!.item.id);
        // lowest usage ÷ share first (leases in progress count up to now), ties by name:
        // t+0 all 0 -> a; t+1 a 1/30 -> b; t+2 -> c; t+3 -> d; t+4 a 4/30, b 3/30, c 2/30, d 1/10 -> c;
        // t+5 a 5/30, b 4/30, c (3+1)/30, d 2/10 -> b (tie with c, by name)
        assert.deepEqual(claimed, [
          top('a_1', 0),
          top('b_1', 0),
          top('c_1', 0),
          top('d_1', 0),
          top('c_1', 1),
          top('b_1', 1),
        ]);
        // x_2 is blocked by its group's concurrency (x_1 runs) although its items are as good
        const inFlight: Lease[] = [];
        for (let n = 6; n < 200; n++) {
          const lease = await claimAs(store, `w${(n % 16) + 1}`, 1_000 + n);
          assert.ok(lease, `claim ${n}`);
          assert.match(lease.item.model, /_1$/);
          inFlight.push(lease);
          if (inFlight.length > 12) {
            // keep a dozen leases in flight
            const oldest = inFlight.shift()!;
            assert.equal(
              await store.completeItem(oldest.item.id, oldest.attempt, {
                now: 1_000 + n,
                rowsOut: 1,
                bytesOut: 1,
                output: '{}',
              }),
              true,
            );
          }
        }
        const all = await store.listItems('r');
        assert.equal(all.length, 10_000);
        assert.equal(all.filter((i) => i.attempt > 1).length, 0);
        assert.equal(all.filter((i) => i.model.endsWith('_2') && i.state !== 'pending').length, 0);
        const taken = all.filter((i) => i.state !== 'pending');
        assert.equal(taken.length, 200);
        assert.ok(
          taken.every((i) => i.priority === 9),
          'only priority-9 items claimed so far (125 per task)',
        );
      }));

    it('claimers racing on several connections lease each item exactly once', (t) =>
      withStore(async (store, fixture) => {
        if (fixture.connect === undefined) return t.skip('this implementation has a single connection');
        const others = await Promise.all(Array.from({ length: 4 }, () => fixture.connect!()));
        try {
          for (const o of others) await o.migrate();
          await runWith(store, [task('m1', 'g', 2), task('m2', 'g', 2)], 150);
          await registerWorkers(store, 5);
          const claimers = [store, ...others];
          const won = await Promise.all(
            claimers.map(async (s, k) => {
              const mine: string[] = [];
              for (let now = 1; ; now++) {
                const lease = await claimAs(s, `w${k + 1}`, now);
                if (lease === undefined) break;
                mine.push(`${lease.item.id}#${lease.attempt}`);
                assert.equal(
                  await s.completeItem(lease.item.id, lease.attempt, { now, rowsOut: 1, bytesOut: 1, output: '{}' }),
                  true,
                );
              }
              return mine;
            }),
          );
          const ids = won.flat().sort();
          assert.equal(ids.length, 300);
          assert.equal(new Set(ids).size, 300);
          assert.ok(ids.every((id) => id.endsWith('#1')));
          assert.ok((await store.listItems('r')).every((i) => i.state === 'succeeded' && i.attempt === 1));
        } finally {
          for (const o of others) await o.close();
        }
      }));
  });
}
