import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '../../src/core/errors.js';
import { readCurrentSnapshot } from '../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { runCli } from '../helpers/run-cli.js';
import { fileDigests, modelDigest } from '../helpers/snapshot-digest.js';
import { model, writeProject } from '../helpers/temp-project.js';

interface Task {
  model: string;
  status: string;
  snapshot: number | null;
  error: string | null;
}

/** A damaged manifest (a truncated write, bit rot) must not wedge its model nor touch the others. */
describe('a truncated or corrupt manifest', () => {
  let p: ReturnType<typeof writeProject>;
  const warehouse = () => join(p.root, 'warehouse');
  const manifests = (m: string) => readdirSync(join(warehouse(), m, '_sluice', 'manifests')).sort();
  const manifestPath = (m: string, file: string) => join(warehouse(), m, '_sluice', 'manifests', file);
  const run = async (...args: string[]) => {
    const out = await runCli(['run', '--workers', '1', '--json', '-p', p.root, ...args]);
    const doc = JSON.parse(out.stdout) as { status: string; tasks: Task[] };
    return {
      code: out.code,
      status: doc.status,
      task: (m: string) => doc.tasks.find((t) => t.model === m),
      stderr: out.stderr,
    };
  };
  before(() => {
    p = writeProject({
      'sluice.yaml': 'name: damaged\nexecution:\n  heartbeat_seconds: 0.3\n',
      'models/orders.sql': model(
        { type: 'fact', business_unit: 'ops', partition_by: ['k'] },
        'select i, i % 3 as k from range(30) t(i)',
      ),
      'models/order_totals.sql': model(
        { type: 'report', business_unit: 'ops' },
        'select k, count(*) as n from orders group by k',
      ),
      'models/customers.sql': model({ type: 'dimension', business_unit: 'ops' }, 'select i as id from range(5) t(i)'),
    });
  });
  after(() => p?.cleanup());

  it(
    'without --full-refresh: its task fails naming the manifest and the fix; readers of other models are unaffected',
    { timeout: 120_000 },
    async () => {
      const first = await run();
      assert.equal(first.status, 'succeeded', first.stderr);
      const good = await modelDigest(warehouse(), 'orders');
      const [key] = manifests('orders');
      const bytes = readFileSync(manifestPath('orders', key!));
      writeFileSync(manifestPath('orders', key!), bytes.subarray(0, bytes.length >> 1)); // truncated
      const customers = fileDigests(join(warehouse(), 'customers'));

      const objects = new LocalObjectStore(warehouse());
      const manifestKey = `orders/_sluice/manifests/${key}`;
      await assert.rejects(
        readCurrentSnapshot(objects, 'orders'),
        (err: unknown) =>
          err instanceof SluiceError &&
          err.code === 'STORAGE_CORRUPT' &&
          err.message.includes(manifestKey) &&
          /--full-refresh/.test(err.message),
      );
      assert.ok(await readCurrentSnapshot(objects, 'customers'), 'another model reads as before');

      const second = await run();
      assert.equal(second.code, 1);
      const failed = second.task('orders')!;
      assert.equal(failed.status, 'failed');
      assert.match(
        failed.error ?? '',
        new RegExp(`manifest ${manifestKey} cannot be read .*sluice run --full-refresh --select orders`),
      );
      assert.equal(second.task('order_totals')!.status, 'not_run');
      assert.equal(second.task('customers')!.status, 'skipped');
      assert.deepEqual(fileDigests(join(warehouse(), 'customers')), customers, 'other models are byte-identical');

      const rebuilt = await run('--full-refresh');
      assert.equal(rebuilt.status, 'succeeded', rebuilt.stderr);
      assert.equal(
        rebuilt.task('orders')!.snapshot,
        Number(key!.slice(0, 10)) + 1,
        'numbered past the damaged manifest',
      );
      assert.deepEqual(
        manifests('orders'),
        [`${String(Number(key!.slice(0, 10)) + 1).padStart(10, '0')}.json`],
        'the damaged manifest was removed',
      );
      assert.deepEqual(await modelDigest(warehouse(), 'orders'), good);
      assert.equal((await run()).status, 'succeeded', 'and the next plain run is fine');
    },
  );

  it(
    'a damaged manifest newer than an intact one: readers keep the last good snapshot; --full-refresh rebuilds past both',
    { timeout: 120_000 },
    async () => {
      const [key] = manifests('orders');
      const n = Number(key!.slice(0, 10));
      const good = await modelDigest(warehouse(), 'orders');
      const next = `${String(n + 1).padStart(10, '0')}.json`;
      writeFileSync(manifestPath('orders', next), '{"schema": "sluice.manifest/v1", "snap');

      const current = await readCurrentSnapshot(new LocalObjectStore(warehouse()), 'orders');
      assert.equal(current?.snapshot, n, 'readers see the last good snapshot');
      assert.deepEqual(await modelDigest(warehouse(), 'orders'), good);

      const plain = await run('--select', 'orders');
      assert.equal(plain.code, 1);
      assert.match(
        plain.task('orders')!.error ?? '',
        new RegExp(`manifest orders/_sluice/manifests/${next} cannot be read .*readers keep snapshot ${n} meanwhile`),
      );

      const rebuilt = await run('--full-refresh', '--select', 'orders');
      assert.equal(rebuilt.status, 'succeeded', rebuilt.stderr);
      assert.equal(rebuilt.task('orders')!.snapshot, n + 2);
      assert.deepEqual(manifests('orders'), [`${String(n + 2).padStart(10, '0')}.json`]);
      assert.deepEqual(await modelDigest(warehouse(), 'orders'), good);
    },
  );
});
