import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryConnection } from '../../test/helpers/memory-duckdb.js';
import { shuffleKeys } from './shuffle-keys.js';

const COLUMNS = new Map<string, readonly string[]>([
  ['orders', ['id', 'cid', 'day', 'amount']],
  ['payments', ['pid', 'order_id', 'amount', 'day']],
  ['returns', ['order_id', 'reason']],
  ['customers', ['cid', 'city']],
]);

describe('shuffleKeys: may large inputs be hash-partitioned by a join key?', () => {
  const db = memoryConnection();
  const keys = async (sql: string, large = ['orders', 'payments']): Promise<Record<string, string> | string> => {
    const r = await shuffleKeys(db(), sql, COLUMNS, large);
    return 'keys' in r ? Object.fromEntries(r.keys) : r.reason;
  };
  /** Why not, or the keys found (as JSON: the assertion then fails showing them). */
  const reason = async (sql: string, large?: string[]) => {
    const r = await keys(sql, large);
    return typeof r === 'string' ? r : JSON.stringify(r);
  };

  it('finds the key of each large input in joins, USING, NATURAL and WHERE equalities', async () => {
    const both = { orders: 'id', payments: 'order_id' };
    assert.deepEqual(await keys('select o.id, p.amount from orders o join payments p on o.id = p.order_id'), both);
    assert.deepEqual(
      await keys('select * from orders o join payments p on p.order_id = o.id and p.amount > o.amount'),
      both,
    );
    assert.deepEqual(
      await keys(
        'select * from orders o left join payments p on o.id = p.order_id left join customers c on c.cid = o.cid',
      ),
      both,
    );
    assert.deepEqual(await keys('select * from orders o, payments p where o.id = p.order_id and o.day = p.day'), both);
    assert.deepEqual(
      await keys('select * from orders o left join payments p on o.day = p.day where o.id = p.order_id'),
      { orders: 'day', payments: 'day' },
      'the key the outer join meets on',
    );
    assert.deepEqual(
      await keys('select * from orders join payments on id = order_id'),
      both,
      "unqualified names resolve by the inputs' columns",
    );
    assert.deepEqual(await keys('select * from payments join returns using (order_id)', ['payments', 'returns']), {
      payments: 'order_id',
      returns: 'order_id',
    });
    assert.deepEqual(
      await keys(
        'select o.id, count(*), sum(p.amount) from orders o join payments p on o.id = p.order_id group by o.id',
      ),
      both,
    );
    assert.deepEqual(
      await keys(
        'select o.id, row_number() over (partition by o.id order by p.pid) from orders o join payments p on o.id = p.order_id',
      ),
      both,
    );
    assert.deepEqual(
      await keys(
        'select o.id, r.reason from orders o join payments p on o.id = p.order_id left join returns r on r.order_id = p.order_id',
        ['orders', 'payments', 'returns'],
      ),
      { orders: 'id', payments: 'order_id', returns: 'order_id' },
    );
  });

  it('refuses, with the reason, whatever could split a group, duplicate a row or lose a match', async () => {
    const cases: [string, RegExp][] = [
      ['select * from orders o join payments p on o.day = p.day or o.id = p.order_id', /no equality/],
      ['select * from orders o join payments p on o.amount > p.amount', /no equality/],
      ['select o.day, sum(p.amount) from orders o join payments p on o.id = p.order_id group by o.day', /aggregates/],
      ['select count(*) from orders o join payments p on o.id = p.order_id', /aggregates/],
      [
        'select p.order_id, count(*) from orders o left join payments p on o.id = p.order_id group by p.order_id',
        /never null-extended/,
      ],
      ['select o.id from orders o join payments p on o.id = p.order_id group by rollup (o.id)', /ROLLUP/],
      ['select sum(p.amount) over (partition by o.day) from orders o join payments p on o.id = p.order_id', /window/],
      ['select distinct o.id from orders o join payments p on o.id = p.order_id', /DISTINCT/],
      ['select * from orders o join payments p on o.id = p.order_id limit 5', /LIMIT/],
      ['with x as (select * from orders) select * from x join payments p on x.id = p.order_id', /WITH/],
      [
        'select * from orders o join payments p on o.id = p.order_id union all select * from orders o join payments p on o.id = p.order_id',
        /set operation/,
      ],
      [
        'select * from customers c left join orders o on o.cid = c.cid join payments p on o.id = p.order_id',
        /preserved side/,
      ],
      [
        'select * from orders o left join payments p on o.amount > p.amount where o.id = p.order_id',
        /not on their key/,
      ],
      ['select * from orders a join orders b on a.id = b.id join payments p on a.id = p.order_id', /twice/],
      ['select * from orders o join (select * from payments) p on o.id = p.order_id', /subquery/],
      [
        'select * from orders o join payments p on o.id = p.order_id where o.cid in (select cid from orders)',
        /subquery/,
      ],
      ['select * from orders o asof join payments p on o.id = p.order_id and o.day >= p.day', /asof/],
      ['select * from orders o', /does not read payments/],
      ['select * from orders o join payments p on o.id = p.order_id join payments q on o.id = q.order_id', /twice/],
      ['this is not sql', /could not be analysed/],
    ];
    for (const [sql, why] of cases) assert.match(await reason(sql), why, sql);
    const three = ['orders', 'payments', 'returns'];
    assert.match(
      await reason(
        'select * from orders o join payments p on o.id = p.order_id join returns r on r.order_id = o.cid',
        three,
      ),
      /no equality joins/,
    );
  });

  it('a subquery over a small input is fine: every bucket sees all of it', async () => {
    assert.deepEqual(
      await keys(
        "select * from orders o join payments p on o.id = p.order_id where o.cid in (select cid from customers where city = 'Oslo')",
      ),
      { orders: 'id', payments: 'order_id' },
    );
  });
});
