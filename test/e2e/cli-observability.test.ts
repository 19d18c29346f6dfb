import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { shopProject } from '../helpers/shop-project.js';

const CONFIG = `execution:
  workers: 2
  target_item_size: 0
cost:
  currency: EUR
  pricing: spot
  on_demand: {core_hour: 0.04, gib_hour: 0.005}
  spot: {core_hour: 0.012, gib_hour: 0.0015}
  managed_uplift_pct: 25
  object_store: {write_per_1000: 0.005, read_per_1000: 0.0004, gib_month: 0.023}
budgets:
  run: 0.000001
  groups: {fact_sales: 100}
`;

describe('sluice stats and cost', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  let runId: string;
  before(async () => {
    p = await shopProject({ config: CONFIG });
    // fct_orders split by day: 5 items of 200 rows (no skew)
    p.write(
      'models/fct_orders.sql',
      `/*---\ntype: fact\nbusiness_unit: sales\npartition_by: [order_date]\nsplit_by: order_date\n---*/\nselect o.order_id, o.order_date, o.customer_id, c.city, o.amount\nfrom orders o\njoin dim_customers c using (customer_id)\n`,
    );
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
    assert.equal(
      doc.totals.rowsOut,
      doc.tasks.reduce((s: number, t: { rowsOut: number }) => s + t.rowsOut, 0),
    );
    assert.deepEqual(
      doc.groups.map((g: { key: string }) => g.key),
      ['dimension_sales', 'fact_sales', 'report_sales'],
    );
    const bad = await runCli(['stats', 'nope', '-p', p.root]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no run 'nope'/);
  });

  it('cost breaks a run down by task, group, business unit and day, with budgets; --json is versioned', async () => {
    const json = await runCli(['cost', '--json', '-p', p.root]);
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.schema, 'sluice.cost/v1');
    assert.equal(doc.currency, 'EUR');
    assert.equal(doc.pricing, 'spot');
    assert.deepEqual(doc.runs, [runId]);
    assert.equal(doc.lines.length, 4);
    const sum = (k: string) => doc.lines.reduce((s: number, l: Record<string, number>) => s + l[k]!, 0);
    for (const k of ['total', 'compute', 'requests', 'onDemand', 'managed', 'attempts', 'rowsOut'])
      assert.ok(Math.abs(sum(k) - doc.total[k]) < 1e-12, `${k}: lines sum to the total`);
    assert.ok(doc.total.total > 0 && Math.abs(doc.total.spot - doc.total.total) < 1e-12, 'priced at spot');
    assert.ok(
      doc.total.onDemand > doc.total.spot && doc.total.managed > doc.total.onDemand,
      'spot < on demand < managed',
    );
    assert.ok(Math.abs(doc.total.perMillionRows - (doc.total.total / doc.total.rowsOut) * 1e6) < 1e-12);
    assert.deepEqual(
      doc.budgets.map((b: { scope: string; key: string; over: boolean }) => [b.scope, b.key, b.over]),
      [
        ['run', runId, true],
        ['group', 'fact_sales', false],
      ],
    );
    for (const by of ['group', 'business_unit', 'day']) {
      const r = JSON.parse((await runCli(['cost', runId, '--by', by, '--json', '-p', p.root])).stdout);
      assert.ok(Math.abs(r.total.total - doc.total.total) < 1e-12, `--by ${by}: same total`);
      if (by === 'business_unit')
        assert.deepEqual(
          r.lines.map((l: { key: string }) => l.key),
          ['sales'],
        );
    }
    const text = await runCli(['cost', '--by', 'group', '-p', p.root]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /at spot prices/);
    assert.match(text.stdout, /fact_sales\s+5\s/);
    assert.match(text.stdout, /run \S+: €\S+ of €0\.0000010\s+OVER BUDGET/);
    const bad = await runCli(['cost', '--by', 'planet', '-p', p.root]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--by must be one of task, group, business_unit, day/);
  });

  it('run prints the cost and budget breaches in its summary', async () => {
    const r = await runCli(['run', '--select', 'dim_customers', '--full-refresh', '-p', p.root]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cost €\S+ at spot prices \(all on-demand €\S+, on a managed cluster €\S+/);
    assert.match(r.stdout, /OVER BUDGET: the run cost €\S+, budget €0\.0000010/);
  });

  it('a price catalogue with unknown keys or negative prices is refused with its line', async () => {
    const q = await shopProject({ config: 'cost:\n  spot: {core_hour: -1}\n  colour: red\n' });
    try {
      const v = await runCli(['validate', '-p', q.root]);
      assert.equal(v.code, 2);
      assert.match(v.stderr, /sluice\.yaml:\d+: .*core_hour.*must be >= 0/);
      assert.match(v.stderr, /colour/);
    } finally {
      q.cleanup();
    }
  });

  it("logs shows a run's coordinator and worker lines with their ids, for one model on request", async () => {
    const json = await runCli(['logs', runId, '--json', '-p', p.root]);
    assert.equal(json.code, 0, json.stderr);
    const records = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(records.every((r: { runId: string }) => r.runId === runId));
    const workerLines = records.filter((r: { component: string }) => r.component === 'worker');
    assert.ok(workerLines.length >= 2 * 8, 'a start and an outcome line per attempt (8 items)');
    for (const r of workerLines) assert.ok(r.model && r.itemId && r.attempt >= 1 && r.workerId, JSON.stringify(r));
    assert.ok(
      records.some(
        (r: { component: string; msg: string }) => r.component === 'coordinator' && r.msg === 'run succeeded',
      ),
    );
    const fct = await runCli(['logs', runId.slice(0, 18), 'fct_orders', '-p', p.root]);
    assert.equal(fct.code, 0, fct.stderr);
    assert.equal(fct.stdout.match(/attempt succeeded/g)?.length, 5);
    assert.match(fct.stdout, /INFO  coordinator fct_orders  task published .*rowsOut=1000/);
    assert.doesNotMatch(fct.stdout, /dim_customers/);
    const bad = await runCli(['logs', runId, 'nope', '-p', p.root]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /has no model 'nope'/);
  });
});
