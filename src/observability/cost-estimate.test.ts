import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PriceCatalogue } from '../core/types.js';
import type { AttemptMetricsRecord } from '../store/metrics-store.js';
import { estimateFromHistory } from './cost-estimate.js';

const CATALOGUE: PriceCatalogue = {
  currency: 'USD',
  pricing: 'on_demand',
  onDemand: { coreHour: 0.04, gibHour: 0.005 },
  spot: { coreHour: 0.012, gibHour: 0.0015 },
  managedUpliftPct: 25,
  objectStore: { writePer1000: 0.005, readPer1000: 0.0004, gibMonth: 0.023 },
};
const GIB = 2 ** 30;
/** `hours` on 1 core and 1 GiB, no requests: 0.045 per hour at on-demand prices. */
const a = (
  runId: string,
  model: string,
  hours: number,
  outcome: AttemptMetricsRecord['outcome'] = 'succeeded',
  attempt = 1,
): AttemptMetricsRecord => ({
  itemId: `${runId}/${model}/0`,
  attempt,
  runId,
  model,
  itemNo: 0,
  group: 'g',
  queue: 'q',
  workerId: 'w',
  outcome,
  startedAt: 0,
  endedAt: 0,
  queueWaitMs: 0,
  wallMs: hours * 3_600_000,
  cpuMs: 0,
  peakRssBytes: GIB,
  cpus: 1,
  memoryBytes: 0,
  rowsIn: 0,
  bytesIn: 0,
  filesIn: 0,
  partitionsIn: 0,
  rowsOut: 10,
  bytesOut: 0,
  filesOut: 1,
  writeRequests: 0,
  readRequests: 0,
  error: null,
});
const close = (actual: number | null, expected: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

describe('estimateFromHistory', () => {
  // Newest first, as listRuns returns them.
  const runs = [
    { runId: 'r4', labels: [], attempts: [a('r4', 'fct', 1), a('r4', 'dim', 5, 'failed')] },
    {
      runId: 'r3',
      labels: [],
      attempts: [a('r3', 'fct', 3, 'failed'), a('r3', 'fct', 1, 'succeeded', 2), a('r3', 'dim', 2)],
    },
    { runId: 'r2', labels: [], attempts: [a('r2', 'fct', 10)] },
    { runId: 'r1', labels: [], attempts: [a('r1', 'fct', 100), a('r1', 'dim', 4)] },
  ];

  it('takes the median per-run cost of the last runs that built each model, retries included', () => {
    const e = estimateFromHistory(runs, ['fct', 'dim', 'new_model'], CATALOGUE, 3);
    const [fct, dim, fresh] = e.models;
    // fct: r4 1 h, r3 1 h + a failed 3 h = 4 h, r2 10 h (r1 is beyond the last 3): median 4 h.
    assert.equal(fct!.samples, 3);
    close(fct!.cost, 4 * 0.045, 'fct');
    close(fct!.workerMs, 4 * 3_600_000, 'fct worker time');
    // dim: r4 failed (not a build), r3 2 h, r1 4 h: median 3 h.
    assert.equal(dim!.samples, 2);
    close(dim!.cost, 3 * 0.045, 'dim');
    assert.deepEqual([fresh!.samples, fresh!.cost], [0, null]);
    close(e.total, 7 * 0.045, 'total');
    assert.deepEqual(e.unknown, ['new_model']);
    assert.equal(e.currency, 'USD');
  });
});
