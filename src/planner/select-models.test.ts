import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import { groupModels } from './group-models.js';
import { buildModelGraph } from './model-graph.js';
import { selectModels } from './select-models.js';
import { makeModels } from './test-models.js';

const models = makeModels({
  src_dim: ['dimension', 'pharmacy'],
  fct_orders: ['fact', 'pharmacy', ['src_dim']],
  rpt_revenue: ['report', 'pharmacy', ['fct_orders']],
  rpt_other: ['report', 'clinic'],
});
const graph = buildModelGraph(models);
const grouping = groupModels(models, graph, { maxTasksPerGroup: 16, stepConcurrency: 4 });
const select = (...s: string[]) => selectModels(s, models, graph, grouping);

describe('selectModels', () => {
  it('selects everything when empty, in topological order', () => {
    assert.deepEqual(select(), graph.order);
    assert.ok(graph.order.indexOf('src_dim') < graph.order.indexOf('fct_orders'));
  });
  it('supports names, +upstream, downstream+ and unions', () => {
    assert.deepEqual(select('fct_orders'), ['fct_orders']);
    assert.deepEqual(select('+fct_orders'), ['src_dim', 'fct_orders']);
    assert.deepEqual(select('fct_orders+'), ['fct_orders', 'rpt_revenue']);
    assert.deepEqual(select('+fct_orders+'), ['src_dim', 'fct_orders', 'rpt_revenue']);
    assert.deepEqual(select('rpt_other, src_dim'), ['rpt_other', 'src_dim']);
  });
  it('supports tag:, group:, type: and business_unit:', () => {
    assert.deepEqual(select('tag:reporting'), ['rpt_other', 'rpt_revenue']);
    assert.deepEqual(select('group:fact_pharmacy'), ['fct_orders']);
    assert.deepEqual(select('type:report'), ['rpt_other', 'rpt_revenue']);
    assert.deepEqual(select('business_unit:clinic'), ['rpt_other']);
  });
  it('rejects unknown names with a suggestion', () => {
    assert.throws(
      () => select('fct_order'),
      (e: unknown) =>
        e instanceof SluiceError && e.code === 'PLAN_SELECTION' && /did you mean 'fct_orders'/.test(e.message),
    );
    assert.throws(() => select('group:nope'), /no group named 'nope'/);
    assert.throws(() => select('colour:red'), /unknown selector kind/);
  });
});
