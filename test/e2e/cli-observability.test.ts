import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { shopProject } from '../helpers/shop-project.js';

describe('sluice stats and cost', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  let runId: string;
  before(async () => {
    p = await shopProject({ config: 'execution:\n  workers: 2\n' });
    // fct_orders split by day: 5 items of 200 rows (no skew)
    p.write('models/fct_orders.sql', `/*---\ntype: fact\nbusiness_unit: sales\npartition_by: [order_date]\nsplit_by: order_date\n---*/\nselect o.order_id, o.order_date, o.customer_id, c.city, o.amount\nfrom orders o\njoin dim_customers c using (customer_id)\n`);
    const r = await runCli(['run', '--json', '-p', p.root]);
    assert.equal(r.code, 0, r.stderr);
    runId = JSON.parse(r.stdout).runId;
  });
  after(() => p.cleanup());

  it('stats shows the latest run per task, with skew, and --json is a versioned document', async () => {
    const text = await runCli(['stats', '-p', p.root]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`run ${runId}: succeeded`));
    assert.match(text.stdout, /fct_orders\s+succeeded\s+5\s+5\s/);
    assert.match(text.stdout, /skew: largest work item/);
    const json = await runCli(['stats', runId.slice(0, 18), '--json', '-p', p.root]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.schema, 'sluice.stats/v1');
    assert.equal(doc.run.id, runId);
    const fct = doc.tasks.find((t: { model: string }) => t.model === 'fct_orders');
    assert.equal(fct.items, 5);
    assert.equal(fct.rowsOut, 1000);
    assert.equal(fct.skew.byRows, 1, 'every day has 200 orders (+50 customers each)');
    assert.equal(fct.businessUnit, 'sales');
    assert.equal(doc.totals.rowsOut, doc.tasks.reduce((s: number, t: { rowsOut: number }) => s + t.rowsOut, 0));
    assert.deepEqual(doc.groups.map((g: { key: string }) => g.key), ['dimension_sales', 'fact_sales', 'report_sales']);
    const bad = await runCli(['stats', 'nope', '-p', p.root]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no run 'nope'/);
  });
});
