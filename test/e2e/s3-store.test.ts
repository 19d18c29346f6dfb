import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../src/runtime/run-project.js';
import { catalogKey } from '../../src/snapshot/reader-catalog.js';
import { readCurrentSnapshot } from '../../src/snapshot/read-snapshot.js';
import { S3ObjectStore } from '../../src/storage/s3/s3-object-store.js';
import { query } from '../helpers/duckdb-query.js';
import { type S3TestServer, startS3rver } from '../helpers/s3-test-server.js';
import { shopProject } from '../helpers/shop-project.js';

// A whole project run with its warehouse in a bucket of a real S3-compatible server (s3rver,
// which ignores If-None-Match: publishing goes through the claim protocol). Workers are child
// processes: they get the credentials from the environment, the endpoint from sluice.yaml.

describe('running a project with an s3:// object store', () => {
  let server: S3TestServer;
  let p: Awaited<ReturnType<typeof shopProject>>;
  let store: S3ObjectStore;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    server = await startS3rver(['warehouse']);
    for (const [k, v] of Object.entries({
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: undefined,
    })) {
      saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    p = await shopProject({
      config: `storage:\n  objects: s3://warehouse/shop\n  s3:\n    endpoint: ${server.endpoint}\n    region: us-east-1\n`,
    });
    store = new S3ObjectStore('s3://warehouse/shop', { endpoint: server.endpoint, env: process.env });
  });
  after(async () => {
    await store?.close();
    p?.cleanup();
    await server?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('publishes hive-partitioned Parquet to the bucket, readable through the manifest', async () => {
    const result = await runProject(p.root, { workers: 2 });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks, null, 1));
    assert.ok(!existsSync(p.warehouse), 'nothing is written to a local warehouse folder');
    const keys = (await store.list('fct_orders/')).map((o) => o.key);
    assert.equal(
      keys.filter((k) => /^fct_orders\/order_date=2024-01-0[1-5]\/part-000001-.*\.parquet$/.test(k)).length,
      5,
      keys.join('\n'),
    );
    assert.ok(keys.includes('fct_orders/_sluice/manifests/0000000001.json'), keys.join('\n'));
    // The documented read path: the model's catalog, in the bucket, names exactly the manifest's
    // files by s3:// URL (calling its macro here would need httpfs: read those files through the cache).
    const manifest = (await readCurrentSnapshot(store, 'fct_orders'))!;
    const catalogFile = join(p.root, 'catalog-copy.duckdb');
    writeFileSync(catalogFile, (await store.get(catalogKey('fct_orders')))!);
    const listed = await query(
      `ATTACH '${catalogFile}' AS w (READ_ONLY); SELECT path FROM w.sluice_files ORDER BY path`,
    );
    assert.deepEqual(
      listed.map((r) => r.path),
      manifest.files.map((f) => `s3://warehouse/shop/${f.key}`).sort(),
    );
    const paths = await store.localPaths(listed.map((r) => String(r.path).slice('s3://warehouse/shop/'.length)));
    const quoted = paths.map((x) => `'${x.replaceAll("'", "''")}'`).join(', ');
    const [row] = await query(
      `SELECT count(*) AS n, count(DISTINCT order_date) AS days FROM read_parquet([${quoted}], hive_partitioning = true)`,
    );
    assert.deepEqual([Number(row!.n), Number(row!.days)], [1000, 5]);
    const rpt = await store.list('rpt_city/');
    assert.ok(rpt.some((o) => o.key.endsWith('.parquet')));
    const staging = join(p.root, '.sluice', 's3-staging');
    assert.deepEqual(existsSync(staging) ? readdirSync(staging) : [], [], 'staging folders are removed');
  });

  it('a second run publishes snapshot 2 and removes snapshot 1 from the bucket', async () => {
    const result = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks, null, 1));
    assert.equal(result.tasks.find((t) => t.model === 'fct_orders')!.snapshot, 2);
    const keys = (await store.list('fct_orders/')).map((o) => o.key);
    const parquet = keys.filter((k) => k.endsWith('.parquet'));
    assert.equal(parquet.length, 5, keys.join('\n'));
    assert.ok(
      parquet.every((k) => /part-000002-/.test(k)),
      keys.join('\n'),
    );
    const cache = join(p.root, '.sluice', 's3-cache');
    assert.deepEqual(
      existsSync(cache) ? readdirSync(cache) : [],
      [],
      'workers delete their download caches when they stop',
    );
  });
});
