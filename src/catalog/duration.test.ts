import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from '../core/format-duration.js';
import { durationMs, isDuration } from './duration.js';

describe('durations (timeout)', () => {
  it('parses ms, s, m, h and d, fractions included', () => {
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs('90s'), 90_000);
    assert.equal(durationMs('1.5h'), 5_400_000);
    assert.equal(durationMs(' 2 d '), 172_800_000);
    assert.equal(durationMs('soon'), undefined);
    assert.equal(durationMs('-1h'), undefined);
  });

  it('accepts above zero up to a week', () => {
    assert.ok(isDuration('1h'));
    assert.ok(isDuration('7d'));
    assert.ok(!isDuration('0s'));
    assert.ok(!isDuration('8d'));
    assert.ok(!isDuration('10'));
  });

  it('formats with the largest unit that divides it', () => {
    assert.deepEqual([3_600_000, 90_000, 1500, 300, 172_800_000].map(formatDuration), [
      '1h',
      '90s',
      '1500ms',
      '300ms',
      '2d',
    ]);
  });
});
