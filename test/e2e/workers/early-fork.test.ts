import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ValidationError } from '../../../src/core/errors.js';
import { runProject } from '../../../src/runtime/run-project.js';
import { spawnCli } from '../../helpers/run-cli.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { withStore } from './worker-test-kit.js';

// `sluice run` forks its worker processes before it loads and validates the project, so that
// they boot meanwhile. Whatever stops the run before it starts (an invalid project, a bad
// selection, a model that does not bind, another run holding the lock) must end them: the
// same message and exit code as without them, no process left behind, no worker registered
// that did not also stop.

const OK = model({ type: 'report', business_unit: 'lab' }, 'select 1 as x');
const SYNTAX = model({ type: 'report', business_unit: 'lab' }, 'select x, from from ok');
const UNBOUND = model({ type: 'report', business_unit: 'lab' }, 'select y from ok');

/** Processes (pids) whose command line is a worker entry forked by process `parent`. */
function workersOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.includes('worker-entry') && cmdline.includes(`-${parent}-`)) out.push(Number(entry));
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Run `sluice run <args>` in the project; its exit code, output and the workers it left running. */
async function run(
  root: string,
  args: readonly string[] = [],
): Promise<{ code: number; stdout: string; stderr: string; left: number[]; pid: number }> {
  const child = spawnCli(['run', '-p', root, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr, left: workersOf(child.pid!), pid: child.pid! };
}

describe(
  'worker processes forked before the project is validated',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  () => {
    let p: ReturnType<typeof writeProject>;
    before(() => {
      p = writeProject({ 'sluice.yaml': 'name: early\nexecution:\n  workers: 2\n  threads: 1\n', 'models/ok.sql': OK });
    });
    after(() => p.cleanup());

    it('runProject forks them first and ends them when the project does not load', async () => {
      p.write('models/bad.sql', SYNTAX);
      let pids: number[] = [];
      const err = await runProject(p.root, { onWorkers: (w) => (pids = w.pids()) }).then(
        () => assert.fail('an invalid project must not run'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ValidationError, String(err));
      assert.match(err.message, /models\/bad\.sql:5: \[model bad\] SQL syntax error/);
      assert.equal(pids.length, 2, 'the pool was forked before the project was loaded');
      assert.deepEqual(pids.filter(alive), [], 'every worker process has exited when runProject rejects');
    });

    it('an invalid project: exit 2, its problems, no worker left', async () => {
      p.write('models/bad.sql', SYNTAX);
      const r = await run(p.root);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        'error: 1 problem in the project:\n  models/bad.sql:5: [model bad] SQL syntax error: syntax error at or near "from"\n',
      );
      assert.deepEqual(r.left, []);
    });

    it('a bad selection: exit 2, the selector named, no worker left', async () => {
      p.write('models/bad.sql', OK);
      const r = await run(p.root, ['--select', 'nope']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: .*'nope'/);
      assert.deepEqual(r.left, []);
    });

    it('a model that does not bind (found after the workers started): exit 2, no worker left, every registered one stopped', async () => {
      p.write('models/bad.sql', UNBOUND);
      const r = await run(p.root);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error: 1 problem in the project:\n {2}models\/bad\.sql:5: \[model bad\] Binder Error: Referenced column "y" not found/,
      );
      assert.deepEqual(r.left, []);
      const workers = await withStore(join(p.root, '.sluice/sluice.db'), (s) =>
        s.listWorkers({ includeStopped: true }),
      );
      assert.ok(
        workers.every((w) => w.state === 'stopped'),
        workers.map((w) => `${w.id} ${w.state}`).join(', '),
      );
    });

    it('another run holding the lock: exit 1, the holder named, no worker left or registered', async () => {
      p.write('models/bad.sql', OK);
      const db = join(p.root, '.sluice/sluice.db');
      const before = (await withStore(db, (s) => s.listWorkers({ includeStopped: true }))).length;
      // This test process is the live holder.
      writeFileSync(
        join(p.root, '.sluice/run.lock'),
        JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' }),
      );
      try {
        const r = await run(p.root);
        assert.equal(r.code, 1, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^error: another sluice run \\(pid ${process.pid}, since 2026-01-01T00:00:00.000Z\\) is running in this project`,
          ),
        );
        assert.deepEqual(r.left, []);
      } finally {
        rmSync(join(p.root, '.sluice/run.lock'), { force: true });
      }
      const workers = await withStore(db, (s) => s.listWorkers({ includeStopped: true }));
      assert.equal(workers.length, before, 'the blocked run registered no worker');
    });

    it('the CLI forks one worker per core before it reads sluice.yaml, then keeps execution.workers of them', async () => {
      rmSync(join(p.root, 'models/bad.sql'), { force: true });
      // Long enough for every worker to register before the run ends (a worker still booting then exits unregistered).
      p.write(
        'models/slow.sql',
        model({ type: 'report', business_unit: 'lab' }, 'select sum(i % 7) as s from range(150000000) t(i)'),
      );
      p.write('sluice.yaml', 'name: early\nexecution:\n  workers: 1\n  threads: 1\n');
      const db = join(p.root, '.sluice/sluice.db');
      const registeredBy = async (pid: number) =>
        (await withStore(db, (s) => s.listWorkers({ includeStopped: true }))).filter((w) => w.id.includes(`-${pid}-`));
      try {
        const r = await run(p.root, ['--json']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).status, 'succeeded');
        assert.deepEqual(r.left, []);
        assert.equal((await registeredBy(r.pid)).length, 1, 'one worker registered, as execution.workers says');
        const more = await run(p.root, ['--json', '--workers', '3', '--full-refresh']);
        assert.equal(more.code, 0, more.stderr);
        assert.deepEqual(more.left, []);
        assert.equal((await registeredBy(more.pid)).length, 3, '--workers wins over sluice.yaml');
      } finally {
        rmSync(join(p.root, 'models/slow.sql'), { force: true });
        p.write('sluice.yaml', 'name: early\nexecution:\n  workers: 2\n  threads: 1\n');
      }
    });
  },
);
