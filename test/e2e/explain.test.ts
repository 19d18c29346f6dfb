import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExplainDocument } from '../../src/compile/explain-plan.js';
import { runProject } from '../../src/runtime/run-project.js';
import { copyTo } from '../helpers/duckdb-query.js';
import { runCli } from '../helpers/run-cli.js';
import { model, writeProject } from '../helpers/temp-project.js';

const WEEK = "select day, count(*) as n from events where day between '2024-01-08' and '2024-01-14' group by all";
const DAILY = 'select e.day, k.label, sum(e.v) as total from events e join kinds k using (kind) group by all';

describe('sluice plan --explain', () => {
  let p: ReturnType<typeof writeProject>;
  const addDays = (from: number, days: number) =>
    copyTo(
      `SELECT DATE '2024-01-01' + (${from} + i % ${days})::INT AS day, (['a', 'b'])[1 + i % 2] AS kind, i AS v FROM range(${days * 10}) t(i)`,
      join(p.root, 'data/events'),
      'FORMAT parquet, PARTITION_BY (day), APPEND true',
    );
  const explain = async (...args: string[]) => {
    const r = await runCli(['plan', '--explain', '--json', '-p', p.root, ...args]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as ExplainDocument;
    return Object.fromEntries(doc.models.map((m) => [m.name, m]));
  };
  before(async () => {
    p = writeProject({
      'sluice.yaml': 'name: ex\nexecution:\n  target_item_size: 0\n',
      'sources/events.yml':
        'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n  kinds:\n    format: csv\n    path: data/kinds.csv\n',
      'data/kinds.csv': 'kind,label\na,Alpha\nb,Beta\n',
      'models/fct_week.sql': model({ type: 'fact', business_unit: 'ops' }, WEEK),
      'models/fct_daily.sql': model(
        { type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day', incremental: 'replace' },
        DAILY,
      ),
    });
    mkdirSync(join(p.root, 'data'), { recursive: true });
    await addDays(0, 30);
  });
  after(() => p.cleanup());

  it('says what each model would read, prune, build and skip, and why', async () => {
    let m = await explain();
    assert.equal(m.fct_week!.decision, 'build');
    assert.equal(m.fct_week!.reason, 'never built');
    assert.deepEqual(
      [m.fct_week!.inputs[0]!.files, m.fct_week!.inputs[0]!.totalFiles, m.fct_week!.inputs[0]!.pruned],
      [7, 30, 23],
    );
    assert.match(m.fct_week!.inputs[0]!.filter!, /BETWEEN '2024-01-08' AND '2024-01-14'/);
    assert.equal(m.fct_daily!.items.length, 30);
    const [events, kinds] = [
      m.fct_daily!.inputs.find((i) => i.name === 'events')!,
      m.fct_daily!.inputs.find((i) => i.name === 'kinds')!,
    ];
    assert.deepEqual([events.role, events.readBytes], ['split', events.bytes]);
    assert.deepEqual(
      [kinds.role, kinds.readBytes],
      ['broadcast', kinds.bytes * 30],
      'the small side is read whole by every item',
    );

    assert.equal((await runProject(p.root, { workers: 2 })).status, 'succeeded');
    m = await explain();
    assert.deepEqual([m.fct_week!.decision, m.fct_daily!.decision], ['skip', 'skip']);
    assert.match(m.fct_week!.reason, /unchanged since snapshot 1/);

    // A new day outside the week: the week's model still reads the same files, so it is skipped.
    await addDays(30, 1);
    m = await explain();
    assert.equal(m.fct_week!.decision, 'skip');
    assert.equal(m.fct_daily!.decision, 'build');
    assert.match(m.fct_daily!.reason, /incremental replace: 1 new or changed day value\(s\), 30 unchanged/);
    assert.deepEqual(
      m.fct_daily!.items.map((i) => i.values),
      [['2024-01-31']],
    );
    assert.ok(m.fct_daily!.items[0]!.bytes > 0);
    m = await explain('--full-refresh');
    assert.equal(m.fct_daily!.items.length, 31);

    const text = await runCli(['plan', '--explain', '-p', p.root]);
    assert.match(text.stdout, /fct_week  SKIP  unchanged since snapshot 1/);
    assert.match(text.stdout, /reads events\s+7\/31 files .* pruned 24 file\(s\)\s+where/);
    assert.match(
      text.stdout,
      /fct_daily  BUILD  incremental replace: 1 new or changed day value\(s\), 30 unchanged\n(.*\n){2}\s+1 work item\(s\): .*; values 2024-01-31/,
    );
  });
});
