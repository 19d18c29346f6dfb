import type { PriceCatalogue } from '../core/types.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { AttemptMetricsRecord } from '../store/metrics-store.js';
import { costLine, type RunAttempts } from './cost-report.js';

/** What one model is expected to cost, from the runs that built it before. */
export interface ModelEstimate {
  readonly model: string;
  /** Past runs the estimate rests on (0: never built, no estimate). */
  readonly samples: number;
  /** Median cost per run at the catalogue's pricing, failed and retried attempts included. */
  readonly cost: number | null;
  /** Median worker time per run (all items), in ms. */
  readonly workerMs: number | null;
}

export interface CostEstimate {
  readonly currency: string;
  readonly models: readonly ModelEstimate[];
  /** Sum of the models' estimates (models without history count 0: see `unknown`). */
  readonly total: number;
  readonly unknown: readonly string[];
}

/**
 * The expected cost of running `models`, from history: for each model, the median over the last
 * `history` runs in which it succeeded of what its attempts cost in that run. A full rebuild of
 * a model costs what its past full rebuilds cost; an incremental run usually costs less.
 */
export function estimateFromHistory(
  runs: readonly RunAttempts[],
  models: readonly string[],
  catalogue: PriceCatalogue,
  history = 5,
): CostEstimate {
  const samples = new Map<string, { cost: number; workerMs: number }[]>(models.map((m) => [m, []]));
  for (const run of runs) {
    const byModel = new Map<string, AttemptMetricsRecord[]>();
    for (const a of run.attempts) {
      if (!samples.has(a.model)) continue;
      const list = byModel.get(a.model) ?? [];
      list.push(a);
      byModel.set(a.model, list);
    }
    for (const [model, attempts] of byModel) {
      const taken = samples.get(model)!;
      if (taken.length >= history || !attempts.some((a) => a.outcome === 'succeeded')) continue;
      taken.push({
        cost: costLine(model, attempts, catalogue).total,
        workerMs: attempts.reduce((s, a) => s + a.wallMs, 0),
      });
    }
  }
  const estimates = models.map((model): ModelEstimate => {
    const taken = samples.get(model)!;
    return {
      model,
      samples: taken.length,
      cost: median(taken.map((t) => t.cost)),
      workerMs: median(taken.map((t) => t.workerMs)),
    };
  });
  return {
    currency: catalogue.currency,
    models: estimates,
    total: estimates.reduce((s, e) => s + (e.cost ?? 0), 0),
    unknown: estimates.filter((e) => e.samples === 0).map((e) => e.model),
  };
}

/** The same, reading the last `scanRuns` runs (newest first) from the metadata store. */
export async function estimateCost(
  store: MetadataStore,
  models: readonly string[],
  catalogue: PriceCatalogue,
  opts: { history?: number; scanRuns?: number } = {},
): Promise<CostEstimate> {
  const runs: RunAttempts[] = [];
  for (const run of await store.listRuns({ limit: opts.scanRuns ?? 50 })) {
    runs.push({ runId: run.id, attempts: await store.listAttempts(run.id), labels: [] });
  }
  return estimateFromHistory(runs, models, catalogue, opts.history ?? 5);
}

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
