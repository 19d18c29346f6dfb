import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExplainDocument } from '../../src/compile/explain-plan.js';
import { runProject } from '../../src/runtime/run-project.js';
import { copyTo } from '../helpers/duckdb-query.js';
import { runCli } from '../helpers/run-cli.js';
import { modelDigest } from '../helpers/snapshot-digest.js';
import { model, writeProject } from '../helpers/temp-project.js';
import { itemSpecs } from '../helpers/item-specs.js';

const ROWS = 'select day, kind, v, md5(h) as h2 from events where v % 3 <> 0';
const AGG = 'select day, kind, count(*) as n, sum(v) as total from events group by all';

describe('adaptive work sizing: tiny partitions coalesced, a skewed one split, same output', () => {
  let p: ReturnType<typeof writeProject>;
  const config = (size: string) => p.write('sluice.yaml', `name: sizing\nexecution:\n  target_item_size: ${size}\n`);
  before(async () => {
    p = writeProject({
      'sources/events.yml':
        'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
      'models/fct_rows.sql': model(
        { type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day' },
        ROWS,
      ),
      'models/fct_agg.sql': model({ type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day' }, AGG),
    });
    mkdirSync(join(p.root, 'data/events'), { recursive: true });
    const rows = (from: number, n: number, day: string) =>
      `SELECT DATE '${day}' AS day, (['a', 'b', 'c'])[1 + i % 3] AS kind, ${from} + i AS v, md5((${from} + i)::VARCHAR) AS h FROM range(${n}) t(i)`;
    // 19 tiny days, one file each; then one busy day in 4 files.
    await copyTo(
      `SELECT * FROM (${rows(0, 190, '2024-01-01')}) ORDER BY v`.replace(
        "DATE '2024-01-01' AS day",
        "DATE '2024-01-01' + (i % 19)::INT AS day",
      ),
      join(p.root, 'data/events'),
      'FORMAT parquet, PARTITION_BY (day), APPEND true',
    );
    for (let f = 0; f < 4; f++)
      await copyTo(
        rows(100_000 * (f + 1), 5000, '2024-01-20'),
        join(p.root, 'data/events'),
        'FORMAT parquet, PARTITION_BY (day), APPEND true',
      );
  });
  after(() => p.cleanup());

  it('gives the same output as one item per day, with fewer items and the busy day in parts', async () => {
    config('0');
    const one = await runProject(p.root, { workers: 2 });
    assert.equal(one.status, 'succeeded', JSON.stringify(one.tasks));
    assert.equal((await itemSpecs(p.root, one.runId, 'fct_rows')).length, 20);
    const expected = {
      rows: await modelDigest(join(p.root, 'warehouse'), 'fct_rows'),
      agg: await modelDigest(join(p.root, 'warehouse'), 'fct_agg'),
    };

    config('40KB');
    const explained = await runCli(['plan', '--explain', '--json', '--full-refresh', '-p', p.root]);
    const doc = JSON.parse(explained.stdout) as ExplainDocument;
    const sizing = Object.fromEntries(doc.models.map((m) => [m.name, m.sizing]));
    assert.ok(sizing.fct_rows!.skew! > 50, `skew reported: ${sizing.fct_rows!.skew}`);
    assert.equal(sizing.fct_rows!.largest!.value, '2024-01-20');
    assert.deepEqual(
      sizing.fct_rows!.split.map((s) => [s.value, s.parts]),
      [['2024-01-20', 4]],
    );
    assert.deepEqual(sizing.fct_agg!.split, [], 'an aggregate per day is never divided');

    const r = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    const rowItems = await itemSpecs(p.root, r.runId, 'fct_rows');
    const parts = rowItems.filter((s) => s.slice?.part);
    assert.equal(parts.length, 4, 'the busy day is read by four items, one file each');
    assert.ok(parts.every((s) => s.inputs[0]!.kind === 'files' && s.inputs[0]!.files.paths.length === 1));
    const small = rowItems.filter((s) => !s.slice?.part);
    assert.ok(
      small.length < 19 && small.some((s) => s.slice!.values.length > 1),
      `tiny days coalesced: ${small.map((s) => s.slice!.values.length)}`,
    );
    const aggItems = await itemSpecs(p.root, r.runId, 'fct_agg');
    assert.ok(aggItems.every((s) => !s.slice?.part));
    assert.deepEqual(
      {
        rows: await modelDigest(join(p.root, 'warehouse'), 'fct_rows'),
        agg: await modelDigest(join(p.root, 'warehouse'), 'fct_agg'),
      },
      expected,
    );
  });
});
