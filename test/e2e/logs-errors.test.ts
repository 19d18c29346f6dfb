import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { model, writeProject } from '../helpers/temp-project.js';

describe('sluice logs for a failed model', () => {
  let p: ReturnType<typeof writeProject>;
  before(() => {
    p = writeProject({
      'sluice.yaml': 'name: failing\nexecution:\n  retries: {code: 2}\n  backoff_seconds: 0.05\n',
      'models/fine.sql': model({ type: 'dimension', business_unit: 'ops' }, 'select 1 as x'),
      'models/broken.sql': model(
        { type: 'fact', business_unit: 'ops' },
        "select x, cast('not a number' as integer) as y from fine",
      ),
    });
  });
  after(() => p.cleanup());

  it("shows the task's attempts with DuckDB's error text", async () => {
    const run = await runCli(['run', '--json', '-p', p.root]);
    assert.equal(run.code, 1, run.stderr);
    const { runId } = JSON.parse(run.stdout) as { runId: string };
    const logs = await runCli(['logs', runId, 'broken', '-p', p.root]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(
      logs.stdout.match(/Conversion Error: Could not convert string 'not a number' to INT32/g)?.length ?? 0,
      3,
      logs.stdout,
    );
    assert.match(logs.stdout, /item is dead/);
    assert.doesNotMatch(logs.stdout, /\bfine\b.*attempt succeeded/);
  });
});
