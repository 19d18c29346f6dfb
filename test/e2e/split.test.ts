import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../src/runtime/run-project.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { catalogQuery } from '../helpers/catalog-query.js';
import { model, shopProject } from '../helpers/shop-project.js';
import { modelDigest } from '../helpers/snapshot-digest.js';

const FCT =
  'select o.order_id, o.order_date, o.customer_id, c.city, o.amount\nfrom orders o\njoin dim_customers c using (customer_id)';
const BY_CITY = 'select order_date, city, customer_id, amount from fct_orders';

async function items(root: string, runId: string, m: string) {
  const store = new SqliteMetadataStore(join(root, '.sluice/sluice.db'));
  try {
    return await store.listItems(runId, m);
  } finally {
    await store.close();
  }
}

describe('split_by: a task as one work item per input partition', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  let whole: Record<string, { rows: number; checksum: string }>;
  before(async () => {
    // One item per day (no coalescing of these tiny partitions): what these tests are about.
    p = await shopProject({ days: 6, perDay: 300, config: 'execution:\n  target_item_size: 0\n' });
    p.write('models/fct_by_city.sql', model({ type: 'fact', business_unit: 'sales', partition_by: ['city'] }, BY_CITY));
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    whole = {};
    for (const m of ['fct_orders', 'fct_by_city', 'rpt_daily', 'rpt_city'])
      whole[m] = await modelDigest(p.warehouse, m);
  });
  after(() => p.cleanup());

  it('splits a source-partitioned fact into one item per day, with the same output', async () => {
    p.write(
      'models/fct_orders.sql',
      model({ type: 'fact', business_unit: 'sales', partition_by: ['order_date'], split_by: 'order_date' }, FCT),
    );
    // Shuffle: items split by order_date (the input's partitioning) write output partitioned by city.
    p.write(
      'models/fct_by_city.sql',
      model({ type: 'fact', business_unit: 'sales', partition_by: ['city'], split_by: 'order_date' }, BY_CITY),
    );
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    const fctItems = await items(p.root, r.runId, 'fct_orders');
    assert.equal(fctItems.length, 6);
    assert.ok(fctItems.every((i) => i.state === 'succeeded'));
    // Each item read only its own day: rows per item = rows of that day.
    assert.deepEqual(
      fctItems.map((i) => i.rowsOut),
      [300, 300, 300, 300, 300, 300],
    );
    const cityItems = await items(p.root, r.runId, 'fct_by_city');
    assert.equal(cityItems.length, 6);
    for (const m of ['fct_orders', 'fct_by_city', 'rpt_daily', 'rpt_city'])
      assert.deepEqual(await modelDigest(p.warehouse, m), whole[m], m);
    // The shuffle's output has one folder per city, each holding one file per item that had rows for it.
    const [row] = await catalogQuery(
      p.warehouse,
      'fct_by_city',
      'SELECT count(DISTINCT city) AS cities, count(*) AS n FROM {model}',
    );
    assert.deepEqual([Number(row!.cities), Number(row!.n)], [3, 1800]);
  });

  it('batches partitions when there are more than max_items_per_task', async () => {
    p.write('sluice.yaml', 'name: shop\nexecution:\n  max_items_per_task: 4\n  target_item_size: 0\n');
    // Batching does not change the output, so an unchanged model would be skipped: rebuild.
    const r = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.equal(r.status, 'succeeded');
    const fctItems = await items(p.root, r.runId, 'fct_orders');
    assert.equal(fctItems.length, 3, 'six days in batches of two');
    assert.deepEqual(
      fctItems.map((i) => i.rowsOut),
      [600, 600, 600],
    );
    for (const m of ['fct_orders', 'fct_by_city']) assert.deepEqual(await modelDigest(p.warehouse, m), whole[m], m);
  });

  it('fails the task with a clear error when no input is partitioned by split_by', async () => {
    p.write(
      'models/rpt_city.sql',
      model(
        { type: 'report', business_unit: 'sales', split_by: 'region' },
        'select city, sum(revenue) as revenue from rpt_daily group by city',
      ),
    );
    const r = await runProject(p.root, { workers: 1 });
    const t = r.tasks.find((x) => x.model === 'rpt_city')!;
    assert.equal(t.status, 'failed');
    assert.match(
      t.error!,
      /models\/rpt_city\.sql:1: \[model rpt_city\] split_by: region, but none of its inputs \(rpt_daily\) is partitioned by region/,
    );
  });
});
