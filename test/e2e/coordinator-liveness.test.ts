import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { coordinatorGone } from '../../src/coordinator/recover-abandoned.js';
import { runProject } from '../../src/runtime/run-project.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { model, writeProject } from '../helpers/temp-project.js';

/**
 * One live run per project, decided by the coordinator's heartbeat in the metadata store (so it
 * holds across machines sharing a store, where the local run lock file cannot see).
 */
describe('coordinator liveness in the metadata store', () => {
  let p: ReturnType<typeof writeProject>;
  const db = () => join(p.root, '.sluice/sluice.db');
  const withStore = async <T>(fn: (s: SqliteMetadataStore) => Promise<T>): Promise<T> => {
    const s = new SqliteMetadataStore(db());
    await s.migrate();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  before(() => {
    p = writeProject({
      'sluice.yaml': 'name: live\nexecution:\n  heartbeat_seconds: 0.2\n',
      'models/one.sql': model({ type: 'dimension', business_unit: 'ops' }, 'select 1 as x'),
    });
  });
  after(() => p.cleanup());

  it(
    'a run driven from another machine that still heartbeats blocks a new run; once silent, it is abandoned',
    { timeout: 60_000 },
    async () => {
      const first = await runProject(p.root, { workers: 1 });
      assert.equal(first.status, 'succeeded');
      // A run of this project driven by a coordinator on another host, alive a moment ago.
      await withStore((s) =>
        s.createRun(
          { id: 'remote-run', project: 'live', selector: '*', startedAt: Date.now(), coordinator: 'elsewhere:4242' },
          [{ model: 'one', group: 'g', concurrency: 1 }],
        ),
      );
      await assert.rejects(
        () => runProject(p.root, { workers: 1 }),
        (err: Error) => {
          assert.match(err.message, /run remote-run of project live is in progress \(driven by elsewhere:4242/);
          return true;
        },
      );
      assert.equal(
        (await withStore((s) => s.getRun('remote-run')))?.status,
        'running',
        'a live remote run is not abandoned',
      );

      // Silent for longer than 3 heartbeats (0.6 s): the next run abandons it and goes ahead.
      await new Promise((r) => setTimeout(r, 800));
      const next = await runProject(p.root, { workers: 1 });
      assert.equal(next.status, 'succeeded');
      const remote = await withStore((s) => s.getRun('remote-run'));
      assert.deepEqual(
        [remote?.status, remote?.error],
        ['failed', 'abandoned: the process running it exited before it finished'],
      );
      const mine = await withStore((s) => s.getRun(next.runId));
      assert.match(mine?.coordinator ?? '', /:\d+$/);
      assert.ok((mine?.heartbeatAt ?? 0) >= mine!.startedAt);
    },
  );

  it('coordinatorGone: stale heartbeat anywhere, or a dead pid on this host', async () => {
    const { hostname } = await import('node:os');
    const now = 1_000_000;
    assert.equal(coordinatorGone({ coordinator: 'far:1', heartbeatAt: now - 100, startedAt: 0 }, 50, now), false);
    assert.equal(coordinatorGone({ coordinator: 'far:1', heartbeatAt: now - 151, startedAt: 0 }, 50, now), true);
    assert.equal(coordinatorGone({ coordinator: null, heartbeatAt: null, startedAt: now - 10 }, 50, now), false);
    assert.equal(
      coordinatorGone({ coordinator: `${hostname()}:${process.pid}`, heartbeatAt: now, startedAt: 0 }, 50, now),
      false,
    );
    assert.equal(
      coordinatorGone({ coordinator: `${hostname()}:2147483646`, heartbeatAt: now, startedAt: 0 }, 50, now),
      true,
      'no such pid here',
    );
  });
});
