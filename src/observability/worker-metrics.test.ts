import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serveMetrics } from './metrics-server.js';
import { parsePrometheusText } from './prometheus-text.js';
import { WorkerMetrics } from './worker-metrics.js';

describe('worker /metrics', () => {
  it('serves Prometheus text that parses, with the attempts fed to it', async () => {
    const metrics = new WorkerMetrics('w-1');
    metrics.observe({ kind: 'item_started', itemId: 'r/m/000000', attempt: 1 });
    metrics.observe({
      kind: 'item_measured',
      itemId: 'r/m/000000',
      attempt: 1,
      outcome: 'succeeded',
      wallMs: 1500,
      cpuMs: 750,
      rowsOut: 42,
      bytesOut: 4096,
      recorded: true,
    });
    metrics.observe({ kind: 'item_finished', itemId: 'r/m/000000', attempt: 1, outcome: 'succeeded' });
    metrics.observe({
      kind: 'item_measured',
      itemId: 'r/m/000001',
      attempt: 1,
      outcome: 'failed',
      wallMs: 200,
      cpuMs: 100,
      rowsOut: 0,
      bytesOut: 0,
      recorded: false,
    });
    metrics.observe({ kind: 'item_finished', itemId: 'r/m/000001', attempt: 1, outcome: 'retry', error: 'boom' });
    metrics.watchQueues(async () => [
      { queue: 'fact', pending: 7, leased: 2 },
      { queue: 'report', pending: 3, leased: 0 },
    ]);
    const server = await serveMetrics(metrics, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const { types, samples } = parsePrometheusText(await res.text());
      const value = (name: string, labels: Record<string, string> = {}) =>
        samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      assert.equal(types.get('sluice_worker_attempts_total'), 'counter');
      assert.equal(types.get('sluice_worker_attempt_seconds'), 'histogram');
      assert.equal(value('sluice_worker_attempts_total', { outcome: 'succeeded', worker_id: 'w-1' }), 1);
      assert.equal(value('sluice_worker_attempts_total', { outcome: 'retry' }), 1);
      assert.equal(value('sluice_worker_attempt_seconds_count', { outcome: 'succeeded' }), 1);
      assert.equal(value('sluice_worker_attempt_seconds_sum', { outcome: 'succeeded' }), 1.5);
      assert.equal(value('sluice_worker_attempt_seconds_bucket', { outcome: 'succeeded', le: '2.5' }), 1);
      assert.equal(value('sluice_worker_attempt_seconds_bucket', { outcome: 'succeeded', le: '1' }), 0);
      assert.equal(value('sluice_worker_attempt_cpu_seconds_total'), 0.85);
      assert.equal(value('sluice_worker_rows_written_total'), 42);
      assert.equal(value('sluice_worker_bytes_written_total'), 4096);
      assert.equal(value('sluice_worker_failures_total', { kind: 'retry' }), 1);
      assert.equal(types.get('sluice_queue_depth'), 'gauge');
      assert.equal(value('sluice_queue_depth', { queue: 'fact', state: 'pending' }), 7);
      assert.equal(value('sluice_queue_depth', { queue: 'fact', state: 'leased' }), 2);
      assert.equal(value('sluice_queue_depth', { queue: 'report', state: 'pending' }), 3);
      assert.equal(value('sluice_worker_busy'), 0);
      assert.equal(value('sluice_worker_metrics_unrecorded_total'), 1);
      assert.ok(value('sluice_worker_process_resident_memory_bytes')! > 0, 'process metrics are included');
      assert.equal((await fetch(`http://127.0.0.1:${server.port}/other`)).status, 404);
    } finally {
      await server.close();
    }
  });

  it('the reader rejects text that is not Prometheus exposition', () => {
    assert.throws(() => parsePrometheusText('# TYPE a counter\na{x="1" 2\n'), /malformed/);
    assert.throws(() => parsePrometheusText('b 1\n'), /undeclared/);
    assert.throws(() => parsePrometheusText('# TYPE a thing\n'), /unknown type/);
    assert.deepEqual(parsePrometheusText('# HELP a x\n# TYPE a gauge\na{k="v\\"q"} 3 1700000000000\n').samples, [
      { name: 'a', labels: { k: 'v"q' }, value: 3 },
    ]);
  });
});
