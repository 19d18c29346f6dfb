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
import { withStore } from './worker-test-kit.js';

/**
 * The scale-out shape on one machine: `sluice run --workers 0` submits and coordinates, and
 * standalone `sluice worker` processes started OUTSIDE the project folder (stores given only by
 * --store and --objects, as on another machine) do all the work.
 */
describe('standalone workers with --store/--objects and a run with --workers 0', () => {
  let p: ClinicFixture;
  let elsewhere: string;
  const workers: ChildProcess[] = [];
  before(async () => {
    p = await clinicProject({ days: 3, scale: 0.05, execution: { threads: 1, heartbeat_seconds: 0.3 } });
    elsewhere = mkdtempSync(join(tmpdir(), 'sluice-elsewhere-'));
  });
  after(() => {
    for (const w of workers) w.kill('SIGKILL');
    p?.cleanup();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('produces the same output as an embedded run', { timeout: 120_000 }, async () => {
    const embedded = await runProject(p.root, { workers: 2 });
    assert.equal(embedded.status, 'succeeded');

    const store = `sqlite:${join(elsewhere, 'shared.db')}`;
    const objects = join(elsewhere, 'objects');
    const logs: string[] = [];
    for (const id of ['far-1', 'far-2']) {
      const w = spawnCli(['worker', '--id', id, '--store', store, '--objects', objects], { cwd: elsewhere });
      w.stdout!.on('data', (d) => logs.push(`${id}: ${d}`));
      w.stderr!.on('data', (d) => logs.push(`${id}: ${d}`));
      workers.push(w);
    }
    const run = await runCli(['run', '--workers', '0', '--json', '--store', store, '--objects', objects], {
      cwd: p.root,
    });
    assert.equal(run.code, 0, `${run.stderr}\n${logs.join('')}`);
    const result = JSON.parse(run.stdout) as { status: string; tasks: { model: string; status: string }[] };
    assert.equal(result.status, 'succeeded');
    assert.equal(result.tasks.length, p.models.length);

    // Every item was done by one of the standalone workers, none by a local one.
    const items = await withStore(join(elsewhere, 'shared.db'), async (s) =>
      s.listItems((await s.listRuns({ limit: 1 }))[0]!.id),
    );
    assert.ok(items.length >= p.models.length);
    assert.ok(
      items.every((i) => i.workerId === 'far-1' || i.workerId === 'far-2'),
      JSON.stringify(items.map((i) => i.workerId)),
    );

    for (const m of p.models) assert.deepEqual(await modelDigest(objects, m), await modelDigest(p.warehouse, m), m);

    // SIGTERM: the standalone workers deregister and exit cleanly.
    const exits = workers.map((w) => new Promise<number | null>((resolve) => w.on('exit', (code) => resolve(code))));
    for (const w of workers) w.kill('SIGTERM');
    assert.deepEqual(await Promise.all(exits), [0, 0]);
    const listed = await withStore(join(elsewhere, 'shared.db'), (s) => s.listWorkers({ includeStopped: true }));
    assert.deepEqual(listed.map((w) => [w.id, w.state]).sort(), [
      ['far-1', 'stopped'],
      ['far-2', 'stopped'],
    ]);
  });

  it('a worker outside a project without both stores says what it needs', async () => {
    const out = await runCli(['worker', '--store', 'sqlite:x.db'], { cwd: elsewhere });
    assert.equal(out.code, 2, out.stderr);
    assert.match(out.stderr, /sluice\.yaml.*needs both --store and --objects/);
  });
});
