import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { model, shopProject } from '../helpers/shop-project.js';
import { modelDigest } from '../helpers/snapshot-digest.js';
import { query } from '../helpers/duckdb-query.js';

describe('the sluice CLI', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject({ config: 'defaults:\n  step_concurrency: 2\n' });
  });
  after(() => p.cleanup());

  it('validate passes on a good project and plan --json is a versioned document', async () => {
    const v = await runCli(['validate', '--project', p.root]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /4 models and 2 sources are valid/);
    const plan = await runCli(['plan', '--json', '-p', p.root]);
    assert.equal(plan.code, 0, plan.stderr);
    const doc = JSON.parse(plan.stdout);
    assert.equal(doc.schema, 'sluice.plan/v1');
    assert.deepEqual(
      doc.groups.map((g: { name: string }) => g.name),
      ['dimension_sales', 'fact_sales', 'report_sales'],
    );
    const fct = doc.groups[1].models[0];
    assert.deepEqual(fct.reads, [
      { kind: 'model', name: 'dim_customers', in_run: true },
      { kind: 'source', name: 'orders', format: 'parquet', path: 'data/orders' },
    ]);
    assert.equal(doc.groups[0].concurrency, 2);
  });

  it('run --json returns the run result, and status shows it', async () => {
    const r = await runCli(['run', '--json', '-p', p.root]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.schema, 'sluice.run/v1');
    assert.equal(doc.status, 'succeeded');
    assert.equal(doc.tasks.length, 4);
    for (const t of doc.tasks) {
      assert.equal(t.status, 'succeeded');
      assert.ok(t.durationMs >= 0 && t.rowsOut > 0 && t.bytesOut > 0, JSON.stringify(t));
    }
    const s = await runCli(['status', '-p', p.root]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`${doc.runId}\\s+succeeded`));
    const one = await runCli(['status', doc.runId.slice(0, 17), '-p', p.root]);
    assert.match(one.stdout, /fct_orders\s+fact_sales\s+succeeded/);
  });

  it('prints per-task progress and selects with + and tags', async () => {
    const r = await runCli(['run', '--select', '+rpt_daily', '--full-refresh', '-p', p.root]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /✓ dim_customers/);
    assert.match(r.stdout, /✓ rpt_daily/);
    assert.doesNotMatch(r.stdout, /rpt_city/);
    assert.match(r.stdout, /SUCCEEDED in .*3 succeeded, 0 failed, 0 not run/);
    const bad = await runCli(['run', '--select', 'rpt_dayly', '-p', p.root]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no model named 'rpt_dayly' \(did you mean 'rpt_daily'\?\)/);
  });

  it('reports a model that does not bind with file and line, exits 2 and runs nothing', async () => {
    const before = await modelDigest(p.warehouse, 'rpt_city');
    p.write(
      'models/rpt_city.sql',
      model(
        { type: 'report', business_unit: 'sales' },
        'select city,\n  sum(revenu) as revenue\nfrom rpt_daily group by city',
      ),
    );
    const r = await runCli(['run', '-p', p.root]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /models\/rpt_city\.sql:6: \[model rpt_city\] Binder Error: Referenced column "revenu" not found/,
    );
    assert.deepEqual(await modelDigest(p.warehouse, 'rpt_city'), before);
    const v = await runCli(['validate', '-p', p.root]);
    assert.equal(v.code, 2);
    p.write(
      'models/rpt_city.sql',
      model(
        { type: 'report', business_unit: 'sales' },
        'select city, sum(revenue) as revenue from rpt_daily group by city',
      ),
    );
  });

  it('exits 1 when a model fails at run time and names it', async () => {
    p.write(
      'models/rpt_fail.sql',
      model({ type: 'report', business_unit: 'sales' }, "select error('kaboom') as x from rpt_city"),
    );
    const r = await runCli(['run', '-p', p.root]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ rpt_fail .*FAILED: models\/rpt_fail\.sql:\d+: \[model rpt_fail\] .*kaboom/);
    // rpt_city is rebuilt (rpt_daily was rebuilt by the --full-refresh run above); the rest is unchanged.
    assert.match(r.stdout, /FAILED in .*1 succeeded, 3 skipped \(unchanged\), 1 failed, 0 not run/);
    p.write('models/rpt_fail.sql', model({ type: 'report', business_unit: 'sales' }, 'select 1 as x'));
  });

  it('handles hostile partition values: they stay inside the model folder and read back unchanged', async () => {
    p.write(
      'models/rpt_hostile.sql',
      model(
        { type: 'report', business_unit: 'sales', partition_by: ['k'] },
        "select * from (values (1, '../../escape'), (2, 'it''s'), (3, null), (4, 'a/b'), (5, '\"; drop table x; --')) t(id, k)",
      ),
    );
    const r = await runCli(['run', '--select', 'rpt_hostile', '-p', p.root]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!existsSync(join(p.root, 'escape')) && !existsSync(join(p.warehouse, 'escape')));
    const folders = readdirSync(join(p.warehouse, 'rpt_hostile')).filter((f) => f.startsWith('k='));
    assert.equal(folders.length, 5);
    const rows = await query(
      `SELECT id, k FROM read_parquet('${p.warehouse}/rpt_hostile/**/*.parquet', hive_partitioning = true, hive_types = {'k': 'VARCHAR'}) ORDER BY id`,
    );
    assert.deepEqual(rows, [
      { id: 1, k: '../../escape' },
      { id: 2, k: "it's" },
      { id: 3, k: null },
      { id: 4, k: 'a/b' },
      { id: 5, k: '"; drop table x; --' },
    ]);
  });

  it('refuses a second run while one holds the project lock', async () => {
    const { writeFileSync } = await import('node:fs');
    // A live process (this test runner) holding the lock.
    writeFileSync(
      join(p.root, '.sluice/run.lock'),
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), since: 'now' }),
    );
    const r = await runCli(['run', '-p', p.root]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`another sluice run \\(pid ${process.pid}`));
    (await import('node:fs')).rmSync(join(p.root, '.sluice/run.lock'));
  });
});
