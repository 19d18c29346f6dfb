import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunResult } from '../../src/protocol/run-result.js';
import { runProject } from '../../src/runtime/run-project.js';
import { readCurrentSnapshot } from '../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { SqliteMetadataStore } from '../../src/store/sqlite/sqlite-metadata-store.js';
import { copyTo } from '../helpers/duckdb-query.js';
import { fileDigests, modelDigest } from '../helpers/snapshot-digest.js';
import { model, writeProject } from '../helpers/temp-project.js';

const DAILY = 'select day, kind, count(*) as n, sum(v) as total\nfrom events\ngroup by all';
const LOG = 'select day, kind, v from events where v % 2 = 0';
const TOTALS = 'select kind, sum(total) as total, count(distinct day) as days from fct_daily group by kind';
const TOP = 'select day, kind, total from fct_daily where total > 0';
const MODELS = ['fct_daily', 'fct_log', 'fct_top', 'rpt_totals'];

const status = (r: RunResult) => Object.fromEntries(r.tasks.map((t) => [t.model, t.status]));

async function itemCount(root: string, runId: string, m: string): Promise<number> {
  const store = new SqliteMetadataStore(join(root, '.sluice/sluice.db'));
  try {
    return (await store.listItems(runId, m)).length;
  } finally {
    await store.close();
  }
}

