import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { divideFiles, sizeItems } from './size-items.js';

const v = (value: string, bytes: number) => ({ value, bytes });

describe('sizeItems', () => {
  it('coalesces consecutive small values up to the target', () => {
    const s = sizeItems([v('a', 10), v('b', 10), v('c', 10), v('d', 25), v('e', 5)], {
      targetBytes: 30,
      maxItems: 64,
      maxParts: () => 1,
    });
    assert.deepEqual(
      s.items.map((i) => i.values),
      [
        ['a', 'b', 'c'],
        ['d', 'e'],
      ],
    );
    assert.equal(s.coalesced, 5);
  });

  it('splits a value over twice the target into parts when the model allows it, and reports skew', () => {
    const s = sizeItems([v('a', 10), v('big', 100), v('c', 10)], {
      targetBytes: 30,
      maxItems: 64,
      maxParts: (x) => (x === 'big' ? 8 : 1),
    });
    assert.deepEqual(
      s.items.map((i) => [i.values, i.part?.index, i.part?.of]),
      [
        [['a'], undefined, undefined],
        [['big'], 0, 4],
        [['big'], 1, 4],
        [['big'], 2, 4],
        [['big'], 3, 4],
        [['c'], undefined, undefined],
      ],
    );
    assert.deepEqual(s.split, [{ value: 'big', parts: 4, bytes: 100 }]);
    assert.equal(s.skew, 10);
    const no = sizeItems([v('a', 10), v('big', 100)], { targetBytes: 30, maxItems: 64, maxParts: () => 1 });
    assert.deepEqual(
      no.items.map((i) => i.values),
      [['a'], ['big']],
    );
  });

  it('raises the target to stay within maxItems; 0 turns sizing off', () => {
    const many = Array.from({ length: 100 }, (_, i) => v(String(i).padStart(3, '0'), 10));
    assert.ok(sizeItems(many, { targetBytes: 10, maxItems: 8, maxParts: () => 1 }).items.length <= 8);
    const off = sizeItems(many, { targetBytes: 0, maxItems: 64, maxParts: () => 1 });
    assert.equal(off.items.length, 50);
    assert.deepEqual(
      sizeItems(many.slice(0, 3), { targetBytes: 0, maxItems: 64, maxParts: () => 1 }).items.map((i) => i.values),
      [['000'], ['001'], ['002']],
    );
  });

  it('divideFiles balances bytes', () => {
    const bins = divideFiles(
      [
        { id: 'a', bytes: 5 },
        { id: 'b', bytes: 4 },
        { id: 'c', bytes: 3 },
        { id: 'd', bytes: 3 },
      ],
      2,
    );
    assert.deepEqual(
      bins.map((b) => b.map((f) => f.id)),
      [
        ['a', 'd'],
        ['b', 'c'],
      ],
    );
  });
});
