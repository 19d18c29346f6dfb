import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createMetadataStore } from '../../../src/store/create-metadata-store.js';
import type { MetadataStore } from '../../../src/store/metadata-store.js';
import { adminQuery, freshSchemaUrl, ifPostgresIsUp } from '../../helpers/postgres-schemas.js';
import { spawnCli } from '../../helpers/run-cli.js';
import { modelDigest } from '../../helpers/snapshot-digest.js';
import type { writeProject } from '../../helpers/temp-project.js';
import { describeItem, seededRandom, slowDaysProject, stagingLeft, waitFor } from '../workers/worker-test-kit.js';

/** 2 trials in the normal suite; `npm run soak` sets SLUICE_PGKILL_TRIALS (20). */
const TRIALS = Math.max(1, Number(process.env.SLUICE_PGKILL_TRIALS ?? 2) || 2);
const SEED = Number(process.env.SLUICE_PGKILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const DAYS = 4;
/** The worker's connections carry this application_name, so the trial can end exactly them. */
const APP = `sluice-busy-${process.pid}`;

function registerSuites(): void {
  describe(`pg_terminate_backend of a busy standalone worker's connections (seed ${SEED})`, () => {
    let p: ReturnType<typeof writeProject>;
    let url: string;
    let store: MetadataStore;
    let worker: ChildProcess;
    let workerLog = '';
    let exit: Promise<number | null>;
    let baseline: { rows: number; checksum: string };
    const random = seededRandom(SEED);
    const warehouse = () => join(p.root, 'warehouse');
    const terminateWorker = () =>
      adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [APP]);
    /** A full-refresh run driven by `sluice run` with no local workers; fails at once if the worker dies. */
    const run = async (): Promise<{ code: number; stdout: string; stderr: string }> => {
      const child = spawnCli(['run', '--workers', '0', '--full-refresh', '--json', '-p', p.root, '--store', url]);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const done = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
      const died = exit.then((code) => {
        child.kill('SIGKILL');
        throw new Error(`the worker exited (code ${code}) during the run:\n${workerLog}`);
      });
      const code = await Promise.race([done, died]);
      return { code, stdout, stderr };
    };

    before(async () => {
      ({ url } = freshSchemaUrl());
      p = await slowDaysProject('pgkill', DAYS);
      store = createMetadataStore(url, p.root);
      await store.migrate();
      const workerUrl = new URL(url);
      workerUrl.searchParams.set('application_name', APP);
      worker = spawnCli(['worker', '--id', 'busy', '-p', p.root, '--store', workerUrl.toString()]);
      worker.stdout!.on('data', (d) => (workerLog += d));
      worker.stderr!.on('data', (d) => (workerLog += d));
      exit = new Promise((resolve) => worker.on('exit', (code) => resolve(code)));
      console.log(`pg_terminate_backend trials: seed ${SEED} (replay with SLUICE_PGKILL_SEED=${SEED})`);
    });
    after(async () => {
      if (worker?.exitCode === null) worker.kill('SIGKILL');
      await store?.close();
      p?.cleanup();
    });

    it('an undisturbed run: the baseline', { timeout: 120_000 }, async () => {
      const out = await run();
      assert.equal(out.code, 0, `${out.stderr}\n${workerLog}`);
      baseline = await modelDigest(warehouse(), 'daily_hashes');
      assert.equal(baseline.rows, DAYS * 4);
    });

    for (let n = 1; n <= TRIALS; n++) {
      it(
        `trial ${n}: the worker survives, nothing is lost or duplicated, no staging is left`,
        { timeout: 120_000 },
        async () => {
          assert.ok(baseline, 'the baseline ran');
          const heldMs = 50 + Math.floor(random() * 300); // an item takes ~0.4 s or more: it is still held
          const out = run();
          out.catch(() => undefined); // awaited below; a failed wait must not leave it unhandled
          const held = await waitFor(
            `an item the worker has held for ${heldMs} ms`,
            async () => {
              const r = (await store.listRuns({ limit: 1 }))[0];
              if (r?.status !== 'running') return undefined;
              const items = await store.listItems(r.id);
              return items.find(
                (i) => i.state === 'leased' && i.leasedAt !== null && Date.now() - i.leasedAt >= heldMs,
              );
            },
            60_000,
            10,
          );
          const ended = await terminateWorker();
          assert.ok(ended.length >= 1, 'the worker had a connection to end');
          // And once more a moment later: it may hit a claim, a completion or a report.
          const again = delay(Math.floor(random() * 800)).then(terminateWorker);
          const result = await out;
          await again;
          assert.equal(result.code, 0, `${result.stderr}\n${workerLog}`);
          assert.equal((JSON.parse(result.stdout) as { status: string }).status, 'succeeded');
          const item = (await store.listItems(held.runId)).find((i) => i.id === held.id)!;
          console.log(`trial ${n}: ended ${ended.length} connection(s) ${heldMs} ms into ${describeItem(item)}`);
          assert.equal(worker.exitCode, null, `the worker is still running:\n${workerLog}`);
          assert.deepEqual(
            await modelDigest(warehouse(), 'daily_hashes'),
            baseline,
            'read through the manifest: the same rows, once',
          );
          await waitFor(
            'staging to be cleaned up',
            () => (stagingLeft(warehouse()).length === 0 ? true : undefined),
            10_000,
          );
        },
      );
    }

    it('the worker stops on SIGTERM with exit code 0 and never crashed', { timeout: 60_000 }, async () => {
      worker.kill('SIGTERM');
      assert.equal(await exit, 0, workerLog);
      assert.doesNotMatch(workerLog, /Unhandled|uncaught|\n\s+at /i, workerLog);
    });
  });
}

await ifPostgresIsUp(registerSuites);
