import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryConnection } from '../../test/helpers/memory-duckdb.js';
import { chooseJoin, shuffleMapSql, type SizedInput } from './join-strategy.js';
import type { ColumnDef } from '../protocol/column-def.js';

const KB = 1000;
const input = (name: string, bytes: number, files: number, columns: ColumnDef[] = []): SizedInput => ({
  name,
  bytes,
  files,
  columns: async () => columns,
});
const ORDERS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'cid', type: 'INTEGER' },
];
const PAYMENTS = [
  { name: 'pid', type: 'BIGINT' },
  { name: 'order_id', type: 'INTEGER' },
  { name: 'amount', type: 'DOUBLE' },
];
const JOIN = 'select o.id, p.amount from orders o join payments p on o.id = p.order_id';
const OPTS = { thresholdBytes: 100 * KB, targetItemBytes: 100 * KB, maxItems: 64 };

describe('chooseJoin: the layout of a model without split_by, from input sizes', () => {
  const db = memoryConnection();

  it('one item while every input is at most the threshold, or when it is 0', async () => {
    const small = [input('orders', 90 * KB, 3, ORDERS), input('payments', 100 * KB, 3, PAYMENTS)];
    const a = await chooseJoin(db(), JOIN, small, OPTS);
    assert.deepEqual([a.strategy, a.large], ['single', []]);
    assert.match(a.reason, /every input is at most broadcast_threshold/);
    const off = await chooseJoin(
      db(),
      JOIN,
      [input('orders', 900 * KB, 9, ORDERS), input('payments', 900 * KB, 9, PAYMENTS)],
      { ...OPTS, thresholdBytes: 0 },
    );
    assert.deepEqual([off.strategy, off.reason], ['single', 'broadcast_threshold is 0: one item']);
  });

  it('one large input: divided among items when the model is row-wise in it, else one item saying why', async () => {
    const sql = 'select o.*, c.city from orders o join customers c using (cid)';
    const b = await chooseJoin(db(), sql, [input('orders', 450 * KB, 8, ORDERS), input('customers', 2 * KB, 1)], OPTS);
    assert.deepEqual([b.strategy, b.large, b.buckets], ['broadcast', ['orders'], 5], 'ceil(450 / 100) items');
    assert.deepEqual(
      (await chooseJoin(db(), sql, [input('orders', 450 * KB, 3, ORDERS), input('customers', 2 * KB, 1)], OPTS))
        .buckets,
      3,
      'no more items than files',
    );
    assert.deepEqual(
      (
        await chooseJoin(db(), sql, [input('orders', 450 * KB, 8, ORDERS), input('customers', 2 * KB, 1)], {
          ...OPTS,
          maxItems: 2,
        })
      ).buckets,
      2,
      'no more than max_items_per_task',
    );
    const oneFile = await chooseJoin(
      db(),
      sql,
      [input('orders', 450 * KB, 1, ORDERS), input('customers', 2 * KB, 1)],
      OPTS,
    );
    assert.deepEqual([oneFile.strategy, oneFile.large], ['single', ['orders']]);
    assert.match(oneFile.reason, /is one file/);
    const agg = await chooseJoin(
      db(),
      'select c.city, count(*) from orders o join customers c using (cid) group by c.city',
      [input('orders', 450 * KB, 8, ORDERS), input('customers', 2 * KB, 1)],
      OPTS,
    );
    assert.equal(agg.strategy, 'single');
    assert.match(agg.reason, /not row-wise/);
  });

  it('several large inputs: a shuffle by the join key, its buckets from their bytes; else one item and why', async () => {
    const s = await chooseJoin(
      db(),
      JOIN,
      [input('orders', 300 * KB, 3, ORDERS), input('payments', 950 * KB, 7, PAYMENTS)],
      OPTS,
    );
    assert.deepEqual(
      [s.strategy, s.keys, s.buckets, s.keyType],
      ['shuffle', { orders: 'id', payments: 'order_id' }, 13, 'BIGINT'],
    );
    assert.match(s.reason, /shuffled by orders\.id = payments\.order_id into 13 buckets/);
    assert.equal(
      (
        await chooseJoin(db(), JOIN, [input('orders', 300 * KB, 3, ORDERS), input('payments', 950 * KB, 7, PAYMENTS)], {
          ...OPTS,
          maxItems: 4,
        })
      ).buckets,
      4,
    );
    const mixed = await chooseJoin(
      db(),
      JOIN,
      [input('orders', 300 * KB, 3, [{ name: 'id', type: 'VARCHAR' }]), input('payments', 950 * KB, 7, PAYMENTS)],
      OPTS,
    );
    assert.equal(mixed.strategy, 'single');
    assert.match(mixed.reason, /hash differently \(orders\.id VARCHAR, payments\.order_id INTEGER\)/);
    const notKeyed = await chooseJoin(
      db(),
      'select o.cid, sum(p.amount) from orders o join payments p on o.id = p.order_id group by o.cid',
      [input('orders', 300 * KB, 3, ORDERS), input('payments', 950 * KB, 7, PAYMENTS)],
      OPTS,
    );
    assert.equal(notKeyed.strategy, 'single');
    assert.match(notKeyed.reason, /cannot be shuffled: it aggregates/);
  });

  it('the map query puts equal keys of different integer types in the same bucket', async () => {
    await db().run('CREATE TABLE orders AS SELECT i::BIGINT AS id FROM range(2000) t(i)');
    await db().run('CREATE TABLE payments AS SELECT (i % 2500)::INTEGER AS order_id FROM range(5000) t(i)');
    const reader = await db().runAndReadAll(`
      WITH a AS (${shuffleMapSql('orders', 'id', 'BIGINT', 7)}), b AS (${shuffleMapSql('payments', 'order_id', 'BIGINT', 7)})
      SELECT count(*) FILTER (WHERE a.__sluice_bucket <> b.__sluice_bucket), count(*), count(DISTINCT a.__sluice_bucket), min(a.__sluice_bucket), max(a.__sluice_bucket)
      FROM a JOIN b ON a.id = b.order_id`);
    assert.deepEqual(reader.getRows()[0]!.map(Number), [0, 4000, 7, 0, 6]);
  });
});
