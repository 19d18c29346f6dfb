import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clinicProject, type ClinicFixture } from '../../helpers/clinic-fixture.js';
import { modelDigest } from '../../helpers/snapshot-digest.js';
import { killTrial } from './kill-trial.js';
import { describeItem, publishedState, seededRandom, stagingLeft, withStore } from './worker-test-kit.js';

/**
 * Trials always run; more (up to MAX_TRIALS) while fewer than MIN_MID_ITEM hit a worker mid-item.
 * The soak (`npm run soak`) sets SLUICE_KILL_TRIALS to run many more.
 */
const TRIALS = Math.max(10, Number(process.env.SLUICE_KILL_TRIALS ?? 10) || 10);
const MAX_TRIALS = TRIALS + 6;
const MIN_MID_ITEM = 3;
const WORKERS = 2;
// SLUICE_KILL_SEED=<n> replays a schedule (timings still vary with the machine's load).
const SEED = Number(process.env.SLUICE_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`kill -9 trials on the clinic example (seed ${SEED})`, () => {
  let p: ClinicFixture;
  let baseline: Map<string, { rows: number; checksum: string }>;
  let workMs = 0;
  const midItem: string[] = [];
  const random = seededRandom(SEED);

  before(async () => {
    p = await clinicProject({
      days: 3,
      scale: 0.05,
      execution: {
        threads: 1,
        lease_seconds: 1.5,
        heartbeat_seconds: 0.3,
        backoff_seconds: 0.1,
        max_backoff_seconds: 0.4,
        retries: { code: 3, infra: 20 },
      },
    });
    console.log(`kill trials: seed ${SEED} (replay with SLUICE_KILL_SEED=${SEED})`);
  });
  after(() => p?.cleanup());

  it('an undisturbed baseline run publishes every model', { timeout: 90_000 }, async () => {
    const out = await killTrial(p.root, WORKERS, []);
    assert.equal(out.status, 'succeeded', out.failed.join('\n'));
    workMs = out.workMs;
    console.log(`baseline: ${workMs} ms from the first lease to the end of the run`);
    assert.ok(workMs > 0, 'the baseline reported when its first task started');
    baseline = new Map();
    for (const m of p.models) baseline.set(m, await modelDigest(p.warehouse, m));
    assert.equal(baseline.size, 14);
    // The trials check with publishedState (one DuckDB for all models): it agrees with modelDigest.
    const state = await publishedState(p.warehouse, p.models);
    for (const m of p.models) assert.deepEqual(state.get(m)!.digest, baseline.get(m), m);
    for (const m of p.models)
      assert.deepEqual(state.get(m)!.catalog, baseline.get(m), `${m}: read through its catalog`);
    assert.ok(
      [...baseline.values()].every((d) => d.rows > 0),
      JSON.stringify([...baseline]),
    );
  });

  let ran = 0;
  for (let n = 1; n <= MAX_TRIALS; n++) {
    it(`trial ${n}: SIGKILLed workers lose nothing and duplicate nothing`, { timeout: 90_000 }, async (t) => {
      assert.ok(baseline, 'the baseline ran');
      // Every third trial kills twice. The schedule is drawn even for skipped trials, so a seed
      // always gives the same schedules.
      const kills = Array.from({ length: n % 3 === 0 ? 2 : 1 }, () => ({
        atMs: Math.floor(random() * workMs),
        pick: random(),
      }));
      if (n > TRIALS && midItem.length >= MIN_MID_ITEM)
        return t.skip(`${midItem.length} trials already killed a worker mid-item`);
      ran++;
      const out = await killTrial(p.root, WORKERS, kills);
      const schedule = `seed ${SEED}, trial ${n}, kills ${JSON.stringify(out.killed)}`;
      assert.equal(out.status, 'succeeded', `${schedule}\n${out.failed.join('\n')}`);

      for (const [m, { digest, catalog, view }] of await publishedState(p.warehouse, p.models)) {
        assert.deepEqual(digest, baseline.get(m), `${schedule}: model ${m} differs from the baseline`);
        assert.deepEqual(
          catalog,
          baseline.get(m),
          `${schedule}: model ${m} read through its catalog differs from the baseline`,
        );
        assert.deepEqual(
          view.globKeys,
          view.manifestKeys,
          `${schedule}: model ${m}: the folder holds exactly the manifest's files`,
        );
        assert.equal(
          view.globRows,
          view.manifestRows,
          `${schedule}: model ${m}: a plain glob reads the manifest's rows`,
        );
      }
      assert.deepEqual(stagingLeft(p.warehouse), [], `${schedule}: no staging folder remains`);

      const items = await withStore(p.db, (s) => s.listItems(out.runId));
      assert.equal(items.length, 14);
      assert.ok(
        items.every((i) => i.state === 'succeeded'),
        items.map(describeItem).join('\n'),
      );
      const redone = items.filter((i) => i.attempt > 1 || i.infraFailures > 0);
      if (redone.length > 0) midItem.push(`trial ${n}: ${redone.map(describeItem).join('; ')}`);
      console.log(
        `trial ${n}: killed ${JSON.stringify(out.killed)} in a ${out.workMs} ms run; items redone: ${redone.map((i) => i.model).join(', ') || 'none'}`,
      );
    });
  }

  it('several trials killed a worker in the middle of an item', () => {
    console.log(
      `kill trials (seed ${SEED}): ${midItem.length} of ${ran} killed a worker mid-item\n${midItem.join('\n')}`,
    );
    assert.ok(ran >= TRIALS);
    assert.ok(
      midItem.length >= MIN_MID_ITEM,
      `only ${midItem.length} of ${ran} trials hit a worker holding an item (seed ${SEED})`,
    );
  });
});
