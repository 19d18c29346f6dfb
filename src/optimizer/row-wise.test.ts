import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryConnection } from '../../test/helpers/memory-duckdb.js';
import { isRowWise } from './row-wise.js';

describe('isRowWise: may an input be divided among work items?', () => {
  const db = memoryConnection();

  it('yes for projections, filters and joins that keep each row of the input on its own', async () => {
    for (const sql of [
      'select * from orders',
      'select o.id, o.day, c.city, upper(c.name) as n from orders o join customers c using (cid) where o.amount > 3',
      'select o.*, c.city from orders o left join customers c on o.cid = c.id order by o.id',
      'select o.id, coalesce(o.x, 0) from customers c right join orders o on o.cid = c.id',
    ])
      assert.equal(await isRowWise(db(), sql, 'orders'), true, sql);
  });

  it('no for anything that combines rows or could duplicate them', async () => {
    for (const sql of [
      'select day, count(*) from orders group by day',
      'select cid from orders group by cid',
      'select cid, day from orders group by all',
      'select sum(amount) from orders',
      'select distinct cid from orders',
      'select * from orders limit 10',
      'select id, row_number() over (partition by day order by id) from orders',
      'select * from orders where id in (select id from orders where amount > 1)',
      'with x as (select * from orders) select * from x',
      'select * from orders union all select * from orders',
      'select * from customers c left join orders o on o.cid = c.id',
      'select * from orders a join orders b using (id)',
      'select * from orders o asof join prices p on o.ts >= p.ts',
      'select * from customers',
    ])
      assert.equal(await isRowWise(db(), sql, 'orders'), false, sql);
  });
});
