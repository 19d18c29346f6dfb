import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTo } from '../../helpers/duckdb-query.js';
import { runCli } from '../../helpers/run-cli.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { describeItem, withStore } from './worker-test-kit.js';

describe('a poison work item (its SQL always fails at run time)', () => {
  let p: ReturnType<typeof writeProject>;
  before(async () => {
    p = writeProject({
      'sluice.yaml': [
        'name: poison',
        'execution:',
        '  threads: 1',
        '  lease_seconds: 1.5',
        '  heartbeat_seconds: 0.3',
        '  retries: { code: 2, infra: 5 }',
        '  backoff_seconds: 0.1',
        '  max_backoff_seconds: 0.2',
        '',
      ].join('\n'),
      'sources/lab.yml': 'sources:\n  readings:\n    format: parquet\n    path: data/readings.parquet\n',
      // Group report_lab: the poison and its downstream.
      'models/rpt_poison.sql': model(
        { type: 'report', business_unit: 'lab' },
        "select id, error('poison reading ' || id) as boom from readings",
      ),
      'models/rpt_after_poison.sql': model(
        { type: 'report', business_unit: 'lab' },
        'select count(*) as n from rpt_poison',
      ),
      // Other groups, independent of the poison.
      'models/dim_sensors.sql': model(
        { type: 'dimension', business_unit: 'lab' },
        'select distinct sensor from readings',
      ),
      'models/fct_readings.sql': model(
        { type: 'fact', business_unit: 'lab' },
        'select r.id, r.sensor, r.value from readings r join dim_sensors using (sensor)',
      ),
      'models/rpt_sensor_avg.sql': model(
        { type: 'report', business_unit: 'ops' },
        'select sensor, avg(value) as avg_value from fct_readings group by sensor',
      ),
    });
    mkdirSync(join(p.root, 'data'), { recursive: true });
    await copyTo(
      `SELECT i AS id, 's' || (i % 5) AS sensor, i * 0.5 AS value FROM range(100) t(i)`,
      join(p.root, 'data/readings.parquet'),
    );
  });
  after(() => p.cleanup());

  it(
    'dies after exactly 2 code attempts, stops only its downstream, and status shows why',
    { timeout: 120_000 },
    async () => {
      const r = await runCli(['run', '--json', '-p', p.root]);
      assert.equal(r.code, 1, `sluice run exits 1 when a task failed\n${r.stdout}\n${r.stderr}`);
      const doc = JSON.parse(r.stdout) as {
        runId: string;
        status: string;
        tasks: { model: string; status: string; error: string | null; rowsOut: number | null }[];
      };
      assert.equal(doc.status, 'failed');
      const byModel = Object.fromEntries(doc.tasks.map((t) => [t.model, t]));
      assert.equal(byModel.rpt_poison!.status, 'failed');
      assert.match(byModel.rpt_poison!.error!, /poison reading/);
      assert.match(byModel.rpt_poison!.error!, /dead after 2 attempts/);
      assert.equal(byModel.rpt_after_poison!.status, 'not_run');
      assert.match(byModel.rpt_after_poison!.error!, /upstream model rpt_poison failed/);
      for (const m of ['dim_sensors', 'fct_readings', 'rpt_sensor_avg'])
        assert.equal(byModel[m]!.status, 'succeeded', `${m}: ${byModel[m]!.error}`);
      assert.equal(byModel.fct_readings!.rowsOut, 100);
      assert.equal(byModel.rpt_sensor_avg!.rowsOut, 5);

      const items = await withStore(join(p.root, '.sluice/sluice.db'), (s) => s.listItems(doc.runId));
      const poison = items.filter((i) => i.model === 'rpt_poison');
      assert.equal(poison.length, 1);
      const item = poison[0]!;
      assert.equal(item.state, 'dead', describeItem(item));
      assert.equal(item.attempt, 2, describeItem(item));
      assert.equal(item.codeFailures, 2, describeItem(item));
      assert.equal(item.infraFailures, 0, describeItem(item));
      assert.match(item.error ?? '', /poison reading/);
      assert.ok(!items.some((i) => i.model === 'rpt_after_poison'), 'the downstream task was never queued');
      for (const i of items.filter((x) => x.model !== 'rpt_poison'))
        assert.equal(i.state, 'succeeded', describeItem(i));

      const status = await runCli(['status', doc.runId, '-p', p.root]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, new RegExp(`run ${doc.runId}: failed`));
      assert.match(status.stdout, /rpt_poison\s+report_lab\s+failed\s.*0\/1, 2; 1 dead/);
      assert.match(status.stdout, /rpt_after_poison\s+report_lab\s+not_run/);
      assert.match(status.stdout, /\nrpt_poison: .*poison reading/);
    },
  );
});
