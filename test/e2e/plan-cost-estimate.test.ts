import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { shopProject } from '../helpers/shop-project.js';

describe('plan --explain estimates cost from history', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject();
  });
  after(() => p.cleanup());

  it('says nothing is known before the first run, then prices each model from its past builds', async () => {
    const first = await runCli(['plan', '--explain', '--json', '-p', p.root]);
    assert.equal(first.code, 0, first.stderr);
    const before = JSON.parse(first.stdout) as { cost: { total: number; unknown: string[] } };
    assert.equal(before.cost.total, 0);
    assert.equal(before.cost.unknown.length, 4);

    const run = await runCli(['run', '--json', '-p', p.root]);
    assert.equal(run.code, 0, run.stderr);

    const doc = JSON.parse((await runCli(['plan', '--explain', '--full-refresh', '--json', '-p', p.root])).stdout) as {
      cost: { total: number; unknown: string[]; models: { model: string; samples: number; cost: number }[] };
    };
    assert.deepEqual(doc.cost.unknown, []);
    assert.ok(
      doc.cost.models.every((m) => m.samples === 1 && m.cost > 0),
      JSON.stringify(doc.cost.models),
    );
    const sum = doc.cost.models.reduce((s, m) => s + m.cost, 0);
    assert.ok(Math.abs(doc.cost.total - sum) < 1e-12);

    const cost = JSON.parse((await runCli(['cost', '--json', '-p', p.root])).stdout) as { total: { total: number } };
    assert.ok(
      Math.abs(doc.cost.total - cost.total.total) < 1e-9,
      `the estimate (${doc.cost.total}) is what the one past run cost (${cost.total.total})`,
    );

    const text = await runCli(['plan', '--explain', '--full-refresh', '-p', p.root]);
    assert.match(text.stdout, /^estimated cost \$[0-9.]+: what the 4 model\(s\) to build with history cost/m);
    assert.match(text.stdout, /fct_orders {2}BUILD .*\n(    .*\n)*    est\. cost \$[0-9.]+ \(median of 1 past build\)/);
  });
});
