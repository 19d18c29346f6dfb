import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../src/engine/duckdb-engine.js';
import type { ModelRun } from '../../src/engine/engine.js';
import type { RunnableModel } from '../../src/protocol/runnable-model.js';
import { resolveEngineSettings } from '../../src/engine/engine-settings.js';
import { executeItem } from '../../src/executor/execute-item.js';
import { ITEM_SPEC_VERSION, type ItemSpec } from '../../src/protocol/item-spec.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import { runCli } from '../helpers/run-cli.js';
import { model, writeProject } from '../helpers/temp-project.js';

function settingsIn(tempDirectory: string, memoryLimit = '256MB'): ReturnType<typeof resolveEngineSettings> {
  return resolveEngineSettings({ threads: 1, memoryLimit, tempDirectory, shareOf: 1 });
}

function testModel(sql: string, extra: Partial<RunnableModel> = {}): RunnableModel {
  const location = { file: 'models/m.sql', line: 1 };
  return { name: 'm', file: 'models/m.sql', sql, sqlLine: 5, partitionBy: [], location, ...extra };
}

/**
 * The sandbox itself (docs/adr/0014-sandbox.md), bypassing validate: SQL handed straight to a
 * worker's engine may read its inputs and write its staging folder, nothing else.
 */
describe('sandboxed DuckDB (run time, validate bypassed)', () => {
  let dir: string;
  let engine: DuckDbEngine;
  let inputs: string;
  let other: string;
  let n = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-sandbox-'));
    inputs = join(dir, 'inputs');
    other = join(dir, 'other-project', 'warehouse');
    mkdirSync(inputs, { recursive: true });
    mkdirSync(other, { recursive: true });
    writeFileSync(join(inputs, 'a.csv'), 'x\n1\n2\n');
    writeFileSync(join(other, 'secret.csv'), 'secret\n42\n');
    engine = await DuckDbEngine.create(settingsIn(join(dir, 'tmp')), 'per-run');
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function run(sql: string, reads = [join(inputs, 'a.csv')]): Promise<unknown> {
    const model = testModel(sql);
    const input = { name: 'a', query: `SELECT * FROM read_csv('${join(inputs, 'a.csv')}')` };
    const r: ModelRun = { model, inputs: [input], outputDir: join(dir, 'staging', `s${n++}`, 'out'), reads };
    return engine.runModel(r);
  }

  const DENIED = /models\/m\.sql:\d+: \[model m\] .*(Permission Error|disabled by configuration|locked)/;

  it('reads its declared input', async () => {
    const out = (await run('select sum(x) as s from a')) as { rows: number };
    assert.equal(out.rows, 1);
  });

  it('refuses /etc/passwd, as a table function and as a replacement scan', async () => {
    await assert.rejects(run("select * from read_csv('/etc/passwd', header = false)"), DENIED);
    await assert.rejects(run("select * from read_text('/etc/passwd')"), DENIED);
    await assert.rejects(run("select * from '/etc/passwd'"), /models\/m\.sql:\d+: \[model m\] /);
  });

  it('refuses globbing outside its inputs', async () => {
    await assert.rejects(run("select * from glob('/root/**')"), DENIED);
    await assert.rejects(run(`select * from glob('${dir}/**')`), DENIED);
  });

  it("refuses another project's warehouse, also through ..", async () => {
    await assert.rejects(run(`select * from read_csv('${join(other, 'secret.csv')}')`), DENIED);
    await assert.rejects(run(`select * from read_csv('${inputs}/../other-project/warehouse/secret.csv')`), DENIED);
  });

  it('cannot write outside its staging folder', async () => {
    const target = join(dir, 'leak.csv');
    await assert.rejects(run(`select * from a, (select 1 from (copy (select 1) to '${target}'))`), /\[model m\]/);
    assert.equal(existsSync(target), false);
  });

  it('cannot SET the sandbox off or attach a database', async () => {
    await assert.rejects(run("select current_setting('x') from a; set enable_external_access = true"), /\[model m\]/);
    const model = testModel('select 1');
    const sets = ['SET enable_external_access = true', 'SET lock_configuration = false'];
    sets.push("SET allowed_directories = ['/']");
    for (const statement of [...sets, 'RESET lock_configuration']) {
      // The input relation is run as a statement of its own: the way to smuggle a SET in.
      const outputDir = join(dir, 'staging', `s${n++}`, 'out');
      const r: ModelRun = { model, inputs: [{ name: 'a', query: statement }], outputDir, reads: [] };
      await assert.rejects(engine.runModel(r), /locked|Parser Error|syntax/i, statement);
    }
  });

  it('the coordinator engine refuses outside its project', async () => {
    const coordinator = await DuckDbEngine.create(settingsIn(join(dir, 'tmp2')), { directories: [inputs], files: [] });
    const conn = await coordinator.connect();
    try {
      const count = await conn.runAndReadAll(`select count(*) from read_csv('${join(inputs, 'a.csv')}')`);
      assert.equal(count.getRows()[0]![0], 2n);
      await assert.rejects(conn.run("select * from read_csv('/etc/passwd')"), /disabled by configuration/);
      await assert.rejects(conn.run('SET enable_external_access = true'), /locked/);
    } finally {
      conn.closeSync();
      await coordinator.close();
    }
  });
});

