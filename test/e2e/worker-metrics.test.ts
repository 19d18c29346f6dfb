import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePrometheusText } from '../../src/observability/prometheus-text.js';
import { runCli, spawnCli } from '../helpers/run-cli.js';
import { shopProject } from '../helpers/shop-project.js';

describe('sluice worker --metrics-port', () => {
  let p: Awaited<ReturnType<typeof shopProject>>;
  before(async () => {
    p = await shopProject();
  });
  after(() => p.cleanup());

  it('serves Prometheus text while it works, counting the attempts it ran', async () => {
    const worker = spawnCli([
      'worker',
      '--metrics-port',
      '0',
      '--id',
      'standalone-1',
      '--log-format',
      'json',
      '-p',
      p.root,
    ]);
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      worker.stderr!.on('data', (d) => {
        stderr += d;
        const m = /metrics on http:\/\/localhost:(\d+)\/metrics/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      worker.on('exit', () => reject(new Error(`worker exited: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => worker.on('exit', (code) => resolve(code)));
    try {
      const run = await runCli(['run', '--workers', '1', '-p', p.root]);
      assert.equal(run.code, 0, run.stderr);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      const { samples } = parsePrometheusText(await res.text());
      const attempts = samples
        .filter((s) => s.name === 'sluice_worker_attempts_total' && s.labels.worker_id === 'standalone-1')
        .reduce((n, s) => n + s.value, 0);
      // The worker logs one JSON line per attempt outcome on stderr.
      const logged = stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { outcome?: string; workerId?: string; itemId?: string });
      const ran = logged.filter((l) => l.outcome !== undefined);
      assert.ok(ran.every((l) => l.workerId === 'standalone-1' && typeof l.itemId === 'string'));
      assert.equal(attempts, ran.length, `the counter matches the attempts the worker logged:\n${stderr}`);
      assert.ok(samples.some((s) => s.name === 'sluice_worker_busy'));
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
  });
});
