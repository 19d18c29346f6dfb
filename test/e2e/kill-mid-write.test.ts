import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../src/runtime/run-project.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { spawnCli } from '../helpers/run-cli.js';
import { model, shopProject } from '../helpers/shop-project.js';
import { fileDigests } from '../helpers/snapshot-digest.js';

const HEAVY = model(
  { type: 'fact', business_unit: 'sales', partition_by: ['bucket'] },
  // Slow enough to be caught mid-COPY: many partitions of hashed rows.
  'select i, i % 90 as bucket, md5(i::varchar) as h, md5((i * 7)::varchar) as h2 from range(30000000) t(i)',
);

function stagingFiles(warehouse: string): number {
  const root = join(warehouse, '_staging');
  if (!existsSync(root)) return 0;
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : n++;
  };
  try {
    walk(root);
  } catch {
    return 0;
  }
  return n;
}

describe('a process killed mid-write', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject({ config: 'execution:\n  lease_seconds: 1\n  heartbeat_seconds: 0.3\n' });
    p.write(
      'models/fct_big.sql',
      model(
        { type: 'fact', business_unit: 'sales', partition_by: ['bucket'] },
        'select i, i % 90 as bucket, md5(i::varchar) as h, md5((i * 7)::varchar) as h2 from range(1000) t(i)',
      ),
    );
  });
  after(() => p.cleanup());

  it('leaves published data byte-identical, and the next run recovers', async () => {
    const first = await runProject(p.root, { workers: 2 });
    assert.equal(first.status, 'succeeded');
    const published = fileDigests(p.warehouse);
    p.write('models/fct_big.sql', HEAVY);

    const child = spawnCli(['run', '--select', 'fct_big', '--project', p.root]);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise((r) => child.on('close', r));
    // Wait until DuckDB has started writing into the attempt's staging folder, then kill -9.
    const deadline = Date.now() + 60_000;
    while (stagingFiles(p.warehouse) === 0) {
      if (Date.now() > deadline) throw new Error(`no staging files appeared; output:\n${output}`);
      if (child.exitCode !== null) throw new Error(`run ended before it could be killed:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The whole machine is lost: the coordinator and every worker it started die at once.
    const probe = new SqliteMetadataStore(join(p.root, '.sluice/sluice.db'));
    const workerPids = (await probe.listWorkers()).map((w) => w.pid);
    await probe.close();
    child.kill('SIGKILL');
    for (const pid of workerPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited;

    const afterKill = fileDigests(p.warehouse);
    const published_ = Object.fromEntries(Object.entries(afterKill).filter(([k]) => !k.startsWith('_staging/')));
    assert.deepEqual(published_, published, 'nothing published changed');
    assert.ok(stagingFiles(p.warehouse) > 0, 'the killed attempt left its staging files');

    // The next run takes over the lock, marks the abandoned run failed and removes its staging.
    p.write(
      'models/fct_big.sql',
      model(
        { type: 'fact', business_unit: 'sales', partition_by: ['bucket'] },
        'select i, i % 90 as bucket, md5(i::varchar) as h, md5((i * 7)::varchar) as h2 from range(2000) t(i)',
      ),
    );
    // The dead run's workers are still registered as active: the next run must not trust them.
    await new Promise((r) => setTimeout(r, 1200));
    const next = await runProject(p.root, { workers: 2, select: ['fct_big'] });
    assert.equal(next.status, 'succeeded');
    assert.equal(next.tasks[0]!.rowsOut, 2000);
    assert.equal(stagingFiles(p.warehouse), 0);
    const store = new SqliteMetadataStore(join(p.root, '.sluice/sluice.db'));
    try {
      const runs = await store.listRuns({ limit: 10 });
      assert.equal(runs.length, 3);
      const killed = runs[1]!;
      assert.equal(killed.status, 'failed');
      assert.match(killed.error ?? '', /abandoned/);
      const tasks = await store.listTasks(killed.id);
      assert.deepEqual(
        tasks.map((t) => [t.model, t.status]),
        [['fct_big', 'failed']],
      );
      assert.match(tasks[0]!.error ?? '', /abandoned/);
    } finally {
      await store.close();
    }
  });
});
