import type { Plan } from './build-plan.js';

/**
 * The JSON form of a plan (`sluice plan --json`). Versioned: fields are only ever added
 * within a version; a change of meaning bumps `schema`. Documented in docs/guide.md, "JSON documents".
 */
export const PLAN_SCHEMA = 'sluice.plan/v1';

export function planDocument(plan: Plan) {
  const byName = new Map(plan.models.map((m) => [m.name, m] as const));
  return {
    schema: PLAN_SCHEMA,
    project: plan.project,
    selector: plan.selector,
    models: plan.models.length,
    groups: plan.groups.map((g) => ({
      name: g.name,
      type: g.type,
      business_unit: g.businessUnit,
      concurrency: g.concurrency,
      depends_on: g.dependsOn,
      models: g.models.map((name) => {
        const m = byName.get(name)!;
        return {
          name,
          file: m.file,
          queue: m.queue,
          partition_by: m.partitionBy,
          tags: m.tags,
          waits_for: m.waitsFor,
          reads: m.reads.map((r) =>
            r.kind === 'source'
              ? { kind: 'source', name: r.name, format: r.format, path: r.path }
              : { kind: 'model', name: r.name, in_run: r.selected },
          ),
        };
      }),
    })),
    cyclic_groups: plan.grouping.cyclicGroups,
  };
}

export type PlanDocument = ReturnType<typeof planDocument>;
