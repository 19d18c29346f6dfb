import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStale, STALE_HEARTBEATS, staleBefore } from './staleness.js';

test('staleBefore is three heartbeats before now', () => {
  assert.equal(STALE_HEARTBEATS, 3);
  assert.equal(staleBefore(100_000, 20_000), 40_000);
});

test('a sign exactly three heartbeats old is still live; one millisecond older is stale', () => {
  assert.equal(isStale(40_000, 100_000, 20_000), false);
  assert.equal(isStale(39_999, 100_000, 20_000), true);
  assert.equal(isStale(99_000, 100_000, 20_000), false);
});
