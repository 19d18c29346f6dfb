import { reachable } from '../planner/model-graph.js';
import type { Plan } from '../planner/build-plan.js';

/**
 * A task's priority within its queue: how many models in the plan wait on it, directly or
 * not. Work that unblocks more of the DAG goes first.
 */
export function downstreamWeights(plan: Plan): Map<string, number> {
  const inPlan = new Set(plan.models.map((m) => m.name));
  const out = new Map<string, number>();
  for (const m of plan.models)
    out.set(m.name, [...reachable(m.name, plan.graph.downstream)].filter((d) => inPlan.has(d)).length);
  return out;
}
