import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../../src/runtime/run-project.js';
import { copyTo, query } from '../../helpers/duckdb-query.js';
import { catalogQuery } from '../../helpers/catalog-query.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { alive, describeItem, peekStore, runningRunId, stagingLeft, waitFor, withStore } from './worker-test-kit.js';

const DAYS = 12;
/** Per work item (one day): 4 keys x R md5 calls, ~0.5-1 s on one DuckDB thread. */
const R = 600_000;
const SQL = `select e.day, e.k, count(*) as n, max(md5(e.k || r.i::varchar)) as h\nfrom events e, range(${R}) r(i)\ngroup by e.day, e.k`;

describe('SIGTERM (a spot interruption notice) to a worker in the middle of an item', () => {
  let p: ReturnType<typeof writeProject>;
  before(async () => {
    p = writeProject({
      'sluice.yaml': [
        'name: sigterm',
        'execution:',
        '  threads: 1',
        '  lease_seconds: 1.5',
        '  heartbeat_seconds: 0.3',
        '  backoff_seconds: 0.1',
        '  max_backoff_seconds: 0.2',
        '  target_item_size: 0',
        '',
      ].join('\n'),
      'sources/events.yml':
        'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
      'models/daily_hashes.sql': model({ type: 'fact', business_unit: 'lab', split_by: 'day' }, SQL),
    });
    mkdirSync(join(p.root, 'data'), { recursive: true });
    await copyTo(
      `SELECT DATE '2024-03-01' + (i // 4)::INT AS day, 'k' || (i % 4) AS k FROM range(${DAYS * 4}) t(i)`,
      join(p.root, 'data/events'),
      'FORMAT parquet, PARTITION_BY (day)',
    );
  });
  after(() => p.cleanup());

  it(
    'the worker hands its item back and exits quickly; the other worker finishes the run',
    { timeout: 120_000 },
    async () => {
      const db = join(p.root, '.sluice/sluice.db');
      const run = runProject(p.root, { workers: 2 });
      run.catch(() => undefined); // awaited below; a failed wait must not leave it unhandled

      // An item some worker has held for a moment (its DuckDB query is under way).
      const target = await waitFor(
        'an item leased for 150 ms',
        () =>
          peekStore(db, async (s) => {
            const runId = await runningRunId(s);
            if (!runId) return undefined;
            const item = (await s.listItems(runId)).find(
              (i) => i.state === 'leased' && i.leasedAt !== null && Date.now() - i.leasedAt >= 150,
            );
            const holder = item && (await s.listWorkers()).find((w) => w.id === item.workerId);
            return holder && item
              ? { runId, itemId: item.id, attempt: item.attempt, worker: holder.id, pid: holder.pid }
              : undefined;
          }),
        60_000,
        20,
      );
      const sentAt = Date.now();
      process.kill(target.pid, 'SIGTERM');
      await waitFor(
        `worker ${target.worker} (pid ${target.pid}) to exit after SIGTERM`,
        () => (alive(target.pid) ? undefined : true),
        90_000,
        20,
      );
      const exitMs = Date.now() - sentAt;
      console.log(`SIGTERMed worker exited in ${exitMs} ms`);
      assert.ok(exitMs < 20_000, `the worker took ${exitMs} ms to exit after SIGTERM`);

      const result = await run;
      assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks));
      assert.equal(result.runId, target.runId);

      await withStore(db, async (s) => {
        const items = await s.listItems(result.runId);
        assert.equal(items.length, DAYS, 'one work item per day');
        assert.ok(
          items.every((i) => i.state === 'succeeded'),
          items.map(describeItem).join('\n'),
        );
        const busy = items.map((i) => i.busyMs).sort((a, b) => a - b);
        console.log(`item busy ms: min ${busy[0]}, median ${busy[busy.length >> 1]}, max ${busy.at(-1)}`);
        const handedBack = items.find((i) => i.id === target.itemId)!;
        assert.ok(
          handedBack.infraFailures >= 1,
          `the item was handed back as an infra failure: ${describeItem(handedBack)}`,
        );
        assert.equal(handedBack.codeFailures, 0, describeItem(handedBack));
        assert.match(
          handedBack.error ?? '',
          /SIGTERM/,
          `handed back by the worker, not reaped after its lease expired: ${describeItem(handedBack)}`,
        );
        assert.ok(handedBack.attempt > target.attempt, describeItem(handedBack));
        assert.notEqual(
          handedBack.workerId,
          target.worker,
          `the other worker completed it: ${describeItem(handedBack)}`,
        );
        const later = items.filter((i) => (i.startedAt ?? 0) > sentAt);
        assert.ok(
          later.every((i) => i.workerId !== target.worker),
          'the stopped worker took no more items',
        );
        const worker = (await s.listWorkers({ includeStopped: true })).find((w) => w.id === target.worker)!;
        assert.equal(worker.state, 'stopped', 'it deregistered cleanly (not lost)');
      });

      // Correct rows: every (day, k) once, with its count and hash. The hash depends on k only, so
      // the expected rows come from 4 x R md5 calls instead of rerunning the model.
      const warehouse = join(p.root, 'warehouse');
      const hashes = await query(
        `SELECT 'k' || j AS k, max(md5('k' || j || r.i::varchar)) AS h FROM range(4) t(j), range(${R}) r(i) GROUP BY 1`,
      );
      const expected = Array.from({ length: DAYS }, (_, d) =>
        new Date(Date.UTC(2024, 2, 1 + d)).toISOString().slice(0, 10),
      )
        .flatMap((day) => hashes.map(({ k, h }) => ({ day, k, n: R, h })))
        .sort((a, b) => (a.day + a.k < b.day + b.k ? -1 : 1));
      const actual = await catalogQuery(
        warehouse,
        'daily_hashes',
        'SELECT day::VARCHAR AS day, k, n::INTEGER AS n, h FROM {model} ORDER BY day, k',
      );
      assert.equal(actual.length, DAYS * 4);
      assert.deepEqual(actual, expected);
      assert.deepEqual(stagingLeft(warehouse), []);
    },
  );
});
