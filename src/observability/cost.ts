import type { ComputePrices, PriceCatalogue } from '../core/types.js';

/**
 * Cost arithmetic, pure. An attempt is billed for the cores and memory it held for its wall time
 * — the larger of what it reserved (model `resources`) and what it used (average cores =
 * CPU time ÷ wall time; peak resident memory) — plus its object-store requests:
 *
 *   core-hours = max(cpus, cpuMs / wallMs) × wallMs / 3,600,000
 *   GiB-hours  = max(memoryBytes, peakRssBytes) / 2^30 × wallMs / 3,600,000
 *   compute    = core-hours × core_hour + GiB-hours × gib_hour
 *   requests   = writes / 1000 × write_per_1000 + reads / 1000 × read_per_1000
 *
 * Managed-cluster compute is on-demand compute × (1 + uplift / 100).
 */
export interface ResourceUse {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRssBytes: number;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly writeRequests: number;
  readonly readRequests: number;
}

/** Where the compute is bought: the catalogue's `pricing`, or one of the comparisons. */
export type PriceBasis = 'on_demand' | 'spot' | 'managed';

export interface Cost {
  readonly coreHours: number;
  readonly gibHours: number;
  readonly compute: number;
  readonly requests: number;
  readonly total: number;
}

const MS_PER_HOUR = 3_600_000;
const GIB = 2 ** 30;

export function coreHours(u: ResourceUse): number {
  const used = u.wallMs > 0 ? u.cpuMs / u.wallMs : 0;
  return (Math.max(u.cpus, used) * u.wallMs) / MS_PER_HOUR;
}

export function gibHours(u: ResourceUse): number {
  return ((Math.max(u.memoryBytes, u.peakRssBytes) / GIB) * u.wallMs) / MS_PER_HOUR;
}

export function computePrices(catalogue: PriceCatalogue, basis: PriceBasis): ComputePrices {
  if (basis === 'spot') return catalogue.spot;
  const uplift = basis === 'managed' ? 1 + catalogue.managedUpliftPct / 100 : 1;
  return { coreHour: catalogue.onDemand.coreHour * uplift, gibHour: catalogue.onDemand.gibHour * uplift };
}

export function requestCost(writes: number, reads: number, catalogue: PriceCatalogue): number {
  return (writes / 1000) * catalogue.objectStore.writePer1000 + (reads / 1000) * catalogue.objectStore.readPer1000;
}

export function attemptCost(u: ResourceUse, catalogue: PriceCatalogue, basis: PriceBasis = catalogue.pricing): Cost {
  const prices = computePrices(catalogue, basis);
  const ch = coreHours(u);
  const gh = gibHours(u);
  const compute = ch * prices.coreHour + gh * prices.gibHour;
  const requests = requestCost(u.writeRequests, u.readRequests, catalogue);
  return { coreHours: ch, gibHours: gh, compute, requests, total: compute + requests };
}

/** Storing `bytes` for a month. */
export function storageCostPerMonth(bytes: number, catalogue: PriceCatalogue): number {
  return (bytes / GIB) * catalogue.objectStore.gibMonth;
}

/** Cost per million rows written, or null when nothing was written. */
export function perMillionRows(total: number, rows: number): number | null {
  return rows > 0 ? (total / rows) * 1_000_000 : null;
}
