import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkGraph, findCycles, type GraphModel } from './graph-check.js';

const m = (name: string, ...refs: [string, number][]): GraphModel => ({
  name,
  file: `models/${name}.sql`,
  refs: refs.map(([n, line]) => ({ name: n, line })),
});

describe('checkGraph', () => {
  it('accepts references to models and sources', () => {
    assert.deepEqual(checkGraph([m('a', ['src', 5]), m('b', ['a', 6], ['src', 7])], ['src']), []);
  });

  it('reports an unknown table at its line with the closest name', () => {
    const [p, ...rest] = checkGraph(
      [m('dim_pharmacies', ['src', 5]), m('b', ['dim_pharmacie', 9], ['zzz_unrelated', 10])],
      ['src'],
    );
    assert.equal(p?.code, 'CONFIG_UNKNOWN_TABLE');
    assert.equal(p?.file, 'models/b.sql');
    assert.equal(p?.line, 9);
    assert.equal(p?.message, "unknown table 'dim_pharmacie' (not a model or source); did you mean 'dim_pharmacies'?");
    assert.equal(rest[0]?.message, "unknown table 'zzz_unrelated' (not a model or source)");
  });

  it('reports a model that reads itself', () => {
    const problems = checkGraph([m('a', ['a', 7])], []);
    assert.deepEqual(
      problems.map((p) => [p.code, p.line]),
      [['CONFIG_SELF_REFERENCE', 7]],
    );
  });

  it('reports one problem per cycle naming the whole path at the first reference', () => {
    const problems = checkGraph(
      [m('c', ['a', 3]), m('a', ['x', 4], ['b', 5]), m('b', ['c', 6]), m('x'), m('p', ['q', 8]), m('q', ['p', 9])],
      [],
    );
    assert.deepEqual(
      problems.map((p) => [p.file, p.line, p.message]),
      [
        ['models/a.sql', 5, 'dependency cycle: a -> b -> c -> a'],
        ['models/p.sql', 8, 'dependency cycle: p -> q -> p'],
      ],
    );
  });
});

describe('findCycles', () => {
  it('finds no cycle in a long chain without overflowing the stack', () => {
    const models = Array.from({ length: 20000 }, (_, i) =>
      m(`m${i}`, ...(i > 0 ? [[`m${i - 1}`, 1] as [string, number]] : [])),
    );
    assert.deepEqual(findCycles(models), []);
    models[0] = m('m0', ['m19999', 1]);
    const [cycle] = findCycles(models);
    assert.equal(cycle?.length, 20001);
    assert.equal(cycle?.[0], 'm0');
  });
});
