import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../src/runtime/run-project.js';
import { catalogQuery } from '../helpers/catalog-query.js';
import { query } from '../helpers/duckdb-query.js';
import { shopProject, model } from '../helpers/shop-project.js';
import { fileDigests, modelDigest } from '../helpers/snapshot-digest.js';

describe('running a project end to end (embedded)', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject();
  });
  after(() => p.cleanup());

  it('publishes hive-partitioned Parquet that matches the same SQL run directly', async () => {
    const result = await runProject(p.root, { workers: 2 });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks, null, 1));
    assert.deepEqual(
      result.tasks.map((t) => t.status),
      ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
    const partitions = readdirSync(join(p.warehouse, 'fct_orders')).filter((d) => d.startsWith('order_date='));
    assert.equal(partitions.length, 5);
    const fct = result.tasks.find((t) => t.model === 'fct_orders')!;
    assert.equal(fct.rowsOut, 1000);
    assert.equal(fct.files, 5);
    // The report equals the same SQL computed straight from the raw files.
    const [expected] = await query(
      `SELECT count(*) AS n, sum(amount)::DOUBLE AS revenue FROM read_parquet('${p.root}/data/orders/**/*.parquet', hive_partitioning = true)`,
    );
    const [actual] = await catalogQuery(
      p.warehouse,
      'rpt_daily',
      'SELECT sum(orders) AS n, sum(revenue)::DOUBLE AS revenue FROM {model}',
    );
    assert.equal(Number(actual!.n), Number(expected!.n));
    assert.equal(Number(actual!.revenue), Number(expected!.revenue));
    const [read] = await catalogQuery(
      p.warehouse,
      'fct_orders',
      'SELECT count(*) AS n, count(DISTINCT order_date) AS days FROM {model}',
    );
    assert.deepEqual([Number(read!.n), Number(read!.days)], [1000, 5]);
    // The leak check: a plain glob (not a documented read path) sees the manifest's rows too.
    const [globbed] = await query(
      `SELECT count(*) AS n FROM read_parquet('${p.warehouse}/fct_orders/**/*.parquet', hive_partitioning = true)`,
    );
    assert.equal(Number(globbed!.n), 1000);
  });

  it('re-running with --full-refresh produces identical data as a new snapshot and removes the old files', async () => {
    const before = {
      fct: await modelDigest(p.warehouse, 'fct_orders'),
      rpt: await modelDigest(p.warehouse, 'rpt_city'),
    };
    const result = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(await modelDigest(p.warehouse, 'fct_orders'), before.fct);
    assert.deepEqual(await modelDigest(p.warehouse, 'rpt_city'), before.rpt);
    assert.equal(result.tasks.find((t) => t.model === 'fct_orders')!.snapshot, 2);
    const files = Object.keys(fileDigests(join(p.warehouse, 'fct_orders'))).filter((f) => f.endsWith('.parquet'));
    assert.equal(files.length, 5, `only snapshot 2's files remain: ${files.join(', ')}`);
    assert.ok(files.every((f) => /part-000002-/.test(f)));
    assert.equal(existsSync(join(p.warehouse, '_staging')) ? readdirSync(join(p.warehouse, '_staging')).length : 0, 0);
  });

  it('a run that fails half-way leaves published data byte-identical and skips downstream', async () => {
    const published = fileDigests(p.warehouse);
    // Binds fine, fails while running: error() on a data value.
    p.write(
      'models/rpt_daily.sql',
      model(
        { type: 'report', business_unit: 'sales', tags: ['daily'] },
        "select order_date, city, count(*) as orders,\n  sum(case when amount > 100 then error('amount too large: ' || amount) else amount end) as revenue\nfrom fct_orders\ngroup by all",
      ),
    );
    const result = await runProject(p.root, { workers: 2 });
    assert.equal(result.status, 'failed');
    const byModel = Object.fromEntries(result.tasks.map((t) => [t.model, t]));
    assert.equal(byModel.rpt_daily!.status, 'failed');
    assert.match(byModel.rpt_daily!.error!, /models\/rpt_daily\.sql:\d+: \[model rpt_daily\] .*amount too large/);
    assert.equal(byModel.rpt_city!.status, 'not_run');
    assert.match(byModel.rpt_city!.error!, /upstream model rpt_daily failed/);
    // Models that succeeded republished; the failed one and its downstream kept their bytes.
    const now = fileDigests(p.warehouse);
    for (const m of ['rpt_daily', 'rpt_city']) {
      const pick = (d: Record<string, string>) =>
        Object.fromEntries(Object.entries(d).filter(([k]) => k.startsWith(`${m}/`)));
      assert.deepEqual(pick(now), pick(published), `${m} changed`);
    }
  });
});

describe('step concurrency on the real engine', () => {
  it('never runs more models of a group at once than its step concurrency (from the store timestamps)', async () => {
    const { writeProject } = await import('../helpers/temp-project.js');
    const { SqliteMetadataStore } = await import('../../src/store/sqlite/sqlite-metadata-store.js');
    const files: Record<string, string> = { 'sluice.yaml': 'name: conc\ndefaults:\n  step_concurrency: 2\n' };
    for (let i = 0; i < 6; i++) {
      files[`models/r${i}.sql`] = model(
        { type: 'report', business_unit: 'ops' },
        `select i % 1000 as k, count(*) as n, sum(i * ${i + 1}) as s from range(3000000) t(i) group by all`,
      );
    }
    const p = writeProject(files);
    try {
      const result = await runProject(p.root, { workers: 6 });
      assert.equal(result.status, 'succeeded');
      const store = new SqliteMetadataStore(join(p.root, '.sluice/sluice.db'));
      const tasks = await store.listTasks(result.runId);
      await store.close();
      const points = tasks
        .flatMap(
          (t) =>
            [
              [t.startedAt!, 1],
              [t.endedAt!, -1],
            ] as [number, number][],
        )
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      // A claim's timestamp is taken before its transaction: a claim that waited for SQLite's
      // write lock while the coordinator finished the task that freed the slot is stamped a
      // little before that task's end. So an overlap above the cap counts only if it lasts:
      // each model here runs for a second or more, so a real third one would overlap that long.
      const SKEW_MS = 300;
      let open = 0;
      let max = 0;
      let overSince: number | null = null;
      const over: number[] = [];
      for (const [at, d] of points) {
        open += d;
        max = Math.max(max, open);
        if (open > 2 && overSince === null) overSince = at;
        if (open <= 2 && overSince !== null) {
          over.push(at - overSince);
          overSince = null;
        }
      }
      assert.ok(
        over.every((ms) => ms < SKEW_MS),
        `more than 2 models of one group ran at once for ${over.join(', ')} ms`,
      );
      assert.ok(max >= 2, 'the cap was reached, so the measure could see it passed');
    } finally {
      p.cleanup();
    }
  });
});
