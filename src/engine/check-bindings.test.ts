import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadProject } from '../catalog/load-project.js';
import { model, writeProject } from '../../test/helpers/temp-project.js';
import { DuckDbEngine } from './duckdb-engine.js';
import { resolveEngineSettings } from './engine-settings.js';
import { join } from 'node:path';

describe('checkBindings', () => {
  it(
    'binds a deep diamond DAG (each model joins its two predecessors) without re-binding its upstream',
    { timeout: 60_000 },
    async () => {
      // Views on views would re-bind the whole upstream at every level: 2^depth binds here.
      const depth = 40;
      const files: Record<string, string> = {
        'sluice.yaml': 'name: diamond\n',
        'models/m_00.sql': model({ type: 'dimension', business_unit: 'x' }, "select 1 as x, 'a' as y"),
      };
      for (let i = 1; i < depth; i++) {
        const a = `m_${String(i - 1).padStart(2, '0')}`;
        const b = `m_${String(Math.max(0, i - 2)).padStart(2, '0')}`;
        files[`models/m_${String(i).padStart(2, '0')}.sql`] = model(
          { type: 'fact', business_unit: 'x' },
          `select a.x + 1 as x, a.y from ${a} a join ${b} b using (x)`,
        );
      }
      files['models/broken.sql'] = model({ type: 'report', business_unit: 'x' }, `select nope from m_${depth - 1}`);
      const p = writeProject(files);
      try {
        const project = await loadProject(p.root);
        const engine = await DuckDbEngine.create(
          resolveEngineSettings({ threads: 1, memoryLimit: '1GB', tempDirectory: join(p.root, '.tmp'), shareOf: 1 }),
          { directories: [p.root], files: [] },
        );
        try {
          const order = [...[...project.models.keys()].filter((m) => m !== 'broken').sort(), 'broken'];
          const problems = await engine.checkBindings(project, order);
          assert.deepEqual(
            problems.map((x) => [x.model, x.code]),
            [['broken', 'CONFIG_SQL']],
          );
          assert.match(problems[0]!.message, /nope/);
        } finally {
          await engine.close();
        }
      } finally {
        p.cleanup();
      }
    },
  );
});
