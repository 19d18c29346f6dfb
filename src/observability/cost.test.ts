import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PriceCatalogue } from '../core/types.js';
import { attemptCost, coreHours, gibHours, perMillionRows, storageCostPerMonth, type ResourceUse } from './cost.js';

/** Round numbers, so every expected value below is computed by hand. */
const CATALOGUE: PriceCatalogue = {
  currency: 'USD',
  pricing: 'spot',
  onDemand: { coreHour: 0.04, gibHour: 0.005 },
  spot: { coreHour: 0.012, gibHour: 0.0015 },
  managedUpliftPct: 25,
  objectStore: { writePer1000: 0.005, readPer1000: 0.0004, gibMonth: 0.023 },
};
const GIB = 2 ** 30;
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

// 30 minutes, 1 core reserved but 1.5 cores used on average, 2 GiB reserved, 3 GiB peak.
const USE: ResourceUse = {
  wallMs: 1_800_000,
  cpuMs: 2_700_000,
  peakRssBytes: 3 * GIB,
  cpus: 1,
  memoryBytes: 2 * GIB,
  writeRequests: 2_000,
  readRequests: 10_000,
};

describe('cost arithmetic', () => {
  it('bills the larger of reserved and used cores and memory for the wall time', () => {
    close(coreHours(USE), 0.75, 'core-hours = 1.5 cores × 0.5 h');
    close(gibHours(USE), 1.5, 'GiB-hours = 3 GiB × 0.5 h');
    close(coreHours({ ...USE, cpuMs: 600_000 }), 0.5, 'reserved 1 core > used 0.33');
    close(gibHours({ ...USE, peakRssBytes: GIB }), 1, 'reserved 2 GiB > peak 1 GiB');
    close(coreHours({ ...USE, wallMs: 0, cpuMs: 5 }), 0, 'no wall time, no cost');
  });

  it('prices on the catalogue basis (spot), on demand and on a managed cluster', () => {
    // requests: 2 × 0.005 + 10 × 0.0004 = 0.014
    const spot = attemptCost(USE, CATALOGUE);
    close(spot.compute, 0.75 * 0.012 + 1.5 * 0.0015, 'spot compute = 0.009 + 0.00225');
    close(spot.compute, 0.01125, 'spot compute');
    close(spot.requests, 0.014, 'requests');
    close(spot.total, 0.02525, 'spot total');
    const onDemand = attemptCost(USE, CATALOGUE, 'on_demand');
    close(onDemand.compute, 0.0375, 'on demand = 0.75 × 0.04 + 1.5 × 0.005 = 0.03 + 0.0075');
    close(onDemand.total, 0.0515, 'on demand total');
    const managed = attemptCost(USE, CATALOGUE, 'managed');
    close(managed.compute, 0.046875, 'managed = 0.0375 × 1.25');
    close(managed.total, 0.060875, 'managed total');
  });

  it('storage per month and cost per million rows', () => {
    close(storageCostPerMonth(10 * GIB, CATALOGUE), 0.23, '10 GiB × 0.023');
    close(perMillionRows(0.02525, 250_000)!, 0.101, '0.02525 / 0.25 M rows');
    assert.equal(perMillionRows(1, 0), null);
  });
});
