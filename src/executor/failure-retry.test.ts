import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULTS } from '../catalog/defaults.js';
import { errorMessage, failureKindOf, SluiceError } from '../core/errors.js';
import { duckDbErrorCode } from '../engine/duckdb-errors.js';
import { SqliteMetadataStore } from '../store/sqlite/sqlite-metadata-store.js';

const GB = 1024 ** 3;
const retries = DEFAULTS.execution.retries;
const POLICY = { maxCodeAttempts: retries.code, maxInfraAttempts: retries.infra, backoffMs: 0, maxBackoffMs: 0 };

/** The error a real DuckDB gives for `sql`, coded as the engine codes it. */
async function duckDbError(sql: string): Promise<SluiceError> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(sql);
  } catch (err) {
    return new SluiceError(duckDbErrorCode(errorMessage(err)), errorMessage(err), { cause: err });
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  throw new SluiceError('EXEC_FAILED', `expected ${sql} to fail`);
}

/** One work item failing with `err` as the worker reports it; the store's attempts and state after. */
async function failOnce(err: unknown): Promise<{ outcome: string; attempts: number; state: string }> {
  const store = new SqliteMetadataStore(':memory:');
  await store.migrate();
  try {
    await store.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 0 }, [
      { model: 'm', group: 'g', concurrency: 1 },
    ]);
    await store.enqueueItems(
      'r',
      'm',
      [{ itemNo: 0, queue: 'default', priority: 0, cpus: 1, memoryBytes: GB, spec: '{}' }],
      POLICY,
      0,
    );
    const lease = (await store.claimItem({
      workerId: 'w',
      cpus: 1,
      memoryBytes: GB,
      now: 1,
      leaseMs: 60_000,
      liveSince: 0,
    }))!;
    const outcome = await store.failItem(lease.item.id, lease.attempt, failureKindOf(err), errorMessage(err), 2);
    const [item] = await store.listItems('r', 'm');
    return { outcome, attempts: item!.attempt, state: item!.state };
  } finally {
    await store.close();
  }
}

describe('what is retried, with the default retries and the real SQLite queue', () => {
  it('a cast error fails after exactly 1 attempt', async () => {
    assert.deepEqual(await failOnce(await duckDbError("select 'x'::int")), {
      outcome: 'dead',
      attempts: 1,
      state: 'dead',
    });
  });

  it('a SQL error in the model fails after exactly 1 attempt', async () => {
    assert.deepEqual(await failOnce(await duckDbError('select nope from range(3)')), {
      outcome: 'dead',
      attempts: 1,
      state: 'dead',
    });
  });

  it('an I/O failure is retried', async () => {
    const io = await duckDbError("select * from read_parquet('/nonexistent/x.parquet')");
    assert.equal(io.code, 'STORAGE_IO');
    assert.deepEqual(await failOnce(io), { outcome: 'retry', attempts: 1, state: 'pending' });
    assert.equal((await failOnce(new SluiceError('STORE_UNAVAILABLE', 'connection reset'))).outcome, 'retry');
    assert.equal((await failOnce(new Error('an error without a code'))).outcome, 'retry');
  });
});
