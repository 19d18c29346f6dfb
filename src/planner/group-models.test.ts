import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TableType } from '../core/types.js';
import { groupModels } from './group-models.js';
import { buildModelGraph } from './model-graph.js';
import { makeModels } from './test-models.js';

describe('groupModels', () => {
  it('buckets by (type, business unit) and orders groups by dependencies', () => {
    const models = makeModels({
      dim_a: ['dimension', 'pharmacy'],
      fct_a: ['fact', 'pharmacy', ['dim_a']],
      rpt_a: ['report', 'pharmacy', ['fct_a', 'fct_b']],
      fct_b: ['fact', 'clinic', ['dim_a']],
    });
    const g = groupModels(models, buildModelGraph(models), { maxTasksPerGroup: 16, stepConcurrency: 4 });
    assert.deepEqual(
      g.groups.map((x) => x.name),
      ['dimension_pharmacy', 'fact_pharmacy', 'fact_clinic', 'report_pharmacy'],
    );
    assert.deepEqual(g.groups.find((x) => x.name === 'report_pharmacy')!.dependsOn, ['fact_clinic', 'fact_pharmacy']);
    assert.equal(g.groupOf.get('fct_b'), 'fact_clinic');
    assert.deepEqual(g.cyclicGroups, []);
  });

  it('splits 40 models of one bucket into 3 groups of at most 16, in dependency order', () => {
    // A chain interleaved with independent models: m00 <- m01 <- ... every third model.
    const spec: Record<string, [TableType, string, string[]?]> = {};
    for (let i = 0; i < 40; i++) {
      const name = `m${String(i).padStart(2, '0')}`;
      spec[name] = ['fact', 'pharmacy', i >= 3 && i % 3 === 0 ? [`m${String(i - 3).padStart(2, '0')}`] : []];
    }
    // Reverse dependencies for some, so name order and dependency order disagree.
    spec.m01 = ['fact', 'pharmacy', ['m38']];
    const models = makeModels(spec);
    const graph = buildModelGraph(models);
    const g = groupModels(models, graph, { maxTasksPerGroup: 16, stepConcurrency: 4 });
    assert.equal(g.groups.length, 3);
    assert.deepEqual(
      g.groups.map((x) => x.name),
      ['fact_pharmacy_1', 'fact_pharmacy_2', 'fact_pharmacy_3'],
    );
    for (const group of g.groups) assert.ok(group.models.length <= 16, `${group.name} has ${group.models.length}`);
    assert.equal(
      g.groups.reduce((s, x) => s + x.models.length, 0),
      40,
    );
    // No model depends on a model in a later group.
    const position = new Map(g.groups.flatMap((x, gi) => x.models.map((m) => [m, gi] as const)));
    for (const [name, m] of models)
      for (const d of m.dependsOn)
        assert.ok(
          position.get(d)! <= position.get(name)!,
          `${name} (group ${position.get(name)}) reads ${d} (group ${position.get(d)})`,
        );
    // Within a group, models are in dependency order.
    for (const group of g.groups) {
      const idx = new Map(group.models.map((m, i) => [m, i] as const));
      for (const m of group.models)
        for (const d of models.get(m)!.dependsOn) if (idx.has(d)) assert.ok(idx.get(d)! < idx.get(m)!);
    }
    // Deterministic: the same input gives the same grouping.
    const again = groupModels(models, buildModelGraph(models), { maxTasksPerGroup: 16, stepConcurrency: 4 });
    assert.deepEqual(again.groups, g.groups);
  });

  it('reports groups that depend on each other instead of failing', () => {
    const models = makeModels({
      d1: ['dimension', 'x'],
      f1: ['fact', 'x', ['d1']],
      d2: ['dimension', 'x', ['f1']],
    });
    const g = groupModels(models, buildModelGraph(models), { maxTasksPerGroup: 16, stepConcurrency: 2 });
    assert.deepEqual([...g.cyclicGroups].sort(), ['dimension_x', 'fact_x']);
    assert.equal(g.groups.length, 2);
  });
});
