import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../../src/runtime/run-project.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { withStore } from './worker-test-kit.js';

/** ~1 s of md5 on one DuckDB thread: long enough for both workers of a run to boot and claim one. */
const SLOW = 'select count(*) as n, max(md5(i::varchar)) as h from range(5000000) t(i)';

// Worker ids must be unique in the metadata store for as long as it lives: a long-running
// process (tests, `sluice serve`) runs many runs, and pids are reused across `sluice run`s.
// A worker whose id is taken is refused at registration and exits without doing any work.
describe('worker ids across runs of one process', () => {
  let p: ReturnType<typeof writeProject>;
  before(() => {
    p = writeProject({
      'sluice.yaml': 'name: ids\nexecution:\n  threads: 1\n',
      'models/slow_a.sql': model({ type: 'report', business_unit: 'lab' }, SLOW),
      'models/slow_b.sql': model({ type: 'report', business_unit: 'lab' }, SLOW),
    });
  });
  after(() => p.cleanup());

  it(
    'every worker process a run starts registers (none is refused as a duplicate id)',
    { timeout: 120_000 },
    async () => {
      const started: number[][] = [];
      for (let run = 0; run < 2; run++) {
        // Both runs do the work (the second would otherwise skip both unchanged models).
        const result = await runProject(p.root, {
          workers: 2,
          fullRefresh: true,
          onWorkers: (w) => started.push(w.pids()),
        });
        assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks));
      }
      const workers = await withStore(join(p.root, '.sluice/sluice.db'), (s) =>
        s.listWorkers({ includeStopped: true }),
      );
      const registered = new Set(workers.map((w) => w.pid));
      const listing = workers.map((w) => `${w.id} (pid ${w.pid}, ${w.state})`).join(', ');
      assert.equal(started.length, 2);
      for (const [run, pids] of started.entries()) {
        assert.equal(pids.length, 2);
        const missing = pids.filter((pid) => !registered.has(pid));
        assert.deepEqual(
          missing,
          [],
          `run ${run + 1}: worker processes ${missing.join(', ')} never registered; registered: ${listing}`,
        );
      }
      assert.equal(workers.length, 4, listing);
      assert.ok(
        workers.every((w) => w.state === 'stopped'),
        `no worker was lost: ${listing}`,
      );
    },
  );
});
