import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { model, writeProject } from '../helpers/temp-project.js';

describe('sluice run --detach', () => {
  let p: ReturnType<typeof writeProject>;
  before(() => {
    p = writeProject({
      'sluice.yaml': 'name: detached\nexecution:\n  heartbeat_seconds: 0.2\n',
      'models/slow.sql': model(
        { type: 'dimension', business_unit: 'ops' },
        'select count(*) as n from range(20000000)',
      ),
      'models/after_slow.sql': model({ type: 'report', business_unit: 'ops' }, 'select n + 1 as m from slow'),
    });
  });
  after(() => p.cleanup());

  it('returns once the run has started; a background process finishes it', { timeout: 120_000 }, async () => {
    const out = await runCli(['run', '--detach', '--json', '-p', p.root, '--workers', '1']);
    assert.equal(out.code, 0, out.stderr);
    const { runId, pid, log } = JSON.parse(out.stdout) as { runId: string; pid: number; log: string };
    assert.match(runId, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    assert.ok(pid > 0 && existsSync(log));
    let status = 'running';
    const deadline = Date.now() + 90_000;
    while (status === 'running' && Date.now() < deadline) {
      const s = await runCli(['status', runId, '--json', '-p', p.root]);
      assert.equal(s.code, 0, s.stderr);
      status = (JSON.parse(s.stdout) as { runs: { status: string }[] }).runs[0]!.status;
      if (status === 'running') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 'succeeded');
  });

  it("fails with the background process's reason when the run cannot start", { timeout: 60_000 }, async () => {
    p.write('models/broken.sql', model({ type: 'report', business_unit: 'ops' }, 'select * from no_such_table'));
    const out = await runCli(['run', '--detach', '-p', p.root]);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /background run exited.*no_such_table/s);
  });
});
