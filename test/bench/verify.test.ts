import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checksumFolders, compareChecksums } from '../../bench/verify.js';

// The bench reports a contender whose output differs from sluice's as WRONG, never as fast:
// these tests pin down that the checksum sees real differences and ignores mere layout.
describe('bench verification (checksums of contender outputs)', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const models = [
    { name: 'fct', partitioned: true },
    { name: 'rpt', partitioned: false },
  ];

  /** Writes `fct` (hive-partitioned by day) and `rpt` (one file) for a contender under `dir/<who>`. */
  async function write(who: string, fctSql: string, rptSql: string): Promise<string> {
    const out = join(dir, who);
    mkdirSync(join(out, 'rpt'), { recursive: true });
    await conn.run(`COPY (${fctSql}) TO '${join(out, 'fct')}' (FORMAT parquet, PARTITION_BY (day))`);
    await conn.run(`COPY (${rptSql}) TO '${join(out, 'rpt', 'part-0.parquet')}' (FORMAT parquet)`);
    return out;
  }

  const fct = `SELECT i AS id, DATE '2024-01-01' + (i % 3)::INTEGER AS day, (i * 1.25)::DECIMAL(10, 2) AS amount, 'c' || (i % 5) AS city FROM range(200) t(i)`;
  const rpt = `SELECT city, count(*) AS n, sum(i * 1.25)::DOUBLE AS revenue FROM range(200) t(i), (SELECT 'c' || (i % 5) AS city) GROUP BY city`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-bench-verify-'));
    instance = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    conn = await instance.connect();
  });
  after(() => {
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the same data in another row order, column order, file layout and numeric type', async () => {
    const reference = await checksumFolders(conn, await write('reference', fct, rpt), models);
    const same = await checksumFolders(
      conn,
      await write(
        'same',
        // Shuffled rows, columns reordered, DECIMAL as DOUBLE, BIGINT as INTEGER.
        `SELECT city, amount::DOUBLE AS amount, day, id::INTEGER AS id FROM (${fct}) ORDER BY hash(id)`,
        `SELECT revenue, n::INTEGER AS n, city FROM (${rpt}) ORDER BY city DESC`,
      ),
      models,
    );
    assert.equal(reference.fct!.rows, 200);
    assert.deepEqual(reference.fct!.columns, ['amount', 'city', 'day', 'id']);
    const verdict = compareChecksums(reference, same, ['fct', 'rpt']);
    assert.deepEqual(verdict, { ok: true, problems: [] });
  });

  it('flags a contender with one changed value as wrong, naming the model', async () => {
    const reference = await checksumFolders(conn, await write('reference2', fct, rpt), models);
    const changed = await checksumFolders(
      conn,
      await write(
        'changed',
        `SELECT id, day, CASE WHEN id = 17 THEN amount + 0.01 ELSE amount END AS amount, city FROM (${fct})`,
        rpt,
      ),
      models,
    );
    const verdict = compareChecksums(reference, changed, ['fct', 'rpt']);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.problems.length, 1);
    assert.match(verdict.problems[0]!, /^fct: same 200 rows, different data/);
  });

  it('flags a wrong partition value, a missing row, a renamed column and a missing model', async () => {
    const reference = await checksumFolders(conn, await write('reference3', fct, rpt), models);
    const movedDay = await checksumFolders(
      conn,
      await write(
        'moved',
        `SELECT id, CASE WHEN id = 5 THEN day + 1 ELSE day END AS day, amount, city FROM (${fct})`,
        rpt,
      ),
      models,
    );
    assert.match(compareChecksums(reference, movedDay, ['fct']).problems[0]!, /^fct: same 200 rows, different data/);

    const fewer = await checksumFolders(
      conn,
      await write('fewer', fct, `SELECT * FROM (${rpt}) WHERE city <> 'c3'`),
      models,
    );
    assert.deepEqual(compareChecksums(reference, fewer, ['rpt']).problems, ['rpt: 4 rows instead of 5']);

    const renamed = await checksumFolders(
      conn,
      await write('renamed', fct, `SELECT city, n AS cnt, revenue FROM (${rpt})`),
      models,
    );
    assert.match(compareChecksums(reference, renamed, ['rpt']).problems[0]!, /^rpt: columns differ/);

    const missing = await checksumFolders(conn, join(dir, 'nothing-here'), models);
    assert.deepEqual(compareChecksums(reference, missing, ['fct', 'rpt']).problems, [
      'fct: no output',
      'rpt: no output',
    ]);
  });
});
