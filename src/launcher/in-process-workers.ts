import type { Engine } from '../engine/engine.js';
import { runWorker } from '../executor/worker.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { WorkerSignals } from '../core/worker-signals.js';
import { Wakeup } from '../core/wakeup.js';
import type { WorkerEvent } from '../protocol/worker-event.js';

/**
 * Workers as loops in this process (tests, and engines that are not DuckDB). Same protocol as
 * worker processes: they claim from the store, so the coordinator cannot tell the difference.
 */
export class InProcessWorkers implements WorkerSignals {
  private readonly stopController = new AbortController();
  private readonly toWorkers = new Wakeup();
  private readonly toCoordinator = new Wakeup();
  private readonly loops: Promise<unknown>[] = [];

  constructor(opts: {
    count: number;
    store: MetadataStore;
    objects: ObjectStore;
    engine: Engine;
    leaseMs: number;
    heartbeatMs: number;
    cpus?: number;
    memoryBytes?: number;
    onEvent?: (e: WorkerEvent) => void;
  }) {
    for (let i = 0; i < opts.count; i++) {
      const id = `inproc-${process.pid}-${i}`;
      this.loops.push(
        opts.store
          .registerWorker({
            id,
            host: 'localhost',
            pid: process.pid,
            cpus: opts.cpus ?? 1,
            memoryBytes: opts.memoryBytes ?? 2 ** 40,
            startedAt: Date.now(),
          })
          .then(() =>
            runWorker({
              id,
              store: opts.store,
              objects: opts.objects,
              engine: opts.engine,
              cpus: opts.cpus ?? 1,
              memoryBytes: opts.memoryBytes ?? 2 ** 40,
              leaseMs: opts.leaseMs,
              heartbeatMs: opts.heartbeatMs,
              pollMs: 50,
              stop: this.stopController.signal,
              waitForWork: (ms, stop) => this.toWorkers.wait(ms, stop),
              onEvent: (e) => {
                opts.onEvent?.(e);
                if (e.kind === 'item_finished') this.toCoordinator.notify();
              },
            }),
          )
          .finally(() => opts.store.stopWorker(id, Date.now(), 'stopped')),
      );
    }
  }

  wake(): void {
    this.toWorkers.notify();
  }

  waitForChange(ms: number): Promise<void> {
    return this.toCoordinator.wait(ms);
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.toWorkers.notify();
    await Promise.all(this.loops);
  }
}
