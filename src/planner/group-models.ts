import type { ModelDef } from '../core/types.js';
import type { ModelGraph } from './model-graph.js';

/** A group: the DAG sluice derives for models of one (type, business unit). */
export interface Group {
  /** `<type>_<business_unit>`, with `_<n>` appended when the bucket was split. */
  readonly name: string;
  readonly type: ModelDef['type'];
  readonly businessUnit: string;
  /** Models in dependency order. */
  readonly models: readonly string[];
  /** At most this many of the group's models run at once. */
  readonly concurrency: number;
  /** Groups holding models this group's models read. */
  readonly dependsOn: readonly string[];
}

export interface GroupingOptions {
  readonly maxTasksPerGroup: number;
  readonly stepConcurrency: number;
}

export interface Grouping {
  /** Groups in an order that respects their dependencies where the group graph allows it. */
  readonly groups: readonly Group[];
  readonly groupOf: ReadonlyMap<string, string>;
  /** Set when dependencies between groups form a cycle (models still run in model order). */
  readonly cyclicGroups: readonly string[];
}

/**
 * Bucket models by (type, business unit); split a bucket of n > max models into
 * ceil(n / max) groups of near-equal size, cutting the bucket's models in global topological
 * order so that a later group never feeds an earlier one of the same bucket.
 */
export function groupModels(models: ReadonlyMap<string, ModelDef>, graph: ModelGraph, opts: GroupingOptions): Grouping {
  const buckets = new Map<string, string[]>();
  for (const name of graph.order) {
    const m = models.get(name)!;
    const key = `${m.type}_${m.businessUnit}`;
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push(name);
  }

  const draft: { name: string; models: string[]; type: ModelDef['type']; businessUnit: string }[] = [];
  for (const key of [...buckets.keys()].sort()) {
    const list = buckets.get(key)!;
    const parts = Math.ceil(list.length / opts.maxTasksPerGroup);
    const base = Math.floor(list.length / parts);
    const extra = list.length % parts;
    let at = 0;
    const first = models.get(list[0]!)!;
    for (let p = 0; p < parts; p++) {
      const size = base + (p < extra ? 1 : 0);
      draft.push({
        name: parts === 1 ? key : `${key}_${p + 1}`,
        models: list.slice(at, at + size),
        type: first.type,
        businessUnit: first.businessUnit,
      });
      at += size;
    }
  }

  const groupOf = new Map<string, string>();
  for (const g of draft) for (const m of g.models) groupOf.set(m, g.name);
  const deps = new Map<string, Set<string>>();
  for (const g of draft) {
    const set = new Set<string>();
    for (const m of g.models)
      for (const u of graph.upstream.get(m) ?? []) {
        const ug = groupOf.get(u)!;
        if (ug !== g.name) set.add(ug);
      }
    deps.set(g.name, set);
  }

  // Order groups topologically; ties by the position of their first model.
  const firstIndex = new Map(draft.map((g) => [g.name, graph.index.get(g.models[0]!)!] as const));
  const byName = new Map(draft.map((g) => [g.name, g] as const));
  const remaining = new Set(draft.map((g) => g.name));
  const ordered: string[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter((n) => [...deps.get(n)!].every((d) => !remaining.has(d)));
    if (ready.length === 0) break;
    ready.sort((a, b) => firstIndex.get(a)! - firstIndex.get(b)!);
    const next = ready[0]!;
    ordered.push(next);
    remaining.delete(next);
  }
  const cyclicGroups = [...remaining].sort((a, b) => firstIndex.get(a)! - firstIndex.get(b)!);
  ordered.push(...cyclicGroups);

  const groups = ordered.map((name): Group => {
    const g = byName.get(name)!;
    return Object.freeze({
      name,
      type: g.type,
      businessUnit: g.businessUnit,
      models: Object.freeze(g.models),
      concurrency: opts.stepConcurrency,
      dependsOn: Object.freeze([...deps.get(name)!].sort()),
    });
  });
  return { groups, groupOf, cyclicGroups };
}
