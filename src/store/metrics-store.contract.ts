import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCode, withFixture } from './contract-kit.js';
import type { MetadataStore } from './metadata-store.js';
import type { AttemptMetrics } from './metrics-store.js';
import type { RetryPolicy } from './work-queue.js';

/**
 * The behaviour every MetricsStore implementation must have (SQLite and PostgreSQL).
 * Each implementation's test file calls `metricsStoreContract(name, make)`; `make` returns a
 * fresh, empty, unmigrated store.
 */
export interface MetricsStoreFixture {
  readonly store: MetadataStore;
  readonly cleanup: () => Promise<void>;
}

const RETRY: RetryPolicy = { maxCodeAttempts: 3, maxInfraAttempts: 3, backoffMs: 0, maxBackoffMs: 0 };

export const attempt = (itemId: string, n: number, over: Partial<AttemptMetrics> = {}): AttemptMetrics => ({
  itemId,
  attempt: n,
  workerId: 'w1',
  outcome: 'succeeded',
  startedAt: 1_000,
  endedAt: 3_000,
  queueWaitMs: 100,
  wallMs: 2_000,
  cpuMs: 1_500,
  peakRssBytes: 100_000_000,
  cpus: 1,
  memoryBytes: 0,
  rowsIn: 1_000,
  bytesIn: 50_000,
  filesIn: 2,
  partitionsIn: 1,
  rowsOut: 500,
  bytesOut: 20_000,
  filesOut: 1,
  writeRequests: 1,
  readRequests: 2,
  error: null,
  ...over,
});

/**
 * Run `r`: dim_a (group dimension_sales, unit sales) with 1 item; fct_b (group fact_sales,
 * unit sales) with 3 items; rpt_c (group report_ops, unit ops) with 1 item.
 */
async function seed(store: MetadataStore): Promise<void> {
  await store.createRun({ id: 'r', project: 'shop', selector: '*', startedAt: 0 }, [
    { model: 'dim_a', group: 'dimension_sales', concurrency: 4 },
    { model: 'fct_b', group: 'fact_sales', concurrency: 4 },
    { model: 'rpt_c', group: 'report_ops', concurrency: 4 },
  ]);
  const spec = '{}';
  const item = (itemNo: number) => ({ itemNo, queue: 'default', priority: 0, cpus: 1, memoryBytes: 0, spec });
  await store.enqueueItems('r', 'dim_a', [item(0)], RETRY, 0);
  await store.enqueueItems('r', 'fct_b', [item(0), item(1), item(2)], RETRY, 0);
  await store.enqueueItems('r', 'rpt_c', [item(0)], RETRY, 0);
}

