import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { errorMessage, failureKindOf, SluiceError } from '../core/errors.js';
import { duckDbErrorCode } from './duckdb-errors.js';

/** Real DuckDB errors, classified: what fails again on retry is `code`, the rest `infra`. */
describe('duckDbErrorCode and the retry table, on real DuckDB errors', () => {
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  before(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
  });
  after(() => {
    conn.closeSync();
    db.closeSync();
  });

  async function classify(sql: string): Promise<[string, string]> {
    try {
      await conn.run(sql);
    } catch (err) {
      const code = duckDbErrorCode(errorMessage(err));
      return [code, failureKindOf(new SluiceError(code, errorMessage(err)))];
    }
    throw new Error(`expected ${sql} to fail`);
  }

  it('SQL, binder and parser errors are code errors (EXEC_SQL): never retried', async () => {
    assert.deepEqual(await classify('select nope'), ['EXEC_SQL', 'code']);
    assert.deepEqual(await classify('selec 1'), ['EXEC_SQL', 'code']);
    assert.deepEqual(await classify('select * from no_such_table'), ['EXEC_SQL', 'code']);
  });

  it('casts, conversions and invalid input are data errors (EXEC_DATA): never retried', async () => {
    assert.deepEqual(await classify("select 'x'::int"), ['EXEC_DATA', 'code']);
    assert.deepEqual(await classify("select 'a'::date"), ['EXEC_DATA', 'code']);
    assert.deepEqual(await classify('select 300::tinyint'), ['EXEC_DATA', 'code']);
    assert.deepEqual(await classify("select error('boom')"), ['EXEC_DATA', 'code']);
  });

  it('I/O errors are infrastructure (STORAGE_IO): retried', async () => {
    assert.deepEqual(await classify("select * from read_parquet('/nonexistent/x.parquet')"), ['STORAGE_IO', 'infra']);
  });

  it('out of memory and interrupts are infrastructure; errors without a code are retried', () => {
    assert.equal(duckDbErrorCode('Out of Memory Error: failed to allocate data of size 1.0 GiB'), 'EXEC_RESOURCE');
    assert.equal(failureKindOf(new SluiceError('EXEC_RESOURCE', 'x')), 'infra');
    assert.equal(duckDbErrorCode('INTERRUPT Error: Interrupted!'), 'EXEC_INTERRUPTED');
    assert.equal(failureKindOf(new SluiceError('EXEC_INTERRUPTED', 'x')), 'infra');
    assert.equal(failureKindOf(new TypeError('socket hang up')), 'infra');
  });
});
