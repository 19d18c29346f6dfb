import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../../src/runtime/run-project.js';
import { readCurrentSnapshot } from '../../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../../src/storage/local/local-object-store.js';
import { catalogQuery } from '../../helpers/catalog-query.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { describeItem, globView, peekStore, runningRunId, stagingLeft, waitFor, withStore } from './worker-test-kit.js';

// One slow single-item model: ~2-4 s of md5 on one DuckDB thread.
const N = 2_500_000;

describe('fencing: a stopped worker (SIGSTOP) loses its lease and cannot write late', () => {
  let p: ReturnType<typeof writeProject>;
  before(() => {
    p = writeProject({
      'sluice.yaml': [
        'name: fencing',
        'execution:',
        '  threads: 1',
        '  lease_seconds: 1',
        '  heartbeat_seconds: 0.25',
        '  backoff_seconds: 0.1',
        '  max_backoff_seconds: 0.2',
        '',
      ].join('\n'),
      'models/slow_hashes.sql': model(
        { type: 'fact', business_unit: 'lab' },
        `select i, md5(i::varchar) as h from range(${N}) t(i)`,
      ),
    });
  });
  after(() => p.cleanup());

  it(
    'the item is redone at attempt 2, the stale attempt is rejected, only attempt 2 is published',
    { timeout: 120_000 },
    async () => {
      const db = join(p.root, '.sluice/sluice.db');
      const warehouse = join(p.root, 'warehouse');
      const run = runProject(p.root, { workers: 2 });
      run.catch(() => undefined); // awaited below; a failed wait must not leave it unhandled
      let stopped: number | undefined;
      try {
        // The item's first lease and the pid of the worker holding it.
        const first = await waitFor(
          'the item to be leased at attempt 1 for 700 ms',
          () =>
            peekStore(db, async (s) => {
              const runId = await runningRunId(s);
              if (!runId) return undefined;
              // Well into the work: if the stale attempt were let through, it would finish first.
              const item = (await s.listItems(runId)).find(
                (i) => i.state === 'leased' && i.attempt === 1 && Date.now() - i.leasedAt! >= 700,
              );
              if (!item) return undefined;
              const holder = (await s.listWorkers()).find((w) => w.id === item.workerId);
              return holder ? { runId, itemId: item.id, worker: holder.id, pid: holder.pid } : undefined;
            }),
          60_000,
          10,
        );
        process.kill(first.pid, 'SIGSTOP');
        stopped = first.pid;

        // Its lease expires; the other worker reaps it and claims attempt 2.
        const second = await waitFor(
          'the item to be leased again at attempt 2',
          () =>
            withStore(db, async (s) => {
              const item = (await s.listItems(first.runId)).find((i) => i.id === first.itemId)!;
              assert.notEqual(
                item.state,
                'succeeded',
                `the item finished while its first holder was stopped: ${describeItem(item)}`,
              );
              return item.state === 'leased' && item.attempt === 2 ? item : undefined;
            }),
          20_000,
        );
        assert.notEqual(second.workerId, first.worker, 'attempt 2 went to the other worker');
        assert.equal(second.infraFailures, 1, describeItem(second));
      } finally {
        if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
      }

      const result = await run;
      assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks));
      assert.equal(result.tasks[0]!.rowsOut, N);

      const [item] = await withStore(db, (s) => s.listItems(result.runId));
      console.log(`attempt 2 took ${item!.endedAt! - item!.leasedAt!} ms; ${describeItem(item!)}`);
      assert.equal(item!.state, 'succeeded', describeItem(item!));
      assert.equal(item!.attempt, 2, describeItem(item!));
      assert.ok(
        item!.lateWrites >= 1,
        `the stopped worker's heartbeat or completion was rejected and counted: ${describeItem(item!)}`,
      );

      const manifest = (await readCurrentSnapshot(new LocalObjectStore(warehouse), 'slow_hashes'))!;
      assert.equal(manifest.rows, N);
      assert.ok(manifest.files.length > 0);
      for (const f of manifest.files)
        assert.match(
          f.key,
          /\/part-\d{6}-i0a2[0-9a-f]{4}-[^/]*\.parquet$/,
          `only attempt 2's files are published: ${f.key}`,
        );

      // A reader (through the catalog) sees every row once; nothing of attempt 1 is left for a
      // plain glob either (the leak check).
      const view = await globView(warehouse, 'slow_hashes');
      assert.deepEqual(view.globKeys, view.manifestKeys);
      assert.equal(view.globRows, N);
      const [rows] = await catalogQuery(
        warehouse,
        'slow_hashes',
        'SELECT count(*) AS n, count(DISTINCT i) AS d, min(i) AS lo, max(i) AS hi FROM {model}',
      );
      assert.deepEqual(
        { n: Number(rows!.n), d: Number(rows!.d), lo: Number(rows!.lo), hi: Number(rows!.hi) },
        { n: N, d: N, lo: 0, hi: N - 1 },
      );
      assert.deepEqual(stagingLeft(warehouse), []);
    },
  );
});
