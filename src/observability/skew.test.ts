import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttemptMetricsRecord } from '../store/metrics-store.js';
import { largestOverMedian, taskSkew } from './skew.js';

const a = (itemNo: number, attempt: number, over: Partial<AttemptMetricsRecord>): AttemptMetricsRecord => ({
  itemId: `r/m/${itemNo}`,
  attempt,
  runId: 'r',
  model: 'm',
  itemNo,
  group: 'g',
  queue: 'q',
  workerId: 'w',
  outcome: 'succeeded',
  startedAt: 0,
  endedAt: 0,
  queueWaitMs: 0,
  wallMs: 100,
  cpuMs: 0,
  peakRssBytes: 0,
  cpus: 1,
  memoryBytes: 0,
  rowsIn: 10,
  bytesIn: 0,
  filesIn: 0,
  partitionsIn: 0,
  rowsOut: 10,
  bytesOut: 0,
  filesOut: 0,
  writeRequests: 0,
  readRequests: 0,
  error: null,
  ...over,
});

describe('skew', () => {
  it('is the largest value over the median', () => {
    assert.equal(largestOverMedian([1, 2, 3, 10]), 4); // median (2+3)/2 = 2.5
    assert.equal(largestOverMedian([5, 5, 5]), 1);
    assert.equal(largestOverMedian([7]), 1);
    assert.equal(largestOverMedian([]), null);
    assert.equal(largestOverMedian([0, 0, 3]), null);
  });

  it('uses each item once (its succeeded attempt), rows read when known, else rows written', () => {
    const attempts = [
      a(0, 1, { wallMs: 900, rowsIn: 999, outcome: 'failed' }),
      a(0, 2, { wallMs: 100, rowsIn: 10 }),
      a(1, 1, { wallMs: 100, rowsIn: 10 }),
      a(2, 1, { wallMs: 400, rowsIn: 50 }),
    ];
    assert.deepEqual(taskSkew(attempts), { byRows: 5, byTime: 4 });
    const csv = attempts.map((x) => ({ ...x, rowsIn: null, rowsOut: x.itemNo === 2 ? 30 : 10 }));
    assert.equal(taskSkew(csv).byRows, 3);
  });
});
