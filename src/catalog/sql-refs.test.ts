import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractTableRefs, type RefResult } from './sql-refs.js';

async function refsOf(sql: string): Promise<string[]> {
  const [r] = await extractTableRefs([sql]);
  assert.ok(r?.ok, `expected ${sql} to parse: ${JSON.stringify(r)}`);
  return r.refs.map((x) => x.name);
}

async function failure(sql: string): Promise<Extract<RefResult, { ok: false }>> {
  const [r] = await extractTableRefs([sql]);
  assert.ok(r && !r.ok, `expected ${sql} to fail`);
  return r;
}

describe('extractTableRefs', () => {
  it('returns joined tables in order with their offsets', async () => {
    const sql = 'select * from orders o join dim_pharmacies p using (pharmacy_id)';
    const [r] = await extractTableRefs([sql]);
    assert.ok(r?.ok);
    assert.deepEqual(r.refs, [
      { name: 'orders', offset: sql.indexOf('orders') },
      { name: 'dim_pharmacies', offset: sql.indexOf('dim_pharmacies') },
    ]);
  });

  it('does not count CTE names or table functions as references', async () => {
    const sql = `with recent as (select * from orders), totals as (select * from recent)
      select * from totals, read_parquet('x/*.parquet'), range(10) r, 'data/file.csv'`;
    assert.deepEqual(await refsOf(sql), ['orders']);
  });

  it('a CTE named like a table reads the table inside its own body', async () => {
    assert.deepEqual(await refsOf('with orders as (select * from orders where amount > 0) select * from orders'), [
      'orders',
    ]);
  });

  it('a CTE is not visible to CTEs declared before it', async () => {
    assert.deepEqual(await refsOf('with a as (select * from b), b as (select 1) select * from a, b'), ['b']);
  });

  it('a recursive CTE may read itself', async () => {
    assert.deepEqual(
      await refsOf('with recursive r as (select 1 n union all select n + 1 from r where n < 3) select * from r'),
      [],
    );
  });

  it('CTEs inside a subquery do not hide the same name outside it', async () => {
    assert.deepEqual(await refsOf('select * from (with c as (select 1) select * from c) s, c'), ['c']);
  });

  it('finds tables in UNION branches and subqueries in WHERE, SELECT and HAVING', async () => {
    const sql = `select (select max(a) from t_select) from t_from
      where id in (select id from t_where) and exists (select 1 from t_exists)
      group by all having count(*) > (select count(*) from t_having)
      union all select * from t_union`;
    assert.deepEqual((await refsOf(sql)).sort(), ['t_exists', 't_from', 't_having', 't_select', 't_union', 't_where']);
  });

  it('normalizes names to lowercase and keeps non-main schemas', async () => {
    assert.deepEqual(await refsOf('select * from "Orders", MAIN.Customers, ext.Things'), [
      'orders',
      'customers',
      'ext.things',
    ]);
  });

  it('reports offsets as JavaScript string indexes even after multi-byte characters', async () => {
    const sql = "select '😀é' as x from\n  orders";
    const [r] = await extractTableRefs([sql]);
    assert.ok(r?.ok);
    assert.equal(r.refs[0]?.offset, sql.indexOf('orders'));
    const bad = await failure("select '😀é' as x frm t");
    assert.equal(bad.reason, 'syntax');
    assert.match(bad.message, /"frm"/);
    assert.equal(bad.offset, "select '😀é' as x frm t".indexOf('frm'));
  });

  it('reports syntax errors with DuckDB message and offset', async () => {
    const sql = 'select a,\n  b\nfrm t';
    const r = await failure(sql);
    assert.equal(r.reason, 'syntax');
    assert.match(r.message, /syntax error at or near "t"/);
    assert.equal(r.offset, sql.lastIndexOf('t'));
  });

  it('rejects several statements, pointing at the second one', async () => {
    const sql = "select ';' as x;\n-- next\nselect 2";
    const r = await failure(sql);
    assert.equal(r.reason, 'multiple_statements');
    assert.equal(r.offset, sql.indexOf('select 2'));
    const mixed = await failure('select 1; insert into t values (1)');
    assert.equal(mixed.reason, 'multiple_statements');
  });

  it('rejects statements that are not SELECTs', async () => {
    const r = await failure('insert into t values (1)');
    assert.equal(r.reason, 'not_select');
    assert.match(r.message, /INSERT/);
    assert.equal((await failure('create table x as select 1')).reason, 'not_select');
  });

  it('rejects bodies with only comments', async () => {
    assert.equal((await failure('-- nothing here')).reason, 'empty');
  });

  it('parses 2,000 models in one call, each result matching its own SQL', async () => {
    const sqls = Array.from({ length: 2000 }, (_, i) =>
      i % 500 === 7
        ? `selec broken_${i}`
        : `with c as (select * from m_${i + 1}) select * from m_${i} join c using (k) where x in (select x from s_${i % 3})`,
    );
    const results = await extractTableRefs(sqls);
    assert.equal(results.length, 2000);
    results.forEach((r, i) => {
      if (i % 500 === 7) {
        assert.equal(r.ok, false, `model ${i}`);
        return;
      }
      assert.ok(r.ok, `model ${i}`);
      assert.deepEqual(
        r.refs.map((x) => x.name),
        [`m_${i + 1}`, `m_${i}`, `s_${i % 3}`],
      );
    });
  });

  it('returns nothing for no input', async () => {
    assert.deepEqual(await extractTableRefs([]), []);
  });
});
