import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import { modelDigest } from '../../helpers/snapshot-digest.js';
import type { writeProject } from '../../helpers/temp-project.js';
import {
  describeItem,
  peekStore,
  runningRunId,
  slowDaysProject,
  stagingLeft,
  waitFor,
  withStore,
} from './worker-test-kit.js';

const DAYS = 8;

/** Gone, or a zombie no one reaps (its parent, the coordinator, was killed). */
function exited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('local workers whose coordinator is killed (kill -9 of sluice run)', () => {
  let p: ReturnType<typeof writeProject>;
  const db = () => join(p.root, '.sluice/sluice.db');
  before(async () => {
    p = await slowDaysProject('orphans', DAYS);
  });
  after(() => p.cleanup());

  it(
    'stop within seconds without a stack trace, hand back their items, and --resume finishes the run',
    { timeout: 180_000 },
    async () => {
      const run = spawnCli(['run', '--workers', '2', '-p', p.root]);
      let stderr = '';
      run.stdout!.on('data', (d) => (stderr += d));
      run.stderr!.on('data', (d) => (stderr += d));
      // The pipes close when every process holding them (the coordinator and its workers) is gone.
      const closed = new Promise<void>((resolve) => run.on('close', () => resolve()));

      const target = await waitFor(
        'an item leased for 150 ms and both workers registered',
        () =>
          peekStore(db(), async (s) => {
            const runId = await runningRunId(s);
            const items = runId === undefined ? [] : await s.listItems(runId);
            const held = items.some(
              (i) => i.state === 'leased' && i.leasedAt !== null && Date.now() - i.leasedAt >= 150,
            );
            const workers = (await s.listWorkers()).filter((w) => w.state === 'active');
            return held && workers.length === 2 ? { runId: runId!, workers } : undefined;
          }),
        90_000,
        20,
      );
      const killedAt = Date.now();
      run.kill('SIGKILL');

      for (const w of target.workers) {
        await waitFor(`worker ${w.id} (pid ${w.pid}) to exit`, () => (exited(w.pid) ? true : undefined), 30_000, 20);
      }
      const exitMs = Date.now() - killedAt;
      console.log(`orphaned workers exited ${exitMs} ms after the coordinator was killed`);
      assert.ok(exitMs < 15_000, `the workers took ${exitMs} ms to stop`);
      await closed;
      assert.doesNotMatch(stderr, /ERR_IPC_CHANNEL_CLOSED|EPIPE|Unhandled|\n\s+at /, stderr);

      await withStore(db(), async (s) => {
        const items = await s.listItems(target.runId);
        assert.ok(
          !items.some((i) => i.state === 'leased'),
          `no item left leased:\n${items.map(describeItem).join('\n')}`,
        );
        assert.ok(
          items.some((i) => /handed back/.test(i.error ?? '')),
          `an item was handed back:\n${items.map(describeItem).join('\n')}`,
        );
        const workers = (await s.listWorkers({ includeStopped: true })).filter((w) =>
          target.workers.some((t) => t.id === w.id),
        );
        assert.deepEqual(
          workers.map((w) => w.state),
          ['stopped', 'stopped'],
          'each deregistered itself (a clean exit)',
        );
      });

      const resumed = await runCli(['run', '--resume', target.runId, '--workers', '2', '--json', '-p', p.root]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal((JSON.parse(resumed.stdout) as { status: string }).status, 'succeeded');
      const digest = await modelDigest(join(p.root, 'warehouse'), 'daily_hashes');
      assert.equal(digest.rows, DAYS * 4, 'every (day, key) exactly once');
      assert.deepEqual(stagingLeft(join(p.root, 'warehouse')), []);
    },
  );
});
