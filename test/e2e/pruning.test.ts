import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../src/runtime/run-project.js';
import { readCurrentSnapshot } from '../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { copyTo, query } from '../helpers/duckdb-query.js';
import { modelDigest } from '../helpers/snapshot-digest.js';
import { model, writeProject } from '../helpers/temp-project.js';
import { itemSpecs } from '../helpers/item-specs.js';

/** A project with one source, `events`: hive-partitioned Parquet, one folder per day. */
async function eventsProject(days: number, models: Record<string, string>) {
  const p = writeProject({
    'sluice.yaml': 'name: events\nexecution:\n  target_item_size: 0\n',
    'sources/events.yml':
      'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
    ...Object.fromEntries(Object.entries(models).map(([name, text]) => [`models/${name}.sql`, text])),
  });
  mkdirSync(join(p.root, 'data'));
  await copyTo(
    `SELECT DATE '2024-01-01' + (i % ${days})::INT AS day, (['a', 'b', 'c'])[1 + i % 3] AS kind, i AS v FROM range(${days * 12}) t(i)`,
    join(p.root, 'data/events'),
    'FORMAT parquet, PARTITION_BY (day)',
  );
  return { ...p, warehouse: join(p.root, 'warehouse'), data: join(p.root, 'data/events') };
}

const dayFiles = (dir: string) =>
  readdirSync(dir)
    .sort()
    .flatMap((d) => readdirSync(join(dir, d)).map((f) => ({ day: d.slice('day='.length), path: join(dir, d, f) })));

describe('partition pruning: a filter on a partition column reads only the matching files', () => {
  const WEEK =
    "select day, kind, count(*) as n, sum(v) as total\nfrom events\nwhere day >= '2024-03-01' and day < '2024-03-08'\ngroup by all";
  let p: Awaited<ReturnType<typeof eventsProject>>;
  before(async () => {
    p = await eventsProject(365, {
      fct_week: model({ type: 'fact', business_unit: 'ops', partition_by: ['day'] }, WEEK),
    });
  });
  after(() => p.cleanup());

  it('opens 7 of 365 files: every other file is corrupt and the run still succeeds with the right rows', async () => {
    const expected = await query(
      `SELECT day::VARCHAR AS day, kind, count(*)::BIGINT AS n, sum(v)::BIGINT AS total FROM read_parquet('${p.data}/**/*.parquet', hive_partitioning = true) WHERE day >= '2024-03-01' AND day < '2024-03-08' GROUP BY ALL ORDER BY ALL`,
    );
    const files = dayFiles(p.data);
    assert.equal(files.length, 365);
    const inWeek = files.filter((f) => f.day >= '2024-03-01' && f.day < '2024-03-08');
    // Any file DuckDB opens other than these (and the first, which `validate` reads for the schema) fails the run.
    for (const f of files.slice(1)) if (!inWeek.includes(f)) writeFileSync(f.path, 'not parquet');

    const r = await runProject(p.root, { workers: 1 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    const actual = await query(
      `SELECT day::VARCHAR AS day, kind, n::BIGINT AS n, total::BIGINT AS total FROM read_parquet('${p.warehouse}/fct_week/**/*.parquet', hive_partitioning = true) ORDER BY ALL`,
    );
    assert.deepEqual(actual, expected);

    const [spec] = await itemSpecs(p.root, r.runId, 'fct_week');
    const input = spec!.inputs[0]!;
    assert.equal(input.kind, 'files');
    assert.deepEqual(
      input.kind === 'files' && input.files.paths,
      inWeek.map((f) => f.path),
      'the item reads exactly the week',
    );
    assert.equal(input.scan?.files, 7);
    assert.equal(input.scan?.totalFiles, 365);
    assert.ok(input.scan!.bytes > 0 && input.scan!.bytes < input.scan!.totalBytes);
    assert.match(input.scan!.filter!, /day/);
  });
});

describe('the run interval (--from/--to): a split model rebuilds only the partitions in it', () => {
  const DAILY = 'select day, kind, count(*) as n, sum(v) as total\nfrom events\ngroup by all';
  const TOTALS = 'select kind, sum(total) as total from fct_daily group by kind';
  let p: Awaited<ReturnType<typeof eventsProject>>;
  before(async () => {
    p = await eventsProject(20, {
      fct_daily: model({ type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day' }, DAILY),
      rpt_totals: model({ type: 'report', business_unit: 'ops' }, TOTALS),
    });
  });
  after(() => p.cleanup());

  it('reads and rewrites only the interval, keeps the other partitions, and matches a full rebuild', async () => {
    const full = await runProject(p.root, { workers: 2 });
    assert.equal(full.status, 'succeeded', JSON.stringify(full.tasks));
    const objects = new LocalObjectStore(p.warehouse);
    const first = (await readCurrentSnapshot(objects, 'fct_daily'))!;
    assert.equal(first.files.length, 20);

    // Late data for 2024-01-11: rewrite that day's file with more rows.
    const late = dayFiles(p.data).find((f) => f.day === '2024-01-11')!;
    await copyTo(
      `SELECT kind, v FROM (SELECT (['a', 'b', 'c'])[1 + i % 3] AS kind, 1000 + i AS v FROM range(30) t(i))`,
      late.path,
    );

    const r = await runProject(p.root, { workers: 2, interval: { from: '2024-01-10', to: '2024-01-12' } });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    assert.deepEqual(r.interval, { from: '2024-01-10', to: '2024-01-12' });
    const specs = await itemSpecs(p.root, r.runId, 'fct_daily');
    assert.deepEqual(
      specs.map((s) => s.slice?.values),
      [['2024-01-10'], ['2024-01-11']],
    );
    assert.deepEqual(
      specs.map((s) => s.inputs[0]!.scan?.files),
      [1, 1],
    );
    const second = (await readCurrentSnapshot(objects, 'fct_daily'))!;
    const kept = second.files.filter((f) => first.files.some((g) => g.key === f.key));
    assert.equal(kept.length, 18, 'the 18 partitions outside the interval are carried forward, not rewritten');
    assert.equal(second.fingerprint, null, 'an interval build is not a whole build');
    const afterInterval = {
      daily: await modelDigest(p.warehouse, 'fct_daily'),
      totals: await modelDigest(p.warehouse, 'rpt_totals'),
    };

    // A full rebuild gives the same data.
    const again = await runProject(p.root, { workers: 2 });
    assert.equal(again.status, 'succeeded');
    assert.deepEqual(
      { daily: await modelDigest(p.warehouse, 'fct_daily'), totals: await modelDigest(p.warehouse, 'rpt_totals') },
      afterInterval,
    );
    const [row] = await query(
      `SELECT n FROM read_parquet('${p.warehouse}/fct_daily/**/*.parquet', hive_partitioning = true) WHERE day = '2024-01-11' AND kind = 'a'`,
    );
    assert.equal(Number(row!.n), 10, 'the late rows are in');
  });
});