describe("DuckDB's own needs under the sandbox", () => {
  let dir: string;
  let objects: LocalObjectStore;
  let engine: DuckDbEngine;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-sandbox-needs-'));
    objects = new LocalObjectStore(join(dir, 'warehouse'), { durable: false });
    const settings = settingsIn(join(dir, 'tmp'), '64MB');
    engine = await DuckDbEngine.create(settings, 'per-run');
    // A hive-partitioned Parquet source, written by an unsandboxed DuckDB.
    const setup = await DuckDbEngine.create(settings, { directories: [dir], files: [] });
    const conn = await setup.connect();
    const rows = "select i % 4 as k, i as v, repeat('x', 200) as pad from range(300000) t(i)";
    await conn.run(`copy (${rows}) to '${join(dir, 'src')}' (format parquet, partition_by (k))`);
    conn.closeSync();
    await setup.close();
  });
  after(async () => {
    await engine.close();
    await objects.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function spec(sql: string, timeoutMs?: number): ItemSpec {
    const model = testModel(sql, { partitionBy: ['k'], ...(timeoutMs !== undefined && { timeoutMs }) });
    const files = { format: 'parquet' as const, paths: [join(dir, 'src', '**', '*.parquet')], hivePartitioning: true };
    return { v: ITEM_SPEC_VERSION, model, snapshot: 1, inputs: [{ name: 'src', kind: 'files', files }], slice: null };
  }

  it('reads hive folders and Parquet metadata, sorts under a 64MB limit, COPYs PARTITION_BY into staging', async () => {
    // 300,000 rows of 230-byte strings (about 70MB) sorted under a 64MB limit.
    const sql = 'select k, v, pad || md5(v::varchar) as pad from src order by md5(v::varchar)';
    const out = await executeItem(objects, engine, spec(sql), 't1', undefined, 'w', () => undefined);
    assert.equal(out.rows, 300_000);
    assert.deepEqual([...new Set(out.files.map((f) => f.key.split('/')[1]))].sort(), ['k=0', 'k=1', 'k=2', 'k=3']);
  });

  it('a model past its timeout is interrupted and fails saying so', async () => {
    const slow = 'select 1 as k, sum(a.range * b.range) as s from range(1000000) a, range(1000000) b';
    const started = Date.now();
    await assert.rejects(executeItem(objects, engine, spec(slow, 300), 't2'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'EXEC_TIMEOUT');
      assert.match(err.message, /^models\/m\.sql:1: \[model m\] timed out after 300ms/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'interrupted, not run to the end');
  });
});

describe('paths.allowed_roots', () => {
  it('lets a source outside the project in: validate and run read it, sandboxed', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
    writeFileSync(join(lake, 'cities.csv'), 'city,size\nLyon,2\nNice,1\n');
    const sources = `sources:\n  cities:\n    format: csv\n    path: ${join(lake, 'cities.csv')}\n`;
    const files = {
      'sources/lake.yml': sources,
      'models/big_cities.sql': model({ type: 'report', business_unit: 'x' }, 'select city from cities where size > 1'),
    };
    const refused = writeProject({ 'sluice.yaml': 'name: lake\n', ...files });
    const allowed = writeProject({ 'sluice.yaml': `name: lake\npaths:\n  allowed_roots: [${lake}]\n`, ...files });
    try {
      const before = await runCli(['validate', '-p', refused.root]);
      assert.equal(before.code, 2);
      assert.match(before.stderr, new RegExp(`sources/lake\\.yml:2: .*allowed_roots: \\[${lake}\\]`));
      const run = await runCli(['run', '-p', allowed.root, '--workers', '1']);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /big_cities .*1 rows/);
    } finally {
      refused.cleanup();
      allowed.cleanup();
      rmSync(lake, { recursive: true, force: true });
    }
  });
});
