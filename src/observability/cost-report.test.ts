import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PriceCatalogue } from '../core/types.js';
import type { AttemptMetricsRecord } from '../store/metrics-store.js';
import { costReport, formatMoney } from './cost-report.js';

const CATALOGUE: PriceCatalogue = {
  currency: 'USD',
  pricing: 'on_demand',
  onDemand: { coreHour: 0.04, gibHour: 0.005 },
  spot: { coreHour: 0.012, gibHour: 0.0015 },
  managedUpliftPct: 25,
  objectStore: { writePer1000: 0.005, readPer1000: 0.0004, gibMonth: 0.023 },
};
const GIB = 2 ** 30;
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

/** One hour on 1 core and 1 GiB (on demand: 0.04 + 0.005 = 0.045), 1,000 writes (0.005): 0.05 per attempt. */
const a = (model: string, group: string, over: Partial<AttemptMetricsRecord> = {}): AttemptMetricsRecord => ({
  itemId: `r/${model}/0`,
  attempt: 1,
  runId: 'r',
  model,
  itemNo: 0,
  group,
  queue: 'q',
  workerId: 'w',
  outcome: 'succeeded',
  startedAt: Date.UTC(2026, 0, 2, 23),
  endedAt: 0,
  queueWaitMs: 0,
  wallMs: 3_600_000,
  cpuMs: 0,
  peakRssBytes: GIB,
  cpus: 1,
  memoryBytes: 0,
  rowsIn: 0,
  bytesIn: 0,
  filesIn: 0,
  partitionsIn: 0,
  rowsOut: 1_000_000,
  bytesOut: GIB,
  filesOut: 1,
  writeRequests: 1_000,
  readRequests: 0,
  error: null,
  ...over,
});

describe('cost report', () => {
  const attempts = [
    a('dim_a', 'dimension_sales'),
    a('fct_b', 'fact_sales', { outcome: 'failed', rowsOut: 0 }),
    a('fct_b', 'fact_sales', { attempt: 2, startedAt: Date.UTC(2026, 0, 3, 1) }),
    a('rpt_c', 'report_ops', { rowsOut: 0, outcome: 'succeeded' }),
  ];
  const labels = [
    { model: 'dim_a', businessUnit: 'sales', type: 'dimension' },
    { model: 'fct_b', businessUnit: 'sales', type: 'fact' },
    { model: 'rpt_c', businessUnit: 'ops', type: 'report' },
  ];
  const report = (by: 'task' | 'group' | 'business_unit' | 'day', budgets = { groups: {} }) =>
    costReport([{ runId: 'r', attempts, labels }], CATALOGUE, budgets, by);

  it('sums per key, counts failed attempts, compares pricing bases', () => {
    const r = report('task');
    close(r.total.total, 0.2, '4 attempts × 0.05');
    close(r.total.onDemand, 0.2, 'on demand is the pricing');
    close(r.total.spot, 4 * (0.012 + 0.0015 + 0.005), 'spot: 4 × 0.0185');
    close(r.total.managed, 4 * (0.045 * 1.25 + 0.005), 'managed: 4 × 0.06125');
    close(r.total.perMillionRows!, 0.2 / 2, '0.2 for 2 M rows written');
    assert.deepEqual(
      r.lines.map((l) => [l.key, l.attempts]),
      [
        ['fct_b', 2],
        ['dim_a', 1],
        ['rpt_c', 1],
      ],
    );
    close(r.lines[0]!.total, 0.1, 'fct_b: the failed attempt costs too');
    close(r.lines[0]!.perMillionRows!, 0.1, 'fct_b: 0.1 per 1 M rows');
    assert.equal(r.lines[2]!.perMillionRows, null);
    close(r.storagePerMonth, 3 * 0.023, '3 GiB published');
  });

  it('breaks down by business unit and by UTC day', () => {
    assert.deepEqual(
      report('business_unit').lines.map((l) => [l.key, Math.round(l.total * 1000)]),
      [
        ['sales', 150],
        ['ops', 50],
      ],
    );
    assert.deepEqual(
      report('day').lines.map((l) => [l.key, l.attempts]),
      [
        ['2026-01-02', 3],
        ['2026-01-03', 1],
      ],
    );
  });

  it('checks run and group budgets', () => {
    const r = report('group', { run: 0.15, groups: { fact_sales: 0.2, report_ops: 0.01, nope: 1 } } as never);
    assert.deepEqual(
      r.budgets.map((b) => [b.scope, b.key, b.over]),
      [
        ['run', 'r', true],
        ['group', 'fact_sales', false],
        ['group', 'report_ops', true],
      ],
    );
    close(r.budgets[0]!.cost, 0.2, 'run cost');
  });

  it('formats money', () => {
    assert.equal(formatMoney(12.345, 'USD'), '$12.35');
    assert.equal(formatMoney(0.0012345, 'USD'), '$0.0012');
    assert.equal(formatMoney(0, 'EUR'), '€0');
    assert.equal(formatMoney(6.2e-7, 'USD'), '$0.00000062');
    assert.equal(formatMoney(3, 'CHF'), 'CHF 3.00');
  });
});
