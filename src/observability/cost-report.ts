import type { Budgets, PriceCatalogue } from '../core/types.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { AttemptMetricsRecord, TaskLabels } from '../store/metrics-store.js';
import { attemptCost, perMillionRows, storageCostPerMonth } from './cost.js';

export const COST_SCHEMA = 'sluice.cost/v1';

export const COST_BY = ['task', 'group', 'business_unit', 'day'] as const;
export type CostBy = (typeof COST_BY)[number];

/** Cost of a set of attempts: at the catalogue's pricing (`total`) and the comparisons. */
export interface CostLine {
  readonly key: string;
  readonly attempts: number;
  readonly rowsOut: number;
  readonly coreHours: number;
  readonly gibHours: number;
  readonly compute: number;
  readonly requests: number;
  /** compute + requests at the catalogue's `pricing`. */
  readonly total: number;
  /** The same work all on on-demand machines, on spot machines, and on a managed cluster. */
  readonly onDemand: number;
  readonly spot: number;
  readonly managed: number;
  readonly perMillionRows: number | null;
}

export interface BudgetCheck {
  readonly runId: string;
  readonly scope: 'run' | 'group';
  /** The run id or the group name. */
  readonly key: string;
  readonly budget: number;
  readonly cost: number;
  readonly over: boolean;
}

/** `sluice cost --json`. */
export interface CostReport {
  readonly schema: typeof COST_SCHEMA;
  readonly currency: string;
  readonly pricing: PriceCatalogue['pricing'];
  readonly by: CostBy;
  readonly runs: readonly string[];
  readonly total: CostLine;
  readonly lines: readonly CostLine[];
  /** Keeping what these runs published for a month. */
  readonly storagePerMonth: number;
  readonly budgets: readonly BudgetCheck[];
}

export interface RunAttempts {
  readonly runId: string;
  readonly attempts: readonly AttemptMetricsRecord[];
  readonly labels: readonly TaskLabels[];
}

export async function loadRunAttempts(store: MetadataStore, runId: string): Promise<RunAttempts> {
  return { runId, attempts: await store.listAttempts(runId), labels: await store.listTaskLabels(runId) };
}

/** Sum the cost of attempts into one line. */
export function costLine(key: string, attempts: readonly AttemptMetricsRecord[], catalogue: PriceCatalogue): CostLine {
  let coreHours = 0,
    gibHours = 0,
    compute = 0,
    requests = 0,
    onDemand = 0,
    spot = 0,
    managed = 0,
    rowsOut = 0;
  for (const a of attempts) {
    const c = attemptCost(a, catalogue);
    coreHours += c.coreHours;
    gibHours += c.gibHours;
    compute += c.compute;
    requests += c.requests;
    onDemand += attemptCost(a, catalogue, 'on_demand').total;
    spot += attemptCost(a, catalogue, 'spot').total;
    managed += attemptCost(a, catalogue, 'managed').total;
    if (a.outcome === 'succeeded') rowsOut += a.rowsOut;
  }
  const total = compute + requests;
  return {
    key,
    attempts: attempts.length,
    rowsOut,
    coreHours,
    gibHours,
    compute,
    requests,
    total,
    onDemand,
    spot,
    managed,
    perMillionRows: perMillionRows(total, rowsOut),
  };
}

/** A UTC day, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Cost of runs, broken down `by`, with every budget of `budgets` checked per run. */
export function costReport(
  runs: readonly RunAttempts[],
  catalogue: PriceCatalogue,
  budgets: Budgets,
  by: CostBy,
): CostReport {
  const all = runs.flatMap((r) => r.attempts);
  const keyOf = (a: AttemptMetricsRecord, units: ReadonlyMap<string, string>): string =>
    by === 'task'
      ? a.model
      : by === 'group'
        ? a.group
        : by === 'business_unit'
          ? (units.get(`${a.runId}\u0000${a.model}`) ?? '')
          : utcDay(a.startedAt);
  const units = new Map(
    runs.flatMap((r) => r.labels.map((l) => [`${r.runId}\u0000${l.model}`, l.businessUnit] as const)),
  );
  const buckets = new Map<string, AttemptMetricsRecord[]>();
  for (const a of all) {
    const k = keyOf(a, units);
    buckets.set(k, [...(buckets.get(k) ?? []), a]);
  }
  const lines = [...buckets.entries()].map(([k, list]) => costLine(k, list, catalogue));
  lines.sort((a, b) => (by === 'day' ? (a.key < b.key ? -1 : 1) : b.total - a.total || (a.key < b.key ? -1 : 1)));
  const written = all.filter((a) => a.outcome === 'succeeded').reduce((s, a) => s + a.bytesOut, 0);
  return {
    schema: COST_SCHEMA,
    currency: catalogue.currency,
    pricing: catalogue.pricing,
    by,
    runs: runs.map((r) => r.runId),
    total: costLine('total', all, catalogue),
    lines,
    storagePerMonth: storageCostPerMonth(written, catalogue),
    budgets: runs.flatMap((r) => checkBudgets(r, catalogue, budgets)),
  };
}

/** Each budget that applies to the run: the run's total and each budgeted group's. */
export function checkBudgets(run: RunAttempts, catalogue: PriceCatalogue, budgets: Budgets): BudgetCheck[] {
  const out: BudgetCheck[] = [];
  if (budgets.run !== undefined) {
    const cost = costLine(run.runId, run.attempts, catalogue).total;
    out.push({ runId: run.runId, scope: 'run', key: run.runId, budget: budgets.run, cost, over: cost > budgets.run });
  }
  for (const [group, budget] of Object.entries(budgets.groups)) {
    const mine = run.attempts.filter((a) => a.group === group);
    if (mine.length === 0) continue;
    const cost = costLine(group, mine, catalogue).total;
    out.push({ runId: run.runId, scope: 'group', key: group, budget, cost, over: cost > budget });
  }
  return out;
}

/** An amount for people: enough significant digits for fractions of a cent. */
export function formatMoney(amount: number, currency: string): string {
  const symbol = currency === 'USD' ? '$' : currency === 'EUR' ? '€' : currency === 'GBP' ? '£' : `${currency} `;
  if (amount === 0) return `${symbol}0`;
  if (Math.abs(amount) >= 1) return `${symbol}${amount.toFixed(2)}`;
  // Two significant digits, never in exponent notation.
  const decimals = Math.min(12, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(amount)))));
  return `${symbol}${amount.toFixed(decimals)}`;
}
