import type { Project, SourceDef } from '../core/types.js';
import { groupModels, type Group, type Grouping } from './group-models.js';
import { buildModelGraph, type ModelGraph } from './model-graph.js';
import { selectModels } from './select-models.js';

/** What a model reads: a source, or the current snapshot of an upstream model. */
export type PlannedRead =
  | { readonly kind: 'source'; readonly name: string; readonly format: SourceDef['format']; readonly path: string }
  | { readonly kind: 'model'; readonly name: string; readonly selected: boolean };

export interface PlannedModel {
  readonly name: string;
  readonly group: string;
  readonly file: string;
  readonly type: string;
  readonly businessUnit: string;
  readonly queue: string;
  readonly partitionBy: readonly string[];
  readonly tags: readonly string[];
  /** Upstream models in this plan (the task waits for them). */
  readonly waitsFor: readonly string[];
  readonly reads: readonly PlannedRead[];
}

/** A plan: the selected models, grouped, in dependency order. Pure: no I/O. */
export interface Plan {
  readonly project: string;
  readonly selector: string;
  readonly graph: ModelGraph;
  readonly grouping: Grouping;
  /** Selected models in topological order. */
  readonly models: readonly PlannedModel[];
  /** Groups holding at least one selected model, with only the selected models. */
  readonly groups: readonly Group[];
}

export function buildPlan(project: Project, selectors: readonly string[] = []): Plan {
  const graph = buildModelGraph(project.models);
  const grouping = groupModels(project.models, graph, {
    maxTasksPerGroup: project.config.defaults.maxTasksPerGroup,
    stepConcurrency: project.config.defaults.stepConcurrency,
  });
  const selected = selectModels(selectors, project.models, graph, grouping);
  const chosen = new Set(selected);
  const models = selected.map((name): PlannedModel => {
    const m = project.models.get(name)!;
    const reads = m.dependsOn.map((dep): PlannedRead => {
      const source = project.sources.get(dep);
      if (source) return { kind: 'source', name: dep, format: source.format, path: source.path };
      return { kind: 'model', name: dep, selected: chosen.has(dep) };
    });
    return {
      name,
      group: grouping.groupOf.get(name)!,
      file: m.file,
      type: m.type,
      businessUnit: m.businessUnit,
      queue: m.queue,
      partitionBy: m.partitionBy,
      tags: m.tags,
      waitsFor: (graph.upstream.get(name) ?? []).filter((u) => chosen.has(u)),
      reads,
    };
  });
  const groups = grouping.groups
    .map((g) => ({ ...g, models: g.models.filter((m) => chosen.has(m)) }))
    .filter((g) => g.models.length > 0);
  return { project: project.config.name, selector: selectors.join(' ') || '*', graph, grouping, models, groups };
}
