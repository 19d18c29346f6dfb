import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import {
  assertListPrefix,
  assertObjectKey,
  assertSafeKey,
  assertStagingId,
  compareKeys,
  isReservedKey,
  prefixFolder,
} from './keys.js';

function rejects(fn: () => unknown, value: string, reason: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SluiceError);
    assert.equal(err.code, 'STORAGE_KEY');
    assert.ok(err.message.includes(JSON.stringify(value)), err.message);
    assert.match(err.message, reason);
    return true;
  });
}

describe('assertSafeKey', () => {
  it('accepts relative keys and returns them unchanged', () => {
    for (const key of [
      'a',
      'fct_orders/order_date=2024-01-01/part-000003-ab12cd-0.parquet',
      '.hidden',
      'a/..b/c..',
      'ünï côdé/x y',
      '_staging',
    ]) {
      assert.equal(assertSafeKey(key), key);
    }
  });

  it('rejects unsafe keys with the reason and the key quoted', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['/etc/passwd', /start with "\/"/],
      ['a\\b', /backslash/],
      ['a\u0000b', /control/],
      ['a\tb', /control/],
      ['a\u007fb', /control/],
      ['a//b', /empty path segment/],
      ['./a', /"\." segments/],
      ['a/./b', /"\." segments/],
      ['../x', /"\.\." segments/],
      ['a/../../b', /"\.\." segments/],
      ['a/b/', /end with "\/"/],
      ['x'.repeat(1025), /1024 bytes/],
    ];
    for (const [key, reason] of cases) rejects(() => assertSafeKey(key), key, reason);
  });

  it('rejects values that are not strings', () => {
    assert.throws(
      () => assertSafeKey(42 as unknown as string),
      (err: unknown) => err instanceof SluiceError && err.code === 'STORAGE_KEY',
    );
  });
});

describe('assertObjectKey', () => {
  it('reserves the staging folder', () => {
    rejects(() => assertObjectKey('_staging/x'), '_staging/x', /reserved/);
    rejects(() => assertObjectKey('_staging'), '_staging', /reserved/);
    assert.equal(assertObjectKey('_staging_not/x'), '_staging_not/x');
    assert.equal(assertObjectKey('a/_staging/x'), 'a/_staging/x');
  });

  it('reserves the bookkeeping folder', () => {
    rejects(() => assertObjectKey('.sluice/claims/x'), '.sluice/claims/x', /bookkeeping/);
    rejects(() => assertObjectKey('.sluice'), '.sluice', /bookkeeping/);
    assert.equal(assertObjectKey('a/.sluice/x'), 'a/.sluice/x');
    assert.equal(assertObjectKey('.sluice2/x'), '.sluice2/x');
    assert.equal(isReservedKey('.sluice/probe/1'), true);
    assert.equal(isReservedKey('_staging/a'), true);
    assert.equal(isReservedKey('a/.sluice/x'), false);
  });
});

describe('assertListPrefix', () => {
  it('accepts empty, folder and partial prefixes', () => {
    for (const prefix of ['', 'a/', 'a/b/', 'a/b', 'a/order_date=2024-', '_stag', 'a/.'])
      assert.equal(assertListPrefix(prefix), prefix);
  });

  it('rejects prefixes that escape or enter the staging area', () => {
    rejects(() => assertListPrefix('../'), '../', /"\.\."/);
    rejects(() => assertListPrefix('/etc/'), '/etc/', /start with/);
    rejects(() => assertListPrefix('a//'), 'a//', /empty path segment/);
    rejects(() => assertListPrefix('a/../b'), 'a/../b', /"\.\."/);
    rejects(() => assertListPrefix('_staging/'), '_staging/', /reserved/);
    rejects(() => assertListPrefix('.sluice/claims/'), '.sluice/claims/', /reserved/);
    rejects(() => assertListPrefix('a\\'), 'a\\', /backslash/);
  });
});

describe('assertStagingId', () => {
  it('accepts one segment and rejects anything else', () => {
    assert.equal(assertStagingId('run-1.fct_orders.3'), 'run-1.fct_orders.3');
    rejects(() => assertStagingId(''), '', /empty/);
    rejects(() => assertStagingId('a/b'), 'a/b', /single path segment/);
    rejects(() => assertStagingId('..'), '..', /"\.\."/);
    rejects(() => assertStagingId('.'), '.', /"\."/);
    rejects(() => assertStagingId('a\u0001'), 'a\u0001', /control/);
  });
});

describe('prefixFolder and compareKeys', () => {
  it('splits a prefix at its last slash', () => {
    assert.equal(prefixFolder(''), '');
    assert.equal(prefixFolder('abc'), '');
    assert.equal(prefixFolder('a/b/'), 'a/b/');
    assert.equal(prefixFolder('a/b/c'), 'a/b/');
  });

  it('sorts by code unit, not by locale', () => {
    assert.deepEqual(['b', 'B', 'a/10', 'a/2', 'a/1'].sort(compareKeys), ['B', 'a/1', 'a/10', 'a/2', 'b']);
  });
});
