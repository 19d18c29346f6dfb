import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { belowMaxShare, rankQueues, UNLISTED_QUEUE, type QueueLoad } from './fair-share.js';

const load = (name: string, share: number, usage: number, leased = 0, maxShare = 100): QueueLoad => ({
  name,
  share,
  maxShare,
  usage,
  leased,
});

describe('rankQueues', () => {
  it('serves the lowest usage ÷ share first, ties by name', () => {
    const ranked = rankQueues([
      load('report', 30, 300),
      load('fact', 30, 300),
      load('default', 10, 50),
      load('dimension', 30, 600),
    ]);
    assert.deepEqual(
      ranked.map((l) => l.name),
      ['default', 'fact', 'report', 'dimension'],
    );
  });

  it('puts a queue without a share after every queue with one, even when idle', () => {
    assert.deepEqual(
      rankQueues([load('borrower', 0, 0), load('fact', 30, 9_000)]).map((l) => l.name),
      ['fact', 'borrower'],
    );
  });

  it('does not reorder its input', () => {
    const input = [load('b', 10, 10), load('a', 10, 0)];
    rankQueues(input);
    assert.deepEqual(
      input.map((l) => l.name),
      ['b', 'a'],
    );
  });
});

describe('belowMaxShare', () => {
  it('compares leased ÷ slots with maxShare in integers', () => {
    assert.equal(belowMaxShare(load('q', 30, 0, 0, 50), 1), true, 'an idle queue may take the only slot');
    assert.equal(belowMaxShare(load('q', 30, 0, 1, 50), 1), false);
    assert.equal(belowMaxShare(load('q', 30, 0, 1, 50), 4), true);
    assert.equal(belowMaxShare(load('q', 30, 0, 2, 50), 4), false, '2 of 4 is not below 50%');
    assert.equal(belowMaxShare(load('q', 30, 0, 2, 50), 5), true, '2 of 5 is below 50%');
    assert.equal(belowMaxShare(load('q', 10, 0, 9, UNLISTED_QUEUE.maxShare), 10), true);
    assert.equal(belowMaxShare(load('q', 10, 0, 10, UNLISTED_QUEUE.maxShare), 10), false);
  });
});
