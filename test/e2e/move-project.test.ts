import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RunResult } from '../../src/protocol/run-result.js';
import { runCli } from '../helpers/run-cli.js';
import { shopProject } from '../helpers/shop-project.js';

describe('fingerprints are relative to the project root', () => {
  const parent = mkdtempSync(join(tmpdir(), 'sluice-moved-'));
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('a project moved to another folder after its build rebuilds nothing', async () => {
    const p = await shopProject({ days: 3, perDay: 50 });
    const built = await runCli(['run', '-p', p.root, '--workers', '1']);
    assert.equal(built.code, 0, built.stderr);
    const moved = join(parent, 'checkout-elsewhere');
    renameSync(p.root, moved);
    const again = await runCli(['run', '--json', '-p', moved, '--workers', '1']);
    assert.equal(again.code, 0, again.stderr);
    const r = JSON.parse(again.stdout) as RunResult;
    assert.deepEqual(
      r.tasks.map((t) => [t.model, t.status]),
      ['dim_customers', 'fct_orders', 'rpt_daily', 'rpt_city'].map((m) => [m, 'skipped']),
    );
  });
});
