import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRefusedTableFunction } from './sql-file-reads.js';
import { extractTableRefs } from './sql-refs.js';

async function readsOf(sql: string): Promise<{ what: string; offset: number }[]> {
  const [r] = await extractTableRefs([sql]);
  assert.ok(r?.ok, `expected ${sql} to parse: ${JSON.stringify(r)}`);
  return [...r.fileReads];
}

describe('file reads in model SQL', () => {
  it('finds file-reading table functions and path replacement scans, with offsets', async () => {
    const sql = `with x as (select * from read_csv('/etc/passwd'))
      select * from x, glob('/root/**') g, 'data/file.csv', orders
      where exists (select 1 from main.read_text('a')) and 1 in (select 1 from query('select 1'))`;
    const reads = await readsOf(sql);
    assert.deepEqual(
      reads.map((r) => r.what),
      ['read_csv(...)', 'glob(...)', "'data/file.csv'", 'read_text(...)', 'query(...)'],
    );
    assert.equal(reads[0]!.offset, sql.indexOf('read_csv'));
    assert.equal(reads[2]!.offset, sql.indexOf("'data/file.csv'"));
  });

  it('leaves tables, CTEs and harmless table functions alone', async () => {
    assert.deepEqual(
      await readsOf('with a as (select 1) select * from a, orders, range(3), unnest([1, 2]), generate_series(1, 2)'),
      [],
    );
  });

  it('refuses every reader family by name, whatever the case', () => {
    for (const name of [
      'READ_CSV',
      'read_csv_auto',
      'read_json_objects',
      'read_ndjson_auto',
      'read_blob',
      'read_duckdb',
      'parquet_scan',
      'parquet_metadata',
      'sniff_csv',
      'query_table',
      'iceberg_scan',
      'glob',
    ]) {
      assert.ok(isRefusedTableFunction(name), name);
    }
    for (const name of ['range', 'unnest', 'generate_series', 'json_each'])
      assert.ok(!isRefusedTableFunction(name), name);
  });
});
