import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { runProject } from '../../../src/runtime/run-project.js';
import { readCurrentSnapshot } from '../../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../../src/storage/local/local-object-store.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import {
  alive,
  describeItem,
  globView,
  peekStore,
  readModel,
  runningRunId,
  stagingLeft,
  waitFor,
  withStore,
} from './worker-test-kit.js';

/**
 * SIGSTOP/SIGCONT trials (issue 11 §2): a worker is paused while it moves its output to the
 * object store, its lease expires, the other worker redoes and publishes the item, and only then
 * is the paused worker continued, so the rest of its files would land after the redo published.
 * `npm run soak` sets SLUICE_PAUSE_TRIALS=20.
 */
const TRIALS = Math.max(1, Number(process.env.SLUICE_PAUSE_TRIALS ?? 2) || 2);
const N = 200_000;
/** Partitions, hence files per attempt: the upload takes long enough to be paused half-way. */
const K = 200;
const MODEL = 'many_parts';

/** Output files of one attempt in the model folder (its tag starts `i<item>a<attempt>`). */
function attemptFiles(warehouse: string, itemNo: number, attempt: number): number {
  const mark = `-i${itemNo}a${attempt}`;
  try {
    return readdirSync(join(warehouse, MODEL), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.includes(mark) && f.endsWith('.parquet'),
    ).length;
  } catch {
    return 0;
  }
}

describe('pause trials: a worker SIGSTOPped mid-upload, continued after the redo published', () => {
  let p: ReturnType<typeof writeProject>;
  let db: DuckDBInstance;
  before(async () => {
    p = writeProject({
      'sluice.yaml': [
        'name: pause',
        'execution:',
        '  threads: 1',
        '  lease_seconds: 1',
        '  heartbeat_seconds: 0.25',
        '  backoff_seconds: 0.1',
        '  max_backoff_seconds: 0.2',
        '',
      ].join('\n'),
      [`models/${MODEL}.sql`]: model(
        { type: 'fact', business_unit: 'lab', partition_by: ['k'] },
        `select i, i % ${K} as k, md5(i::varchar) as h from range(${N}) t(i)`,
      ),
    });
    db = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
  });
  after(() => {
    db?.closeSync();
    p?.cleanup();
  });

  for (let n = 1; n <= TRIALS; n++) {
    it(
      `trial ${n}: the paused attempt's files never reach a reader and are deleted`,
      { timeout: 120_000 },
      async () => {
        const dbFile = join(p.root, '.sluice/sluice.db');
        const warehouse = join(p.root, 'warehouse');
        const run = runProject(p.root, { workers: 2, fullRefresh: true });
        run.catch(() => undefined); // awaited below; a failed wait must not leave it unhandled
        let stopped: number | undefined;
        let paused: {
          runId: string;
          itemId: string;
          attempt: number;
          worker: string;
          pid: number;
          movedAtStop: number;
        };
        try {
          const held = await waitFor(
            'the item to be leased',
            () =>
              peekStore(dbFile, async (s) => {
                const runId = await runningRunId(s);
                const item = runId && (await s.listItems(runId)).find((i) => i.state === 'leased');
                const holder = item && (await s.listWorkers()).find((w) => w.id === item.workerId);
                return item && holder
                  ? {
                      runId: runId!,
                      itemId: item.id,
                      itemNo: item.itemNo,
                      attempt: item.attempt,
                      worker: holder.id,
                      pid: holder.pid,
                    }
                  : undefined;
              }),
            60_000,
            5,
          );
          // Its first file reached its final key: the attempt is uploading. Pause it there.
          const movedAtStop = await waitFor(
            'the holder to start moving its files',
            () => {
              const moved = attemptFiles(warehouse, held.itemNo, held.attempt);
              if (moved === 0) return undefined;
              process.kill(held.pid, 'SIGSTOP');
              stopped = held.pid;
              return moved;
            },
            60_000,
            1,
          );
          paused = { ...held, movedAtStop };
          // Its lease expires, the other worker redoes the item and the run publishes it.
          await waitFor(
            'the redo to be published',
            async () => {
              const m = await readCurrentSnapshot(new LocalObjectStore(warehouse), MODEL);
              return m?.runId === held.runId ? m : undefined;
            },
            60_000,
            20,
          );
        } finally {
          if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
        }
        const result = await run;
        assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks));
        const [item] = await withStore(dbFile, (s) => s.listItems(result.runId));
        const what = `trial ${n}: paused ${paused.worker} (pid ${paused.pid}) at attempt ${paused.attempt} after ${paused.movedAtStop} of ${K} files; ${describeItem(item!)}`;
        console.log(what);
        assert.ok(item!.attempt > paused.attempt, `${what}: the item was redone`);

        // The paused worker carried on and exited cleanly (the pool stops it once the run ends).
        await waitFor(`${what}: the paused worker to exit`, () => (alive(paused.pid) ? undefined : true), 30_000, 20);
        const worker = await withStore(dbFile, async (s) =>
          (await s.listWorkers({ includeStopped: true })).find((w) => w.id === paused.worker),
        );
        assert.equal(worker?.state, 'stopped', `${what}: the paused worker did not crash`);

        // The leak check: the folder holds exactly the manifest's files, nothing of the paused attempt.
        const view = await globView(warehouse, MODEL);
        assert.deepEqual(view.globKeys, view.manifestKeys, `${what}: files left beside the manifest's`);
        assert.equal(view.globRows, N, `${what}: a plain glob reads every row once`);
        assert.deepEqual(stagingLeft(warehouse), [], `${what}: no staging folder remains`);

        // What a reader sees through the documented path: every row once.
        const conn = await db.connect();
        try {
          const [seen] = await readModel(
            conn,
            warehouse,
            MODEL,
            'SELECT count(*) AS n, count(DISTINCT i) AS d, count(DISTINCT k) AS parts FROM {model}',
          );
          assert.deepEqual(
            { n: Number(seen!.n), d: Number(seen!.d), parts: Number(seen!.parts) },
            { n: N, d: N, parts: K },
            what,
          );
        } finally {
          conn.closeSync();
        }
      },
    );
  }
});
