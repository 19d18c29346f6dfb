import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryConnection } from '../../test/helpers/memory-duckdb.js';
import { partitionFilters } from './partition-filters.js';
import { filesMatching } from './prune-files.js';

describe("partitionFilters: WHERE conjuncts on an input's partition columns", () => {
  const db = memoryConnection();
  const parts = new Map([
    ['orders', ['order_date']],
    ['events', ['day', 'kind']],
    ['customers', []],
  ]);
  const filters = async (sql: string) =>
    Object.fromEntries([...(await partitionFilters(db(), sql, parts))].map(([k, v]) => [k, v.sql]));

  it('keeps conjuncts that mention only partition columns, qualified or not', async () => {
    assert.deepEqual(await filters("select * from orders where order_date >= '2024-03-01' and amount > 3"), {
      orders: "(order_date >= '2024-03-01')",
    });
    assert.deepEqual(
      await filters(
        "select * from orders o join customers c using (customer_id) where o.order_date = '2024-03-01' and c.city = 'Lyon'",
      ),
      { orders: "(order_date = '2024-03-01')" },
    );
    assert.deepEqual(
      await filters("select * from events where day between '2024-01-01' and '2024-01-31' and kind in ('a', 'b')"),
      { events: `("day" BETWEEN '2024-01-01' AND '2024-01-31') AND (kind IN ('a', 'b'))` },
    );
  });

  it("keeps typed literals (DATE '…', TIMESTAMP '…'): casts of constants", async () => {
    assert.deepEqual(await filters("select * from orders where order_date >= DATE '2024-03-01'"), {
      orders: "(order_date >= CAST('2024-03-01' AS DATE))",
    });
    assert.deepEqual(await filters("select * from events where day < TIMESTAMP '2024-03-01 00:00:00' and kind = 'a'"), {
      events: "(\"day\" < CAST('2024-03-01 00:00:00' AS TIMESTAMP)) AND (kind = 'a')",
    });
  });

  it('finds filters in CTEs and subqueries, and ORs several references', async () => {
    assert.deepEqual(
      await filters("with x as (select * from orders where order_date = '2024-01-02') select * from x"),
      { orders: "(order_date = '2024-01-02')" },
    );
    assert.deepEqual(
      await filters(
        "select * from orders where order_date = '2024-01-02' union all select * from orders where order_date = '2024-01-05'",
      ),
      {
        orders: "((order_date = '2024-01-02')) OR ((order_date = '2024-01-05'))"
          .replaceAll('((', '(')
          .replaceAll('))', ')'),
      },
    );
  });

  it('prunes nothing it cannot prove safe', async () => {
    const none = async (sql: string) => assert.deepEqual(await filters(sql), {}, sql);
    await none('select * from orders'); // no filter
    await none("select * from orders where order_date = '2024-01-02' or amount > 3"); // mixes other columns
    await none("select * from orders union all select * from orders where order_date = '2024-01-05'"); // one reference unfiltered
    await none('select * from orders where order_date = (select max(order_date) from orders)'); // subquery
    await none('select * from orders where order_date >= current_date - 7'); // volatile
    await none('with orders as (select 1 as order_date) select * from orders where order_date = 1'); // a CTE, not the input
    await none("select * from customers c where c.city = 'x'"); // not partitioned
    await none("select * from orders o, customers c where c.order_date = '2024-01-01'"); // another table's column
  });

  it('under an outer join, uses only filters that reject NULLs', async () => {
    const f = await partitionFilters(
      db(),
      "select * from customers c left join orders o using (customer_id) where o.order_date is null or o.order_date = '2024-01-01'",
      parts,
    );
    assert.equal(f.get('orders')?.needsNullRejection, true);
    const cols = [{ name: 'order_date', type: 'DATE' }];
    const files = [
      { bytes: 1, partition: { order_date: '2024-01-01' } },
      { bytes: 1, partition: { order_date: '2024-01-02' } },
    ];
    assert.equal(
      await filesMatching(db(), files, cols, f.get('orders')!.sql, true),
      undefined,
      'IS NULL is TRUE for NULL: no pruning',
    );
    assert.deepEqual(await filesMatching(db(), files, cols, "order_date = '2024-01-01'", true), [files[0]]);
  });

  it("evaluates filters in the columns' types", async () => {
    const files = ['2024-01-09', '2024-01-10', '2024-02-01'].map((d) => ({ bytes: 1, partition: { d } }));
    assert.deepEqual(
      (await filesMatching(db(), files, [{ name: 'd', type: 'DATE' }], "d < DATE '2024-01-10' + 1"))!.map(
        (f) => f.partition.d,
      ),
      ['2024-01-09', '2024-01-10'],
    );
    const nums = ['9', '10', '100'].map((n) => ({ bytes: 1, partition: { n } }));
    assert.deepEqual(
      (await filesMatching(db(), nums, [{ name: 'n', type: 'BIGINT' }], 'n < 20'))!.map((f) => f.partition.n),
      ['9', '10'],
    );
    assert.equal(
      await filesMatching(db(), nums, [{ name: 'n', type: 'DATE' }], 'n < 20'),
      undefined,
      'a cast that fails: no pruning',
    );
  });
});
