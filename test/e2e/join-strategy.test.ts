import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ItemSpec } from '../../src/protocol/item-spec.js';
import type { ExplainDocument } from '../../src/compile/explain-plan.js';
import { loadProject } from '../../src/catalog/load-project.js';
import { driveRun } from '../../src/coordinator/drive-run.js';
import { InProcessWorkers } from '../../src/launcher/in-process-workers.js';
import { buildPlan } from '../../src/planner/build-plan.js';
import { openEngine, openStores } from '../../src/runtime/open-runtime.js';
import { runProject } from '../../src/runtime/run-project.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';
import { copyTo } from '../helpers/duckdb-query.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../helpers/s3-test-server.js';
import { runCli } from '../helpers/run-cli.js';
import { modelDigest } from '../helpers/snapshot-digest.js';
import { model, writeProject } from '../helpers/temp-project.js';
import { itemSpecs } from '../helpers/item-specs.js';

const MODELS = {
  // Two large inputs joined by key, a small one broadcast: shuffle.
  fct_paid:
    'select o.id, o.cid, c.city, p.pid, p.amount from orders o join payments p on o.id = p.order_id left join customers c on c.cid = o.cid',
  // Aggregated by the key of the preserved side, with orders that have no payment: shuffle.
  agg_paid:
    'select o.id, count(p.pid) as payments, sum(p.amount) as total from orders o left join payments p on o.id = p.order_id group by o.id',
  // One large input, row-wise, a small one: broadcast (the large one split by files).
  fct_orders_city: 'select o.*, c.city from orders o join customers c using (cid)',
  // Aggregated by something else than the key: cannot be shuffled, one item.
  agg_by_city:
    'select c.city, sum(p.amount) as total from payments p join orders o on o.id = p.order_id join customers c using (cid) group by c.city',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('join strategy: broadcast the small side, shuffle two large ones by the key, same output', () => {
  let p: ReturnType<typeof writeProject>;
  const config = (threshold: string) =>
    p.write(
      'sluice.yaml',
      `name: joins\nexecution:\n  target_item_size: 40KB\n  broadcast_threshold: ${threshold}\n  lease_seconds: 2\n  heartbeat_seconds: 0.1\n`,
    );
  let expected: Record<string, { rows: number; checksum: string }>;
  const digests = async () =>
    Object.fromEntries(
      await Promise.all(
        Object.keys(MODELS).map(async (m) => [m, await modelDigest(join(p.root, 'warehouse'), m)] as const),
      ),
    );

  before(async () => {
    const files: Record<string, string> = {
      'sources/all.yml':
        [
          'sources:',
          ...['orders', 'payments', 'customers'].map((s) => `  ${s}:\n    format: parquet\n    path: data/${s}`),
        ].join('\n') + '\n',
    };
    for (const [name, sql] of Object.entries(MODELS))
      files[`models/${name}.sql`] = model({ type: 'fact', business_unit: 'shop' }, sql);
    p = writeProject(files);
    for (const s of ['orders', 'payments', 'customers']) mkdirSync(join(p.root, 'data', s), { recursive: true });
    // orders.id is BIGINT and payments.order_id INTEGER: the keys are hashed as one type.
    for (let f = 0; f < 5; f++) {
      await copyTo(
        `SELECT (${f * 4000} + i)::BIGINT AS id, (i % 50)::INTEGER AS cid, md5(i::VARCHAR) AS note FROM range(4000) t(i)`,
        join(p.root, `data/orders/o${f}.parquet`),
      );
    }
    for (let f = 0; f < 6; f++) {
      // Some payments have no order (NULL or unknown id), some orders no payment.
      await copyTo(
        `SELECT ${f * 5000} + i AS pid, CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN 999999 ELSE ((i * 7 + ${f}) % 18000)::INTEGER END AS order_id, round(random() * 100, 2)::DECIMAL(10, 2) AS amount, md5((i + ${f})::VARCHAR) AS ref FROM range(5000) t(i)`,
        join(p.root, `data/payments/p${f}.parquet`),
      );
    }
    await copyTo(
      `SELECT i::INTEGER AS cid, 'city-' || (i % 7) AS city FROM range(45) t(i)`,
      join(p.root, 'data/customers/c.parquet'),
    );
  });
  after(() => p.cleanup());

  it('explains the choice per model: shuffle with its keys, broadcast, or one item and why', async () => {
    config('20KB');
    const r = await runCli(['plan', '--explain', '--json', '-p', p.root]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ExplainDocument;
    const join = Object.fromEntries(doc.models.map((m) => [m.name, m.join!]));
    assert.equal(join.fct_paid!.strategy, 'shuffle', join.fct_paid!.reason);
    assert.deepEqual(join.fct_paid!.keys, { orders: 'id', payments: 'order_id' });
    assert.ok(join.fct_paid!.buckets! >= 2);
    assert.equal(join.agg_paid!.strategy, 'shuffle', join.agg_paid!.reason);
    assert.equal(join.fct_orders_city!.strategy, 'broadcast', join.fct_orders_city!.reason);
    assert.equal(join.agg_by_city!.strategy, 'single');
    assert.match(join.agg_by_city!.reason, /cannot be shuffled: it aggregates/);
    const roles = Object.fromEntries(
      doc.models.find((m) => m.name === 'fct_paid')!.inputs.map((i) => [i.name, i.role]),
    );
    assert.deepEqual(roles, { orders: 'shuffle', payments: 'shuffle', customers: 'broadcast' });

    const text = await runCli(['plan', '--explain', '-p', p.root]);
    assert.match(
      text.stdout,
      /join: shuffle: orders \([^)]+\), payments \([^)]+\) shuffled by orders\.id = payments\.order_id into \d+ buckets; customers \([^)]+\) read whole by each/,
    );
    assert.match(text.stdout, /reads orders .* shuffled by id/);
    assert.match(text.stdout, /join: broadcast: orders \([^)]+\) split into \d+ items; customers/);
  });

  it('runs each strategy with the output of one item reading everything, and leaves no shuffle files', async () => {
    config('0');
    const one = await runProject(p.root, { workers: 2 });
    assert.equal(one.status, 'succeeded', JSON.stringify(one.tasks));
    for (const m of Object.keys(MODELS))
      assert.equal((await itemSpecs(p.root, one.runId, m)).length, 1, `${m}: one item with broadcast_threshold 0`);
    expected = await digests();
    assert.ok(expected.fct_paid!.rows > 20_000 && expected.agg_paid!.rows === 20_000, JSON.stringify(expected));

    config('20KB');
    const r = await runProject(p.root, { workers: 3, fullRefresh: true });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    const paid = await itemSpecs(p.root, r.runId, 'fct_paid');
    const maps = paid.filter((s) => s.shuffle?.stage === 'map');
    const reduces = paid.filter((s) => s.shuffle?.stage === 'reduce');
    assert.deepEqual([...new Set(maps.map((s) => (s.shuffle?.stage === 'map' ? s.shuffle.input : '')))].sort(), [
      'orders',
      'payments',
    ]);
    assert.ok(maps.length >= 4 && reduces.length >= 2, `${maps.length} map, ${reduces.length} reduce items`);
    for (const s of reduces) {
      const bucket = s.shuffle?.stage === 'reduce' ? s.shuffle.bucket : -1;
      const orders = s.inputs.find((i) => i.name === 'orders')!;
      assert.ok(
        orders.kind === 'snapshot' &&
          orders.keys.every((k) => k.includes(`/_sluice/shuffle/orders/__sluice_bucket=${bucket}/`)),
        `reduce ${bucket} reads only its bucket`,
      );
      const customers = s.inputs.find((i) => i.name === 'customers')!;
      assert.equal(customers.kind, 'files', 'the small input is read whole, from the source');
    }
    const split = await itemSpecs(p.root, r.runId, 'fct_orders_city');
    assert.ok(split.length >= 2, 'the large input is divided among items');
    const shares = split
      .map((s) => s.inputs.find((i) => i.name === 'orders')!)
      .map((i) => (i.kind === 'files' ? i.files.paths : []));
    assert.equal(new Set(shares.flat()).size, 5, 'every orders file read once');
    assert.equal(shares.flat().length, 5);
    assert.equal((await itemSpecs(p.root, r.runId, 'agg_by_city')).length, 1);

    assert.deepEqual(await digests(), expected, 'same rows as one item');
    const left = filesUnder(join(p.root, 'warehouse')).filter((f) => f.includes('_sluice/shuffle'));
    assert.deepEqual(left, [], 'publishing removes the shuffle files');
  });

  it('shuffles through an S3 object store: map files in the bucket, read back by the reduce items, removed on publish', async () => {
    const server = await startS3rver(['warehouse']);
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    Object.assign(process.env, S3RVER_CREDENTIALS);
    const bucket = new S3ObjectStore('s3://warehouse/joins', { endpoint: server.endpoint, env: process.env });
    try {
      p.write(
        'sluice.yaml',
        `name: joins\nexecution:\n  target_item_size: 40KB\n  broadcast_threshold: 20KB\nstorage:\n  objects: s3://warehouse/joins\n  s3:\n    endpoint: ${server.endpoint}\n    region: us-east-1\n`,
      );
      const r = await runProject(p.root, { workers: 2, select: ['fct_paid'] });
      assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
      const paid = await itemSpecs(p.root, r.runId, 'fct_paid');
      assert.ok(paid.some((s) => s.shuffle?.stage === 'map') && paid.some((s) => s.shuffle?.stage === 'reduce'));
      assert.deepEqual(await modelDigest(bucket, 'fct_paid'), expected.fct_paid);
      assert.deepEqual(
        (await bucket.list('fct_paid/_sluice/shuffle/')).map((o) => o.key),
        [],
        'publishing removed the shuffle files from the bucket',
      );
    } finally {
      await bucket.close();
      await server.stop();
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('a coordinator that dies between the map and reduce stages is resumed: map work is kept, the reduce stage queued once', async () => {
    config('20KB');
    const project = await loadProject(p.root);
    const stores = await openStores(project);
    const engine = await openEngine(project, { threads: 1 });
    const conn = await engine.connect();
    const pool = new InProcessWorkers({
      count: 2,
      store: stores.store,
      objects: stores.objects,
      engine,
      leaseMs: 2000,
      heartbeatMs: 100,
    });
    let runId = '';
    // The coordinator's view of the store fails (as if its process died) the moment it finds every map item done.
    const dying = new Proxy(stores.store, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key !== 'listItems') return typeof value === 'function' ? value.bind(target) : value;
        return async (run: string, m?: string) => {
          const items = await target.listItems(run, m);
          const maps = items.filter((i) => (JSON.parse(i.spec) as ItemSpec).shuffle?.stage === 'map');
          if (m === 'fct_paid' && maps.length === items.length && items.every((i) => i.state === 'succeeded')) {
            runId = run;
            throw new Error('coordinator killed');
          }
          return items;
        };
      },
    });
    try {
      await assert.rejects(
        () =>
          driveRun({ project, store: dying, objects: stores.objects, conn }, buildPlan(project, ['fct_paid']), pool, {
            pollMs: 20,
            fullRefresh: true,
            coordinator: 'gone-host:1',
          }),
        /coordinator killed/,
      );
    } finally {
      await pool.stop();
      conn.closeSync();
      await engine.close();
      await stores.close();
    }
    const before = await itemSpecs(p.root, runId, 'fct_paid');
    assert.ok(
      before.length > 0 && before.every((s) => s.shuffle?.stage === 'map'),
      'died with the map stage done and no reduce item',
    );
    await new Promise((r) => setTimeout(r, 500)); // its heartbeat goes stale

    const retry = await runCli(['retry', runId, '--json', '-p', p.root]);
    assert.equal(retry.code, 0, retry.stdout + retry.stderr);
    const store = new SqliteMetadataStore(join(p.root, '.sluice/sluice.db'));
    try {
      const items = await store.listItems(runId, 'fct_paid');
      const maps = items.filter((i) => (JSON.parse(i.spec) as ItemSpec).shuffle?.stage === 'map');
      assert.equal(maps.length, before.length);
      assert.ok(
        maps.every((i) => i.attempt === 1 && i.state === 'succeeded'),
        'the map work was not redone',
      );
      const reduce = items.filter((i) => (JSON.parse(i.spec) as ItemSpec).shuffle?.stage === 'reduce');
      const buckets = reduce.map((i) => {
        const sh = (JSON.parse(i.spec) as ItemSpec).shuffle;
        return sh?.stage === 'reduce' ? sh.bucket : -1;
      });
      assert.equal(new Set(buckets).size, reduce.length, `one item per bucket: ${buckets.join(', ')}`);
      assert.ok(reduce.length >= 2 && reduce.every((i) => i.state === 'succeeded'));
    } finally {
      await store.close();
    }
    assert.deepEqual(await modelDigest(join(p.root, 'warehouse'), 'fct_paid'), expected.fct_paid);
    assert.deepEqual(
      filesUnder(join(p.root, 'warehouse')).filter((f) => f.includes('_sluice/shuffle')),
      [],
    );
  });
});
