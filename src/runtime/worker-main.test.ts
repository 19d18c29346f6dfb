import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toProjectConfig } from '../catalog/config-schema.js';
import { SqliteMetadataStore } from '../store/sqlite/sqlite-metadata-store.js';
import { workerMain } from './worker-main.js';

describe('workerMain with the settings handed to it (sluice run)', () => {
  // A folder without sluice.yaml: the worker must not look for one.
  const root = mkdtempSync(join(tmpdir(), 'sluice-worker-main-'));
  const settings = { root, config: toProjectConfig({ name: 'handed', execution: { threads: 1 } }) };
  const workers = async () => {
    const store = new SqliteMetadataStore(join(root, '.sluice/sluice.db'));
    try {
      await store.migrate();
      return await store.listWorkers({ includeStopped: true });
    } finally {
      await store.close();
    }
  };
  after(() => rmSync(root, { recursive: true, force: true }));

  it('stopped while it starts up: leaves without registering', async () => {
    const stop = new AbortController();
    stop.abort();
    const stats = await workerMain({ projectRoot: undefined, settings, id: 'early-stop', stop: stop.signal });
    assert.deepEqual(stats, { succeeded: 0, failed: 0, fenced: 0, released: 0 });
    assert.deepEqual(await workers(), []);
  });

  it('otherwise registers, and deregisters when stopped', async () => {
    const stop = new AbortController();
    const done = workerMain({ projectRoot: undefined, settings, id: 'runs', stop: stop.signal });
    while (!(await workers()).some((w) => w.id === 'runs' && w.state === 'active'))
      await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await done;
    assert.deepEqual(
      (await workers()).map((w) => [w.id, w.state]),
      [['runs', 'stopped']],
    );
  });
});
