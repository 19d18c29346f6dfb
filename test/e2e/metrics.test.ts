import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadProject } from '../../src/catalog/load-project.js';
import { openStores } from '../../src/runtime/open-runtime.js';
import { runProject } from '../../src/runtime/run-project.js';
import type { AttemptMetricsRecord, MetricsRollup } from '../../src/store/metrics-store.js';
import { catalogQuery } from '../helpers/catalog-query.js';
import { model, shopProject } from '../helpers/shop-project.js';

async function metricsOf(
  root: string,
  runId: string,
): Promise<{
  attempts: AttemptMetricsRecord[];
  run: MetricsRollup[];
  tasks: MetricsRollup[];
  units: MetricsRollup[];
  items: Awaited<ReturnType<import('../../src/store/metadata-store.js').MetadataStore['listItems']>>;
}> {
  const stores = await openStores(await loadProject(root));
  try {
    const s = stores.store;
    return {
      attempts: await s.listAttempts(runId),
      run: await s.rollup(runId, 'run'),
      tasks: await s.rollup(runId, 'task'),
      units: await s.rollup(runId, 'business_unit'),
      items: await s.listItems(runId),
    };
  } finally {
    await stores.close();
  }
}

describe('item metrics of a real run', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject({ config: 'execution:\n  retries: {code: 2}\n  backoff_seconds: 0\n' });
  });
  after(() => p.cleanup());

  it('are recorded per attempt and consistent with the published data', async () => {
    const result = await runProject(p.root, { workers: 2 });
    assert.equal(result.status, 'succeeded');
    const m = await metricsOf(p.root, result.runId);
    // One succeeded attempt per item.
    assert.equal(m.attempts.filter((a) => a.outcome === 'succeeded').length, m.items.length);
    for (const t of result.tasks) {
      const mine = m.attempts.filter((a) => a.model === t.model && a.outcome === 'succeeded');
      const rowsOut = mine.reduce((s, a) => s + a.rowsOut, 0);
      assert.equal(rowsOut, t.rowsOut, `${t.model}: rows out of the items = rows published`);
      assert.equal(
        mine.reduce((s, a) => s + a.filesOut, 0),
        t.files,
      );
      assert.equal(
        mine.reduce((s, a) => s + a.bytesOut, 0),
        t.bytesOut,
      );
      const [back] = await catalogQuery(p.warehouse, t.model, 'SELECT count(*) AS n FROM {model}');
      assert.equal(Number(back!.n), rowsOut, `${t.model}: rows DuckDB reads back`);
      for (const a of mine) {
        assert.ok(a.wallMs >= 0 && a.cpuMs >= 0 && a.peakRssBytes > 0, `${t.model}: resource use measured`);
        assert.ok(a.writeRequests >= a.filesOut, `${t.model}: one PUT per file written at least`);
        assert.ok(a.queueWaitMs >= 0);
        assert.ok(a.endedAt >= a.startedAt);
      }
    }
    // Inputs, from file metadata: fct_orders reads the 5 order partitions (1000 rows) and dim_customers (50 rows).
    const fct = m.attempts.find((a) => a.model === 'fct_orders')!;
    assert.equal(fct.rowsIn, 1050);
    assert.equal(fct.filesIn, 6);
    assert.equal(fct.partitionsIn, 5);
    assert.ok(fct.bytesIn > 0);
    const dim = m.attempts.find((a) => a.model === 'dim_customers')!;
    assert.equal(dim.rowsIn, null, 'CSV inputs have no row count');
    assert.equal(dim.filesIn, 1);
    // Rollups: the run's sums equal the sums over items; business units from the task labels.
    const run = m.run[0]!;
    for (const k of [
      'wallMs',
      'cpuMs',
      'rowsOut',
      'bytesOut',
      'filesOut',
      'bytesIn',
      'readRequests',
      'writeRequests',
    ] as const) {
      assert.equal(
        run[k],
        m.attempts.reduce((s, a) => s + (k.endsWith('Out') && a.outcome !== 'succeeded' ? 0 : a[k]), 0),
        k,
      );
      assert.equal(
        m.tasks.reduce((s, t) => s + t[k], 0),
        run[k],
        `${k}: tasks sum to the run`,
      );
    }
    assert.equal(run.items, m.items.length);
    assert.deepEqual(
      m.units.map((u) => u.key),
      ['sales'],
    );
  });

  it('records failed attempts too, so cost counts retries', async () => {
    p.write(
      'models/rpt_city.sql',
      model(
        { type: 'report', business_unit: 'sales' },
        "select city, sum(case when revenue > 0 then error('no') else revenue end) as revenue from rpt_daily group by city",
      ),
    );
    const result = await runProject(p.root, { workers: 1 });
    assert.equal(result.status, 'failed');
    const m = await metricsOf(p.root, result.runId);
    const failed = m.attempts.filter((a) => a.model === 'rpt_city');
    assert.deepEqual(
      failed.map((a) => [a.attempt, a.outcome]),
      [
        [1, 'failed'],
        [2, 'failed'],
      ],
    );
    assert.match(failed[0]!.error!, /no/);
    assert.equal(failed[0]!.rowsOut, 0);
    assert.ok(
      failed.every((a) => a.filesIn === 1 && a.rowsIn !== null && a.rowsIn > 0),
      'inputs measured before the failure',
    );
    const task = m.tasks.find((t) => t.key === 'rpt_city')!;
    assert.equal(task.attempts, 2);
    assert.equal(task.failedAttempts, 2);
  });
});