export function metricsStoreContract(name: string, make: () => Promise<MetricsStoreFixture>): void {
  const withStore = (fn: (store: MetadataStore) => Promise<void>): Promise<void> =>
    withFixture(make, async (f) => {
      await seed(f.store);
      await fn(f.store);
    });

  describe(`MetricsStore contract: ${name}`, () => {
    it('records attempts and lists them with their item, in model, item, attempt order', () =>
      withStore(async (store) => {
        await store.recordAttempt(attempt('r/fct_b/000001', 2, { rowsIn: null, outcome: 'succeeded' }));
        await store.recordAttempt(
          attempt('r/fct_b/000001', 1, { outcome: 'failed', error: 'boom', rowsOut: 0, bytesOut: 0, filesOut: 0 }),
        );
        await store.recordAttempt(attempt('r/dim_a/000000', 1));
        const all = await store.listAttempts('r');
        assert.deepEqual(
          all.map((a) => [a.model, a.itemNo, a.attempt, a.outcome]),
          [
            ['dim_a', 0, 1, 'succeeded'],
            ['fct_b', 1, 1, 'failed'],
            ['fct_b', 1, 2, 'succeeded'],
          ],
        );
        const [failed, ok] = await store.listAttempts('r', 'fct_b');
        assert.deepEqual(failed, {
          ...attempt('r/fct_b/000001', 1, { outcome: 'failed', error: 'boom', rowsOut: 0, bytesOut: 0, filesOut: 0 }),
          runId: 'r',
          model: 'fct_b',
          itemNo: 1,
          group: 'fact_sales',
          queue: 'default',
        });
        assert.equal(ok!.rowsIn, null);
        assert.deepEqual(await store.listAttempts('r', 'rpt_c'), []);
      }));

    it('a second record of the same attempt replaces the first', () =>
      withStore(async (store) => {
        await store.recordAttempt(attempt('r/dim_a/000000', 1, { wallMs: 10 }));
        await store.recordAttempt(attempt('r/dim_a/000000', 1, { wallMs: 20 }));
        const rows = await store.listAttempts('r');
        assert.equal(rows.length, 1);
        assert.equal(rows[0]!.wallMs, 20);
      }));

    it('refuses unknown items and runs, bad outcomes and negative numbers', () =>
      withStore(async (store) => {
        await assert.rejects(
          () => store.recordAttempt(attempt('r/nope/000000', 1)),
          isCode('STORE_NOT_FOUND', 'r/nope/000000'),
        );
        await assert.rejects(
          () => store.recordAttempt(attempt('r/dim_a/000000', 1, { outcome: 'exploded' as never })),
          isCode('STORE_CONFLICT', 'outcome'),
        );
        await assert.rejects(
          () => store.recordAttempt(attempt('r/dim_a/000000', 1, { wallMs: -1 })),
          isCode('STORE_CONFLICT', 'wallMs'),
        );
        await assert.rejects(
          () => store.recordAttempt(attempt('r/dim_a/000000', 0)),
          isCode('STORE_CONFLICT', 'attempt'),
        );
        await assert.rejects(() => store.listAttempts('missing'), isCode('STORE_NOT_FOUND', 'missing'));
        await assert.rejects(() => store.rollup('missing', 'run'), isCode('STORE_NOT_FOUND', 'missing'));
        await assert.rejects(
          () => store.labelTasks('r', [{ model: 'zzz', businessUnit: 'x', type: 'fact' }]),
          isCode('STORE_NOT_FOUND', 'zzz'),
        );
        assert.deepEqual(await store.listAttempts('r'), []);
      }));

    it('labels tasks (idempotently) in task order', () =>
      withStore(async (store) => {
        await store.labelTasks('r', [
          { model: 'rpt_c', businessUnit: 'ops', type: 'report' },
          { model: 'dim_a', businessUnit: 'x', type: 'dimension' },
        ]);
        await store.labelTasks('r', [{ model: 'dim_a', businessUnit: 'sales', type: 'dimension' }]);
        assert.deepEqual(await store.listTaskLabels('r'), [
          { model: 'dim_a', businessUnit: 'sales', type: 'dimension' },
          { model: 'rpt_c', businessUnit: 'ops', type: 'report' },
        ]);
      }));

    it('rolls up by task, group, business unit and run; sums per run equal sums over attempts', () =>
      withStore(async (store) => {
        await store.labelTasks('r', [
          { model: 'dim_a', businessUnit: 'sales', type: 'dimension' },
          { model: 'fct_b', businessUnit: 'sales', type: 'fact' },
          { model: 'rpt_c', businessUnit: 'ops', type: 'report' },
        ]);
        const rows = [
          attempt('r/dim_a/000000', 1, { wallMs: 100, cpuMs: 50, rowsIn: 10, rowsOut: 10, peakRssBytes: 5 }),
          attempt('r/fct_b/000000', 1, {
            wallMs: 200,
            cpuMs: 150,
            rowsIn: 100,
            rowsOut: 40,
            peakRssBytes: 9,
            outcome: 'failed',
            error: 'x',
          }),
          attempt('r/fct_b/000000', 2, { wallMs: 300, cpuMs: 250, rowsIn: 100, rowsOut: 40, peakRssBytes: 7 }),
          attempt('r/fct_b/000001', 1, { wallMs: 400, cpuMs: 350, rowsIn: null, rowsOut: 60, peakRssBytes: 8 }),
          attempt('r/fct_b/000002', 1, {
            wallMs: 500,
            cpuMs: 450,
            rowsIn: 30,
            rowsOut: 30,
            peakRssBytes: 6,
            queueWaitMs: 7,
          }),
          attempt('r/rpt_c/000000', 1, {
            wallMs: 600,
            cpuMs: 550,
            rowsIn: 130,
            rowsOut: 3,
            peakRssBytes: 4,
            outcome: 'released',
          }),
        ];
        for (const r of rows) await store.recordAttempt(r);

        const byTask = await store.rollup('r', 'task');
        assert.deepEqual(
          byTask.map((t) => t.key),
          ['dim_a', 'fct_b', 'rpt_c'],
        );
        const fct = byTask[1]!;
        assert.equal(fct.attempts, 4);
        assert.equal(fct.failedAttempts, 1);
        assert.equal(fct.items, 3);
        assert.equal(fct.wallMs, 1400);
        assert.equal(fct.cpuMs, 1200);
        assert.equal(fct.maxPeakRssBytes, 9);
        assert.equal(fct.rowsIn, 230, 'rows read by every attempt; unknown counts as 0');
        assert.equal(fct.rowsOut, 130, 'rows written by succeeded attempts only');
        assert.equal(fct.queueWaitMs, 100 + 100 + 100 + 7);
        assert.equal(byTask[2]!.rowsOut, 0, 'a released attempt published nothing');

        const byGroup = await store.rollup('r', 'group');
        assert.deepEqual(
          byGroup.map((g) => [g.key, g.wallMs]),
          [
            ['dimension_sales', 100],
            ['fact_sales', 1400],
            ['report_ops', 600],
          ],
        );
        const byUnit = await store.rollup('r', 'business_unit');
        assert.deepEqual(
          byUnit.map((u) => [u.key, u.wallMs, u.items]),
          [
            ['ops', 600, 1],
            ['sales', 1500, 4],
          ],
        );

        const [run] = await store.rollup('r', 'run');
        assert.equal(run!.key, 'r');
        const sum = (f: (a: AttemptMetrics) => number) => rows.reduce((s, a) => s + f(a), 0);
        assert.equal(run!.attempts, rows.length);
        assert.equal(
          run!.wallMs,
          sum((a) => a.wallMs),
        );
        assert.equal(
          run!.cpuMs,
          sum((a) => a.cpuMs),
        );
        assert.equal(
          run!.bytesIn,
          sum((a) => a.bytesIn),
        );
        assert.equal(
          run!.readRequests,
          sum((a) => a.readRequests),
        );
        assert.equal(
          run!.writeRequests,
          sum((a) => a.writeRequests),
        );
        assert.equal(
          run!.rowsOut,
          sum((a) => (a.outcome === 'succeeded' ? a.rowsOut : 0)),
        );
        for (const k of ['wallMs', 'cpuMs', 'rowsOut', 'bytesIn', 'attempts'] as const) {
          assert.equal(
            byTask.reduce((s, t) => s + t[k], 0),
            run![k],
            `${k}: tasks sum to the run`,
          );
          assert.equal(
            byGroup.reduce((s, t) => s + t[k], 0),
            run![k],
            `${k}: groups sum to the run`,
          );
        }
      }));

    it('unlabelled tasks roll up under business unit ""; an empty run has no rollup rows', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.rollup('r', 'run'), []);
        await store.recordAttempt(attempt('r/dim_a/000000', 1));
        assert.deepEqual(
          (await store.rollup('r', 'business_unit')).map((u) => u.key),
          [''],
        );
      }));
  });
}
