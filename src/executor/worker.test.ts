import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Engine } from '../engine/engine.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { SqliteMetadataStore } from '../store/sqlite/sqlite-metadata-store.js';
import { runWorker } from './worker.js';
import type { WorkerEvent } from '../protocol/worker-event.js';

describe('runWorker and an unreachable metadata store', () => {
  it('reports, backs off and keeps going instead of exiting', async () => {
    const real = new SqliteMetadataStore(':memory:');
    await real.migrate();
    let failures = 3;
    const flaky = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'claimItem' && failures > 0) {
          return async () => {
            failures--;
            throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as MetadataStore;
    const events: WorkerEvent[] = [];
    const stop = new AbortController();
    let claimsAfterRecovery = 0;
    const done = runWorker({
      id: 'w',
      store: flaky,
      objects: {} as ObjectStore,
      engine: {} as Engine,
      cpus: 1,
      memoryBytes: 1,
      leaseMs: 1000,
      heartbeatMs: 300,
      pollMs: 5,
      stop: stop.signal,
      onEvent: (e) => events.push(e),
      waitForWork: async (ms, signal) => {
        if (failures === 0 && ++claimsAfterRecovery >= 2) stop.abort();
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(ms, 20));
          signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
      },
    });
    const stats = await done;
    assert.deepEqual(stats, { succeeded: 0, failed: 0, fenced: 0, released: 0 });
    const errors = events.filter((e) => e.kind === 'store_error');
    assert.equal(errors.length, 3);
    assert.match(errors[0]!.kind === 'store_error' ? errors[0]!.error : '', /ECONNREFUSED/);
    const waits = errors.map((e) => (e.kind === 'store_error' ? e.retryInMs : 0));
    assert.ok(waits[0]! < waits[1]! && waits[1]! < waits[2]!, `backoff grows: ${waits.join(', ')}`);
    assert.ok(claimsAfterRecovery >= 2, 'claims went on after the store came back');
    await real.close();
  });
});
