import type { ModelDef, TableType } from '../core/types.js';

/** Build in-memory models for planner tests: `spec` maps name -> [type, business unit, deps]. */
export function makeModels(spec: Record<string, [TableType, string, string[]?]>): Map<string, ModelDef> {
  const models = new Map<string, ModelDef>();
  for (const name of Object.keys(spec).sort()) {
    const [type, businessUnit, deps = []] = spec[name]!;
    models.set(name, {
      name,
      file: `models/${name}.sql`,
      sql: 'select 1',
      sqlLine: 1,
      type,
      businessUnit,
      partitionBy: [],
      queue: type,
      tags: name.startsWith('rpt') ? ['reporting'] : [],
      description: '',
      resources: {},
      splitBy: null,
      incremental: null,
      uniqueKey: [],
      dependsOn: [...deps].sort(),
      timeoutMs: 3_600_000,
      location: { file: `models/${name}.sql`, line: 1 },
    });
  }
  return models;
}
