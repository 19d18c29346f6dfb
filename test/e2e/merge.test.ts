import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProject } from '../../src/runtime/run-project.js';
import { copyTo } from '../helpers/duckdb-query.js';
import { modelDigest } from '../helpers/snapshot-digest.js';
import { model, writeProject } from '../helpers/temp-project.js';
import { itemSpecs } from '../helpers/item-specs.js';

const HEADER = { type: 'dimension', business_unit: 'ops', split_by: 'day', incremental: 'merge', unique_key: 'id' };
const SQL = 'select id, day, kind, upper(kind) as label from events';

describe('incremental: merge (upsert by unique_key)', () => {
  let p: ReturnType<typeof writeProject>;
  const warehouse = () => join(p.root, 'warehouse');
  /** Day n's rows: ids n*100 .. n*100+rows-1. */
  const writeDay = async (n: number, rows: number, kind: string) => {
    const dir = join(p.root, 'data/events', `day=2024-01-0${n}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await copyTo(
      `SELECT ${n * 100} + i AS id, '${kind}' AS kind FROM range(${rows}) t(i)`,
      join(dir, 'data_0.parquet'),
    );
  };
  before(async () => {
    p = writeProject({
      'sluice.yaml': 'name: merge\nexecution:\n  target_item_size: 0\n',
      'sources/events.yml':
        'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
      'models/dim_events.sql': model(HEADER, SQL),
    });
    for (let n = 1; n <= 5; n++) await writeDay(n, 30, 'a');
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    assert.equal((await itemSpecs(p.root, r.runId, 'dim_events')).length, 5);
  });
  after(() => p.cleanup());

  const fullRefreshDigest = async () => {
    const r = await runProject(p.root, { workers: 2, fullRefresh: true });
    assert.equal(r.status, 'succeeded');
    return modelDigest(warehouse(), 'dim_events');
  };

  it('a new day is merged in by one item reading only that day (and the previous snapshot)', async () => {
    await writeDay(6, 30, 'a');
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    const [item, ...rest] = await itemSpecs(p.root, r.runId, 'dim_events');
    assert.equal(rest.length, 0);
    assert.deepEqual(item!.slice?.values, ['2024-01-06']);
    const events = item!.inputs.find((i) => i.name === 'events')!;
    assert.equal(events.kind === 'files' && events.files.paths.length, 1);
    const merged = await modelDigest(warehouse(), 'dim_events');
    assert.equal(merged.rows, 180);
    assert.deepEqual(await fullRefreshDigest(), merged);
  });

  it('late updates to an old day replace the rows with the same key; new keys are added', async () => {
    await writeDay(2, 40, 'b'); // ids 200..229 updated (kind b), 230..239 new
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.tasks));
    assert.deepEqual(
      (await itemSpecs(p.root, r.runId, 'dim_events')).map((s) => s.slice?.values),
      [['2024-01-02']],
    );
    const merged = await modelDigest(warehouse(), 'dim_events');
    assert.equal(merged.rows, 190);
    assert.deepEqual(await fullRefreshDigest(), merged);
  });

  it('keeps rows whose key the rebuilt day no longer has (merge never deletes)', async () => {
    await writeDay(3, 10, 'c'); // ids 300..309 updated; 310..329 are not in the new data
    const r = await runProject(p.root, { workers: 2 });
    assert.equal(r.status, 'succeeded');
    assert.equal((await modelDigest(warehouse(), 'dim_events')).rows, 190);
    assert.equal((await fullRefreshDigest()).rows, 170, 'a full refresh drops them');
    assert.ok(readdirSync(warehouse()).includes('dim_events'));
  });
});
