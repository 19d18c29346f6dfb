import type { ModelDef, Project } from '../core/types.js';
import { SluiceError } from '../core/errors.js';

/** The dependency graph between models (sources are leaves and are not nodes). */
export interface ModelGraph {
  /** Model names in a deterministic topological order (dependencies first, ties by name). */
  readonly order: readonly string[];
  /** Position of each model in `order`. */
  readonly index: ReadonlyMap<string, number>;
  /** Models each model reads (models only). */
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  /** Models that read each model. */
  readonly downstream: ReadonlyMap<string, readonly string[]>;
}

/**
 * Build the graph. The catalog has already rejected cycles and unknown references, so a
 * cycle here is a programming error.
 */
export function buildModelGraph(models: ReadonlyMap<string, ModelDef> | Project['models']): ModelGraph {
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const name of models.keys()) downstream.set(name, []);
  for (const [name, model] of models) {
    const ups = model.dependsOn.filter((d) => models.has(d));
    upstream.set(name, ups);
    for (const u of ups) downstream.get(u)!.push(name);
  }
  for (const list of downstream.values()) list.sort();

  // Kahn's algorithm; the ready set is kept sorted so the order is deterministic.
  const indegree = new Map<string, number>();
  for (const [name, ups] of upstream) indegree.set(name, ups.length);
  const ready = [...models.keys()].filter((n) => indegree.get(n) === 0).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(next);
    for (const d of downstream.get(next)!) {
      const left = indegree.get(d)! - 1;
      indegree.set(d, left);
      if (left === 0) insertSorted(ready, d);
    }
  }
  if (order.length !== models.size) {
    const stuck = [...models.keys()].filter((n) => !order.includes(n));
    throw new SluiceError('PLAN_CYCLE', `dependency cycle among models: ${stuck.join(', ')}`);
  }
  const index = new Map(order.map((n, i) => [n, i] as const));
  return { order, index, upstream, downstream };
}

function insertSorted(list: string[], item: string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < item) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

/** All models upstream of `start` (not including it), by walking `edges`. */
export function reachable(start: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(start) ?? [])];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(edges.get(n) ?? []));
  }
  return seen;
}
