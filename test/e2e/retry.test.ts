import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { runCli } from '../helpers/run-cli.js';
import { model, writeProject } from '../helpers/temp-project.js';

describe('sluice retry', () => {
  let p: ReturnType<typeof writeProject>;
  before(() => {
    p = writeProject({
      'sluice.yaml': 'name: gated\nexecution:\n  retries: {code: 1}\n  backoff_seconds: 0.05\n',
      'sources/flag.yml': 'sources:\n  flag:\n    format: csv\n    path: data/flag.csv\n',
      'data/flag.csv': 'ok\n',
      'models/gate.sql': model(
        { type: 'fact', business_unit: 'ops' },
        "select n from (select count(*) as n from flag) where n > 0 or error('flag not set') is not null",
      ),
      'models/after_gate.sql': model({ type: 'report', business_unit: 'ops' }, 'select n * 2 as doubled from gate'),
      'models/other.sql': model({ type: 'dimension', business_unit: 'ops' }, 'select 42 as answer'),
    });
  });
  after(() => p.cleanup());

  it('redrives the dead item of a failed run and finishes it, keeping what succeeded', async () => {
    const first = await runCli(['run', '--json', '-p', p.root]);
    assert.equal(first.code, 1, first.stderr);
    const failed = JSON.parse(first.stdout);
    const status = Object.fromEntries(failed.tasks.map((t: { model: string; status: string }) => [t.model, t.status]));
    assert.deepEqual(status, { other: 'succeeded', gate: 'failed', after_gate: 'not_run' });
    assert.match(
      failed.tasks.find((t: { model: string }) => t.model === 'gate').error,
      /flag not set.*dead after 1 attempt/s,
    );

    p.write('data/flag.csv', 'ok\n1\n');
    const retry = await runCli(['retry', failed.runId.slice(0, 20), '--json', '-p', p.root]);
    assert.equal(retry.code, 0, retry.stdout + retry.stderr);
    const done = JSON.parse(retry.stdout);
    assert.equal(done.runId, failed.runId, 'the same run is finished, not a new one');
    assert.equal(done.status, 'succeeded');
    const byModel = Object.fromEntries(done.tasks.map((t: { model: string }) => [t.model, t]));
    assert.equal(byModel.gate.status, 'succeeded');
    assert.equal(byModel.after_gate.status, 'succeeded');
    assert.equal(byModel.other.snapshot, 1, 'succeeded work is not redone');

    const store = new SqliteMetadataStore(join(p.root, '.sluice/sluice.db'));
    try {
      const gate = await store.listItems(failed.runId, 'gate');
      assert.deepEqual(
        gate.map((i) => [i.state, i.attempt]),
        [['succeeded', 2]],
      );
      assert.equal((await store.listRuns()).length, 1);
    } finally {
      await store.close();
    }
    const again = await runCli(['retry', failed.runId, '-p', p.root]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /succeeded; there is nothing to retry/);
  });
});
