import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunResult } from '../../src/protocol/run-result.js';
import { runProject } from '../../src/runtime/run-project.js';
import { copyTo } from '../helpers/duckdb-query.js';
import { runCli } from '../helpers/run-cli.js';
import { model, shopProject } from '../helpers/shop-project.js';
import { fileDigests, modelDigest } from '../helpers/snapshot-digest.js';

const statuses = (r: RunResult) => Object.fromEntries(r.tasks.map((t) => [t.model, t.status]));
const MODELS = ['dim_customers', 'fct_orders', 'rpt_daily', 'rpt_city'];
/** The files of one model in the object store, by key and content. */
const modelFiles = (warehouse: string, m: string) => fileDigests(join(warehouse, m));

describe('skip unchanged: a task whose SQL and input files are unchanged is not run', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject({ days: 4, perDay: 100 });
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
  });
  after(() => p.cleanup());

  it('an unchanged re-run skips everything and changes nothing in the object store', async () => {
    const before = fileDigests(p.warehouse);
    const cli = await runCli(['run', '--json', '-p', p.root, '--workers', '1']);
    assert.equal(cli.code, 0, cli.stderr);
    const r = JSON.parse(cli.stdout) as RunResult;
    assert.deepEqual(statuses(r), Object.fromEntries(MODELS.map((m) => [m, 'skipped'])));
    assert.equal(r.counts.skipped, 4);
    const fct = r.tasks.find((t) => t.model === 'fct_orders')!;
    assert.equal(fct.snapshot, 1);
    assert.equal(fct.rowsOut, 400);
    assert.match(fct.reason!, /unchanged since snapshot 1 .*same SQL and input files/);
    assert.deepEqual(fileDigests(p.warehouse), before, 'not one byte written, moved or deleted');

    const status = await runCli(['status', r.runId, '--json', '-p', p.root]);
    const doc = JSON.parse(status.stdout) as {
      runs: { tasks: { model: string; status: string; reason?: string; snapshot: number }[] }[];
    };
    assert.deepEqual(
      doc.runs[0]!.tasks.map((t) => [t.model, t.status, t.snapshot]),
      MODELS.map((m) => [m, 'skipped', 1]),
    );
    const text = await runCli(['status', '-p', p.root]);
    assert.match(text.stdout, /4\/4 ok, 4 skipped/);
    const progress = await runCli(['run', '-p', p.root, '--workers', '1']);
    assert.match(progress.stdout, /= fct_orders\s+skipped: unchanged since snapshot 1/);
    assert.match(progress.stdout, /0 succeeded, 4 skipped \(unchanged\)/);
  });

  it('a changed SQL rebuilds that model and its downstream only', async () => {
    const dim = modelFiles(p.warehouse, 'dim_customers');
    const fct = modelFiles(p.warehouse, 'fct_orders');
    const city = await modelDigest(p.warehouse, 'rpt_city');
    p.write(
      'models/rpt_daily.sql',
      model(
        { type: 'report', business_unit: 'sales', tags: ['daily'], on_schema_change: 'append_new_columns' },
        'select order_date, city, count(*) as orders, sum(amount) as revenue, max(amount) as top\nfrom fct_orders\ngroup by all',
      ),
    );
    const r = await runProject(p.root, { workers: 2 });
    assert.deepEqual(statuses(r), {
      dim_customers: 'skipped',
      fct_orders: 'skipped',
      rpt_daily: 'succeeded',
      rpt_city: 'succeeded',
    });
    assert.deepEqual(modelFiles(p.warehouse, 'dim_customers'), dim);
    assert.deepEqual(modelFiles(p.warehouse, 'fct_orders'), fct);
    assert.equal(
      r.tasks.find((t) => t.model === 'rpt_city')!.snapshot,
      2,
      'downstream rebuilt: its input snapshot changed',
    );
    assert.deepEqual(await modelDigest(p.warehouse, 'rpt_city'), city, 'same data');
  });

  it('a new source file rebuilds what reads it; --full-refresh rebuilds everything', async () => {
    await copyTo(
      `SELECT 9000 + i AS order_id, DATE '2024-02-01' AS order_date, i % 50 AS customer_id, 1.5::DECIMAL(10,2) AS amount FROM range(10) t(i)`,
      join(p.root, 'data/orders'),
      'FORMAT parquet, PARTITION_BY (order_date), APPEND true',
    );
    const r = await runProject(p.root, { workers: 2 });
    assert.deepEqual(statuses(r), {
      dim_customers: 'skipped',
      fct_orders: 'succeeded',
      rpt_daily: 'succeeded',
      rpt_city: 'succeeded',
    });
    assert.equal(r.tasks.find((t) => t.model === 'fct_orders')!.rowsOut, 410);
    const full = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.deepEqual(statuses(full), Object.fromEntries(MODELS.map((m) => [m, 'succeeded'])));
  });
});
