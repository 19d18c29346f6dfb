import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueDepth } from '../store/work-queue.js';
import type { WorkerEvent } from '../protocol/worker-event.js';

/**
 * A worker's Prometheus metrics (prom-client), fed by its WorkerEvents. Labels are bounded
 * (outcome, worker id): per-model detail is in the metadata store (`sluice stats`).
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly attempts: Counter<'outcome'>;
  private readonly wall: Histogram<'outcome'>;
  private readonly cpu: Counter;
  private readonly rows: Counter;
  private readonly busy: Gauge;
  private readonly unrecorded: Counter;
  private readonly bytes: Counter;
  private readonly failures: Counter<'kind'>;
  private depths: (() => Promise<readonly QueueDepth[]>) | undefined;

  constructor(workerId: string, opts: { defaultMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ worker_id: workerId });
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_worker_' });
    const registers = [this.registry];
    this.attempts = new Counter({
      name: 'sluice_worker_attempts_total',
      help: 'Work-item attempts this worker finished, by outcome (succeeded, retry, dead, fenced, released).',
      labelNames: ['outcome'],
      registers,
    });
    this.wall = new Histogram({
      name: 'sluice_worker_attempt_seconds',
      help: 'Wall time of work-item attempts.',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.cpu = new Counter({
      name: 'sluice_worker_attempt_cpu_seconds_total',
      help: 'CPU time (user + system) spent in work-item attempts.',
      registers,
    });
    this.rows = new Counter({
      name: 'sluice_worker_rows_written_total',
      help: 'Rows written by succeeded attempts.',
      registers,
    });
    this.busy = new Gauge({
      name: 'sluice_worker_busy',
      help: '1 while the worker holds a work item, else 0.',
      registers,
    });
    this.unrecorded = new Counter({
      name: 'sluice_worker_metrics_unrecorded_total',
      help: 'Attempts whose metrics could not be written to the metadata store.',
      registers,
    });
    this.bytes = new Counter({
      name: 'sluice_worker_bytes_written_total',
      help: 'Bytes of Parquet written by succeeded attempts.',
      registers,
    });
    this.failures = new Counter({
      name: 'sluice_worker_failures_total',
      help: 'Attempts that did not succeed, by outcome (retry, dead, fenced).',
      labelNames: ['kind'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'sluice_queue_depth',
      help: 'Work items per queue over the running runs of the metadata store this worker uses, by state (pending, leased); read at scrape time.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        if (!self.depths) return;
        this.reset();
        try {
          for (const d of await self.depths()) {
            this.set({ queue: d.queue, state: 'pending' }, d.pending);
            this.set({ queue: d.queue, state: 'leased' }, d.leased);
          }
        } catch {
          // The store is unreachable: the scrape shows no depth rather than failing.
        }
      },
    });
    this.busy.set(0);
  }

  /** Report queue depths from this source (the worker's metadata store) at each scrape. */
  watchQueues(depths: () => Promise<readonly QueueDepth[]>): void {
    this.depths = depths;
  }

  /** Feed one worker event. */
  observe(e: WorkerEvent): void {
    switch (e.kind) {
      case 'item_started':
        this.busy.set(1);
        break;
      case 'item_measured':
        this.wall.observe({ outcome: e.outcome }, e.wallMs / 1000);
        this.cpu.inc(e.cpuMs / 1000);
        this.rows.inc(e.rowsOut);
        this.bytes.inc(e.bytesOut);
        if (!e.recorded) this.unrecorded.inc();
        break;
      case 'item_finished':
        this.attempts.inc({ outcome: e.outcome });
        if (e.outcome === 'retry' || e.outcome === 'dead' || e.outcome === 'fenced')
          this.failures.inc({ kind: e.outcome });
        this.busy.set(0);
        break;
    }
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