describe('incremental models: only new or changed partitions are built', () => {
  let p: ReturnType<typeof writeProject> & { warehouse: string; data: string };
  const day = (n: number) => `2024-01-${String(n).padStart(2, '0')}`;
  const writeDay = (n: number, rows: number, offset = 0) =>
    copyTo(
      `SELECT DATE '${day(n)}' AS day, (['a', 'b', 'c'])[1 + i % 3] AS kind, ${offset} + i AS v FROM range(${rows}) t(i)`,
      join(p.data, 'tmp'),
      'FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE true',
    ).then(() => {
      // Move the written day folder into place (replacing the old one: late data rewrites it).
      const from = join(p.data, 'tmp', `day=${day(n)}`);
      const to = join(p.data, `day=${day(n)}`);
      rmSync(to, { recursive: true, force: true });
      mkdirSync(to);
      for (const f of readdirSync(from)) copyFileSync(join(from, f), join(to, f));
      rmSync(join(p.data, 'tmp'), { recursive: true, force: true });
    });
  const digests = async () =>
    Object.fromEntries(await Promise.all(MODELS.map(async (m) => [m, await modelDigest(p.warehouse, m)] as const)));
  /** Digests of an incremental state, then of a full refresh from the same inputs: they must agree. */
  const matchesFullRefresh = async (models = MODELS) => {
    const incremental = await digests();
    const full = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.equal(full.status, 'succeeded');
    const rebuilt = await digests();
    for (const m of models) assert.deepEqual(incremental[m], rebuilt[m], `${m} equals a full refresh`);
  };

  before(async () => {
    const w = writeProject({
      'sluice.yaml': 'name: inc\nexecution:\n  target_item_size: 0\n',
      'sources/events.yml':
        'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
      'models/fct_daily.sql': model(
        { type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day', incremental: 'replace' },
        DAILY,
      ),
      'models/fct_log.sql': model(
        { type: 'fact', business_unit: 'ops', partition_by: ['kind'], split_by: 'day', incremental: 'append' },
        LOG,
      ),
      'models/rpt_totals.sql': model({ type: 'report', business_unit: 'ops' }, TOTALS),
      // Incremental on an incremental model: it sees only the days fct_daily rebuilt as changed.
      'models/fct_top.sql': model(
        { type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day', incremental: 'replace' },
        TOP,
      ),
    });
    p = { ...w, warehouse: join(w.root, 'warehouse'), data: join(w.root, 'data/events') };
    mkdirSync(p.data, { recursive: true });
    for (let n = 1; n <= 10; n++) await writeDay(n, 30, n * 100);
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    assert.equal(await itemCount(p.root, r.runId, 'fct_daily'), 10);
  });
  after(() => p.cleanup());

  it('an unchanged re-run skips every model and writes nothing', async () => {
    const before = fileDigests(p.warehouse);
    const r = await runProject(p.root, { workers: 2 });
    assert.deepEqual(status(r), {
      fct_daily: 'skipped',
      fct_log: 'skipped',
      fct_top: 'skipped',
      rpt_totals: 'skipped',
    });
    assert.match(r.tasks.find((t) => t.model === 'fct_log')!.reason!, /unchanged since snapshot 1/);
    assert.deepEqual(fileDigests(p.warehouse), before);
  });

  it('a new day builds one item per incremental model, keeps the other files, and equals a full refresh', async () => {
    const objects = new LocalObjectStore(p.warehouse);
    const old = (await readCurrentSnapshot(objects, 'fct_daily'))!;
    await writeDay(11, 30, 1100);
    const r = await runProject(p.root, { workers: 2 });
    assert.deepEqual(status(r), {
      fct_daily: 'succeeded',
      fct_log: 'succeeded',
      fct_top: 'succeeded',
      rpt_totals: 'succeeded',
    });
    assert.equal(await itemCount(p.root, r.runId, 'fct_daily'), 1);
    assert.equal(await itemCount(p.root, r.runId, 'fct_log'), 1);
    assert.equal(await itemCount(p.root, r.runId, 'fct_top'), 1, 'the chain stays incremental');
    const now = (await readCurrentSnapshot(objects, 'fct_daily'))!;
    assert.equal(now.files.length, 11);
    assert.equal(
      now.files.filter((f) => old.files.some((o) => o.key === f.key)).length,
      10,
      'ten days carried forward untouched',
    );
    assert.deepEqual(
      Object.keys(now.partitions!.fingerprints),
      Array.from({ length: 11 }, (_, i) => day(i + 1)),
    );
    await matchesFullRefresh();
  });

  it('late data in an old day re-processes exactly that day (replace), and equals a full refresh', async () => {
    await writeDay(3, 45, 7000);
    const r = await runProject(p.root, { workers: 2 });
    assert.deepEqual(
      status(r),
      { fct_daily: 'succeeded', fct_log: 'skipped', fct_top: 'succeeded', rpt_totals: 'succeeded' },
      'append takes only new days',
    );
    assert.equal(await itemCount(p.root, r.runId, 'fct_daily'), 1);
    assert.equal(await itemCount(p.root, r.runId, 'fct_top'), 1);
    assert.match(
      r.tasks.find((t) => t.model === 'fct_log')!.reason!,
      /incremental: no new day partition \(11 unchanged\)/,
    );
    const daily = (await readCurrentSnapshot(new LocalObjectStore(p.warehouse), 'fct_daily'))!;
    assert.equal(daily.rows, 33);
    await matchesFullRefresh(['fct_daily', 'fct_top', 'rpt_totals']);
  });

  it('a day that disappears from the input disappears from a replace model', async () => {
    rmSync(join(p.data, `day=${day(11)}`), { recursive: true });
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(status(r).fct_daily, 'succeeded');
    assert.equal((await readCurrentSnapshot(new LocalObjectStore(p.warehouse), 'fct_daily'))!.files.length, 10);
    await matchesFullRefresh(['fct_daily', 'fct_top', 'rpt_totals']);
  });

  it('a changed SQL rebuilds every day of a replace model', async () => {
    p.write(
      'models/fct_daily.sql',
      model(
        {
          type: 'fact',
          business_unit: 'ops',
          partition_by: ['day'],
          split_by: 'day',
          incremental: 'replace',
          on_schema_change: 'append_new_columns',
        },
        `${DAILY.replace('sum(v) as total', 'sum(v) as total, max(v) as top')}`,
      ),
    );
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(status(r).fct_daily, 'succeeded');
    assert.equal(await itemCount(p.root, r.runId, 'fct_daily'), 10);
    await matchesFullRefresh(['fct_daily', 'fct_top', 'rpt_totals']);
  });

  it("refuses to keep partitions when rows of one value land in another value's partition", async () => {
    p.write(
      'models/fct_shift.sql',
      model(
        { type: 'fact', business_unit: 'ops', partition_by: ['day'], split_by: 'day', incremental: 'replace' },
        'select day + 1 as day, count(*) as n from events group by all',
      ),
    );
    const first = await runProject(p.root, { workers: 2 });
    assert.equal(status(first).fct_shift, 'succeeded', 'a whole build keeps nothing: nothing to check');
    await writeDay(12, 30, 1200);
    const r = await runProject(p.root, { workers: 2 });
    const t = r.tasks.find((x) => x.model === 'fct_shift')!;
    assert.equal(t.status, 'failed');
    assert.match(
      t.error!,
      /work item for day 2024-01-12 wrote rows to day=2024-01-13: .*needs the rows of each day value to keep that value/,
    );
  });
});
