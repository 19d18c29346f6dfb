import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import { assertIdentifier, identifierError, isIdentifier } from './identifier.js';

describe('identifiers', () => {
  it('accepts lowercase SQL identifiers up to 63 characters', () => {
    for (const ok of ['a', '_x', 'fct_orders_2024', 'a'.repeat(63)]) assert.equal(isIdentifier(ok), true, ok);
  });

  it('rejects hostile and malformed names with a reason', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ["it's", /"'"/],
      ['../x', /"\.", "\/"/],
      ['Orders', /uppercase.*use 'orders'/],
      ['my table', /" "/],
      ['dim-x', /"-"/],
      ['1abc', /starts with a digit/],
      ['a'.repeat(64), /longer than 63/],
      ['x"; drop table y; --', /"\\""/],
    ];
    for (const [name, why] of cases) {
      assert.equal(isIdentifier(name), false, name);
      assert.match(identifierError(name) ?? '', why, name);
    }
    assert.equal(isIdentifier(42), false);
  });

  it('assertIdentifier throws a SluiceError naming what was checked', () => {
    assert.doesNotThrow(() => assertIdentifier('ok_name', 'queue'));
    assert.throws(
      () => assertIdentifier('Bad Name', 'queue'),
      (e: unknown) => e instanceof SluiceError && e.code === 'CONFIG_INVALID' && /queue "Bad Name"/.test(e.message),
    );
  });
});
