import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../../src/runtime/run-project.js';
import { clinicProject, type ClinicFixture } from '../../helpers/clinic-fixture.js';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import { modelDigest } from '../../helpers/snapshot-digest.js';
import type { StoresUnderTest } from '../../helpers/stores-under-test.js';
import { alive, waitFor } from '../workers/worker-test-kit.js';

/**
 * The scale-out acceptance scenario, for any pair of stores reached by URL: three standalone
 * workers (started outside the project, as on other machines) and a submitting `sluice run
 * --workers 0`; one worker holding a lease and the submitter are killed with SIGKILL mid-run;
 * a replacement worker joins and `sluice run --resume` finishes the run. Every published model
 * must equal an embedded run's (row count and content checksum: nothing lost, nothing doubled).
 */
export function scaleOutScenario(label: string, make: () => Promise<StoresUnderTest>): void {
  describe(`scale-out on ${label}: 3 standalone workers, kill -9 of a worker and of the submitter, resume`, () => {
    let p: ClinicFixture;
    let stores: StoresUnderTest;
    let elsewhere: string;
    const workers = new Map<string, ChildProcess>();
    const logs: string[] = [];
    const startWorker = (id: string) => {
      const w = spawnCli(['worker', '--id', id, '--store', stores.store, '--objects', stores.objects], {
        cwd: elsewhere,
        env: stores.env,
      });
      w.stdout!.on('data', (d) => logs.push(`${id}: ${d}`));
      w.stderr!.on('data', (d) => logs.push(`${id}: ${d}`));
      workers.set(id, w);
    };
    before(async () => {
      p = await clinicProject({
        days: 6,
        scale: 0.3,
        execution: {
          threads: 1,
          lease_seconds: 3,
          heartbeat_seconds: 0.3,
          backoff_seconds: 0.1,
          max_backoff_seconds: 0.3,
          retries: { code: 3, infra: 20 },
        },
      });
      stores = await make();
      elsewhere = mkdtempSync(join(tmpdir(), 'sluice-far-'));
    });
    after(async () => {
      for (const w of workers.values()) w.kill('SIGKILL');
      p?.cleanup();
      await stores?.cleanup();
      rmSync(elsewhere, { recursive: true, force: true });
    });

    it('the resumed run publishes exactly what an undisturbed embedded run does', { timeout: 240_000 }, async () => {
      const embedded = await runProject(p.root, { workers: 2 });
      assert.equal(embedded.status, 'succeeded');
      const baseline = new Map<string, { rows: number; checksum: string }>();
      for (const m of p.models) baseline.set(m, await modelDigest(p.warehouse, m));

      for (const id of ['far-1', 'far-2', 'far-3']) startWorker(id);
      const submitter = spawnCli(
        ['run', '--workers', '0', '--json', '--store', stores.store, '--objects', stores.objects],
        { cwd: p.root, env: stores.env },
      );
      let submitterOut = '';
      submitter.stderr!.on('data', (d) => (submitterOut += d));
      const submitterExit = new Promise<void>((resolve) => submitter.on('exit', () => resolve()));

      // Mid-run: some model published, some item leased by a far worker.
      const store = await stores.openStore();
      let runId: string;
      try {
        const target = await waitFor(
          'a published task and a leased item',
          async () => {
            const run = (await store.listRuns({ limit: 1 }))[0];
            if (!run || run.status !== 'running') return undefined;
            const tasks = await store.listTasks(run.id);
            if (!tasks.some((t) => t.status === 'succeeded')) return undefined;
            const leased = (await store.listItems(run.id)).find(
              (i) => i.state === 'leased' && i.workerId !== null && workers.has(i.workerId),
            );
            return leased ? { runId: run.id, worker: leased.workerId!, item: leased.id } : undefined;
          },
          120_000,
          10,
        );
        runId = target.runId;
        console.log(`killing worker ${target.worker} (holding ${target.item}) and the submitter of run ${runId}`);
        workers.get(target.worker)!.kill('SIGKILL');
        submitter.kill('SIGKILL');
        await submitterExit;
        await waitFor(
          'the killed worker to be gone',
          () => (alive(workers.get(target.worker)!.pid!) ? undefined : true),
          10_000,
        );
        workers.delete(target.worker);
        assert.equal((await store.getRun(runId))?.status, 'running', 'the killed submitter left its run running');
      } finally {
        await store.close();
      }
      startWorker('far-4');

      const resumed = await runCli(
        ['run', '--resume', runId, '--workers', '0', '--json', '--store', stores.store, '--objects', stores.objects],
        { cwd: p.root, env: stores.env },
      );
      assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}\n${submitterOut}\n${logs.join('')}`);
      const result = JSON.parse(resumed.stdout) as { runId: string; status: string };
      assert.deepEqual([result.runId, result.status], [runId, 'succeeded']);

      const objects = stores.openObjects();
      try {
        for (const m of p.models) assert.deepEqual(await modelDigest(objects, m), baseline.get(m), `model ${m}`);
        assert.deepEqual(
          await objects.listStaging(),
          [],
          "no staging left behind (the resumed run swept the killed worker's)",
        );
      } finally {
        await objects.close();
      }
      // Credentials never reach any output: workers' logs, the submitter's, the resumed run's.
      const everything = [logs.join(''), submitterOut, resumed.stdout, resumed.stderr].join('\n');
      for (const secret of stores.secrets)
        assert.ok(!everything.includes(secret), `a secret was printed:\n${everything}`);

      const after = await stores.openStore();
      try {
        const items = await after.listItems(runId);
        assert.ok(
          items.every((i) => i.state === 'succeeded'),
          items
            .filter((i) => i.state !== 'succeeded')
            .map((i) => `${i.id} ${i.state}`)
            .join('\n'),
        );
        assert.ok(new Set(items.map((i) => i.workerId)).size >= 2, 'the work was spread over several workers');
      } finally {
        await after.close();
      }
    });
  });
}
