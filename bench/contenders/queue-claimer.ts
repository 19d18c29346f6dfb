import { hostname } from 'node:os';
import { childMain } from '../child.js';
import { createMetadataStore } from '../../src/store/create-metadata-store.js';

/** One claimer process of the queue benchmark: claim and complete no-op items until none is left. */
export interface ClaimerJob {
  readonly url: string;
  readonly root: string;
  readonly workerId: string;
  /** Wall-clock time (epoch ms) at which to start claiming, so every claimer starts together. */
  readonly startAt: number;
  /** Workers registered since then count as live (every claimer of this round). */
  readonly liveSince: number;
}

export interface ClaimerResult {
  readonly items: number;
  readonly startMs: number;
  readonly endMs: number;
}

async function claimAll(job: ClaimerJob): Promise<ClaimerResult> {
  const store = createMetadataStore(job.url, job.root);
  try {
    await store.migrate();
    // Registered, as a worker is: claims count live workers for the queues' maximum shares.
    await store.registerWorker({
      id: job.workerId,
      host: hostname(),
      pid: process.pid,
      cpus: 1,
      memoryBytes: 2 ** 30,
      startedAt: Date.now(),
    });
    while (Date.now() < job.startAt) await new Promise((r) => setTimeout(r, 1));
    const startMs = Date.now();
    let items = 0;
    for (;;) {
      const now = Date.now();
      const lease = await store.claimItem({
        workerId: job.workerId,
        cpus: 1,
        memoryBytes: 2 ** 30,
        now,
        leaseMs: 60_000,
        liveSince: job.liveSince,
      });
      if (!lease) break;
      const ok = await store.completeItem(lease.item.id, lease.attempt, {
        now: Date.now(),
        rowsOut: 0,
        bytesOut: 0,
        output: '{}',
      });
      if (!ok) throw new Error(`item ${lease.item.id} was fenced: the benchmark expects no lease to expire`);
      items++;
    }
    const endMs = Date.now();
    await store.stopWorker(job.workerId, endMs, 'stopped');
    return { items, startMs, endMs };
  } finally {
    await store.close();
  }
}

childMain(import.meta.url, claimAll);
