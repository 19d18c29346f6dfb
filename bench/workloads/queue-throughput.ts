import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetadataStore } from '../../src/store/create-metadata-store.js';
import type { NewItem } from '../../src/store/work-queue.js';
import { runInChild } from '../child.js';
import type { ClaimerJob, ClaimerResult } from '../contenders/queue-claimer.js';
import { summarise, type Summary } from '../stats.js';

const CLAIMER = new URL('../contenders/queue-claimer.ts', import.meta.url).href;

/** The queue alone: no-op work items claimed and completed by several claimer processes. */
export interface QueueShape {
  readonly items: number;
  readonly tasks: number;
  readonly claimers: number;
}

export const QUEUE: QueueShape = { items: 20_000, tasks: 100, claimers: 4 };
export const QUICK_QUEUE: QueueShape = { items: 4_000, tasks: 20, claimers: 4 };

export interface QueueResult {
  readonly store: string;
  readonly shape: QueueShape;
  /** Items claimed and completed per second, over all claimers (first claim to last completion). */
  readonly itemsPerSecond: Summary;
  /** Claim + complete, per item, seen by one claimer (its wall time ÷ its items). */
  readonly msPerItem: Summary;
}

/**
 * Fills a fresh store (`url` names it; `sqlite:` in a temporary folder when `url` is undefined)
 * with `shape.items` no-op items over `shape.tasks` tasks, then lets `shape.claimers` processes
 * drain it; repeated `runs` times, each on a fresh run.
 */
export async function benchQueue(
  kind: string,
  url: string | undefined,
  shape: QueueShape,
  opts: { runs: number; log: (line: string) => void },
): Promise<QueueResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-queue-'));
  const storeUrl = url ?? `sqlite:${join(dir, 'queue.db')}`;
  const rates: number[] = [];
  const perItem: number[] = [];
  try {
    const store = createMetadataStore(storeUrl, dir);
    await store.migrate();
    await store.setQueues([{ name: 'default', share: 100, maxShare: 100 }]);
    const perTask = Math.ceil(shape.items / shape.tasks);
    const retry = { maxCodeAttempts: 1, maxInfraAttempts: 1, backoffMs: 0, maxBackoffMs: 0 };
    for (let r = 0; r < opts.runs; r++) {
      const runId = `bench-queue-${Date.now()}-${r}`;
      const tasks = Array.from({ length: shape.tasks }, (_, t) => ({
        model: `m_${String(t).padStart(4, '0')}`,
        group: `g_${t % 10}`,
        concurrency: shape.tasks,
      }));
      await store.createRun({ id: runId, project: 'bench-queue', selector: '*', startedAt: Date.now() }, tasks);
      for (const t of tasks) {
        const items: NewItem[] = Array.from({ length: perTask }, (_, i) => ({
          itemNo: i,
          queue: 'default',
          priority: 0,
          cpus: 1,
          memoryBytes: 0,
          spec: '{}',
        }));
        await store.enqueueItems(runId, t.model, items, retry, Date.now());
      }
      const liveSince = Date.now();
      const startAt = liveSince + 1500; // every claimer boots and registers first
      const outs = await Promise.all(
        Array.from({ length: shape.claimers }, (_, c) =>
          runInChild<ClaimerResult>(CLAIMER, {
            url: storeUrl,
            root: dir,
            workerId: `claimer-${r}-${c}`,
            startAt,
            liveSince,
          } satisfies ClaimerJob),
        ),
      );
      const done = outs.reduce((s, o) => s + o.result.items, 0);
      const spread = outs.map((o) => o.result.items);
      if (spread.filter((n) => n > 0).length < Math.min(shape.claimers, 2))
        throw new Error(
          `queue bench (${kind}): items per claimer ${spread.join('/')}: the claimers did not share the queue`,
        );
      if (done !== perTask * shape.tasks)
        throw new Error(`queue bench (${kind}): ${done} items completed, expected ${perTask * shape.tasks}`);
      const wallMs = Math.max(...outs.map((o) => o.result.endMs)) - Math.min(...outs.map((o) => o.result.startMs));
      rates.push((done / wallMs) * 1000);
      for (const o of outs) if (o.result.items > 0) perItem.push((o.result.endMs - o.result.startMs) / o.result.items);
      await store.finishRun(runId, 'succeeded', Date.now());
      opts.log(
        `  queue (${kind}, ${done.toLocaleString('en-US')} no-op items, ${shape.claimers} claimers)  run ${r + 1}/${opts.runs}: ${Math.round(rates.at(-1)!)} items/s`,
      );
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { store: kind, shape, itemsPerSecond: summarise(rates), msPerItem: summarise(perItem) };
}
