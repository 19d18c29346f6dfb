import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TaskRecord } from '../../../src/core/types.js';
import { runProject } from '../../../src/runtime/run-project.js';
import type { ItemRecord } from '../../../src/store/work-queue.js';
import { copyTo } from '../../helpers/duckdb-query.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { describeItem, withStore } from './worker-test-kit.js';

const DAYS = 36;
const WORKERS = 2;
/** md5 calls per row of a day (4 rows a day): one work item costs ~0.2 s on one DuckDB thread. */
const R = 40_000;

/** One split model: one work item per day folder of the source, all of similar cost. */
function splitModel(header: Record<string, unknown>): string {
  return model(
    { ...header, split_by: 'day' },
    `select e.day, e.k, count(*) as n, max(md5(e.k || r.i::varchar)) as h\nfrom events e, range(${R}) r(i)\ngroup by e.day, e.k`,
  );
}

/** A project over a source of DAYS day folders, with the given models and sluice.yaml extras. */
async function capacityProject(
  models: Record<string, string>,
  opts: { config?: string; days?: number } = {},
): Promise<{ root: string; db: string; cleanup: () => void }> {
  const days = opts.days ?? DAYS;
  const p = writeProject({
    'sluice.yaml': [
      'name: capacity',
      'execution:',
      '  threads: 1',
      '  lease_seconds: 1.5',
      '  heartbeat_seconds: 0.3',
      '  backoff_seconds: 0.1',
      '  max_items_per_task: 100',
      '  target_item_size: 0',
      opts.config ?? '',
      '',
    ].join('\n'),
    'sources/events.yml':
      'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
    ...Object.fromEntries(Object.entries(models).map(([name, sql]) => [`models/${name}.sql`, sql])),
  });
  mkdirSync(join(p.root, 'data'), { recursive: true });
  await copyTo(
    `SELECT DATE '2024-01-01' + (i // 4)::INT AS day, 'k' || (i % 4) AS k FROM range(${days * 4}) t(i)`,
    join(p.root, 'data/events'),
    'FORMAT parquet, PARTITION_BY (day)',
  );
  return { ...p, db: join(p.root, '.sluice/sluice.db') };
}

async function runAndList(root: string, db: string): Promise<{ items: ItemRecord[]; tasks: TaskRecord[] }> {
  const result = await runProject(root, { workers: WORKERS });
  assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks));
  return withStore(db, async (s) => ({
    items: await s.listItems(result.runId),
    tasks: await s.listTasks(result.runId),
  }));
}

interface Window {
  readonly from: number;
  readonly to: number;
  /** Worker-milliseconds per queue inside the window. */
  readonly busy: Map<string, number>;
  readonly total: number;
}

/**
 * Worker time per queue from the first lease of the run (or `start`) until the first queue ran
 * out of work (its last item ended), from each item's lease interval (leasedAt..endedAt; every
 * item here ran once, so that is its busyMs).
 */
function contendedWindow(items: readonly ItemRecord[], start?: number): Window {
  for (const i of items) {
    assert.equal(i.state, 'succeeded', describeItem(i));
    assert.equal(i.attempt, 1, `one attempt per item, so lease intervals are the busy time: ${describeItem(i)}`);
    assert.equal(i.busyMs, i.endedAt! - i.leasedAt!, describeItem(i));
  }
  const queues = [...new Set(items.map((i) => i.queue))];
  const from = start ?? Math.min(...items.map((i) => i.leasedAt!));
  const to = Math.min(...queues.map((q) => Math.max(...items.filter((i) => i.queue === q).map((i) => i.endedAt!))));
  const busy = new Map(queues.map((q) => [q, 0] as [string, number]));
  for (const i of items) {
    const overlap = Math.max(0, Math.min(i.endedAt!, to) - Math.max(i.leasedAt!, from));
    busy.set(i.queue, busy.get(i.queue)! + overlap);
  }
  return { from, to, busy, total: [...busy.values()].reduce((a, b) => a + b, 0) };
}

function percent(w: Window, queue: string): number {
  return (100 * (w.busy.get(queue) ?? 0)) / w.total;
}

function describeWindow(w: Window): string {
  return `window ${w.to - w.from} ms: ${[...w.busy].map(([q, ms]) => `${q} ${ms} ms (${((100 * ms) / w.total).toFixed(1)}%)`).join(', ')}`;
}

describe('capacity-share dispatch across queues', () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((c) => c()));

  it('four busy queues get 30/30/30/10 of the workers while all have work', { timeout: 120_000 }, async () => {
    const p = await capacityProject({
      dim_members: splitModel({ type: 'dimension', business_unit: 'members', queue: 'dimension' }),
      fct_claims: splitModel({ type: 'fact', business_unit: 'claims', queue: 'fact' }),
      rpt_billing: splitModel({ type: 'report', business_unit: 'billing', queue: 'report' }),
      fct_audit: splitModel({ type: 'fact', business_unit: 'audit', queue: 'default' }),
    });
    cleanups.push(p.cleanup);
    const { items } = await runAndList(p.root, p.db);
    assert.equal(items.length, 4 * DAYS, 'one item per day folder and model');
    const w = contendedWindow(items);
    console.log(`four queues: ${describeWindow(w)}`);
    const expected = { dimension: 30, fact: 30, report: 30, default: 10 };
    for (const [queue, share] of Object.entries(expected)) {
      assert.ok(
        Math.abs(percent(w, queue) - share) <= 5,
        `queue ${queue} got ${percent(w, queue).toFixed(1)}% instead of ${share}% ± 5 (${describeWindow(w)})`,
      );
    }
  });

  it(
    'two busy queues borrow the capacity of the idle ones: ~50% each, workers kept busy',
    { timeout: 120_000 },
    async () => {
      const p = await capacityProject({
        fct_claims: splitModel({ type: 'fact', business_unit: 'claims', queue: 'fact' }),
        rpt_billing: splitModel({ type: 'report', business_unit: 'billing', queue: 'report' }),
      });
      cleanups.push(p.cleanup);
      const { items } = await runAndList(p.root, p.db);
      const w = contendedWindow(items);
      console.log(`two queues: ${describeWindow(w)}`);
      for (const queue of ['fact', 'report']) {
        assert.ok(
          Math.abs(percent(w, queue) - 50) <= 5,
          `queue ${queue} got ${percent(w, queue).toFixed(1)}% instead of 50% ± 5 (${describeWindow(w)})`,
        );
      }
      // Utilisation once every worker is up (workers finish booting at different times).
      const workers = [...new Set(items.map((i) => i.workerId!))];
      assert.equal(workers.length, WORKERS);
      const allUp = Math.max(
        ...workers.map((id) => Math.min(...items.filter((i) => i.workerId === id).map((i) => i.leasedAt!))),
      );
      const u = contendedWindow(items, allUp);
      const utilisation = u.total / (WORKERS * (u.to - u.from));
      console.log(`two queues, all workers up: ${describeWindow(u)}; utilisation ${(100 * utilisation).toFixed(1)}%`);
      assert.ok(
        utilisation >= 0.8,
        `the workers were busy ${(100 * utilisation).toFixed(1)}% of the window (${describeWindow(u)})`,
      );
    },
  );

  it('a group never runs more tasks at once than its step concurrency', { timeout: 120_000 }, async () => {
    const names = ['fct_a', 'fct_b', 'fct_c', 'fct_d', 'fct_e', 'fct_f'];
    const p = await capacityProject(
      Object.fromEntries(names.map((n) => [n, splitModel({ type: 'fact', business_unit: 'claims' })])),
      // Two items per task and three workers: whenever both running tasks have no pending item
      // left, a free worker could start a third task if the cap let it.
      { config: 'defaults:\n  step_concurrency: 2', days: 2 },
    );
    cleanups.push(p.cleanup);
    const result = await runProject(p.root, { workers: 3 });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.tasks));
    const tasks = await withStore(p.db, (s) => s.listTasks(result.runId));
    assert.deepEqual(new Set(tasks.map((t) => t.group)), new Set(['fact_claims']));
    const events = tasks.flatMap((t) => [
      { at: t.startedAt!, d: +1 },
      { at: t.endedAt!, d: -1 },
    ]);
    // Ends before starts at the same instant: a task that ended lets the next one start.
    events.sort((a, b) => a.at - b.at || a.d - b.d);
    let running = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (running += e.d));
    const t0 = Math.min(...tasks.map((t) => t.startedAt!));
    const spans = tasks.map((t) => `${t.model} ${t.startedAt! - t0}..${t.endedAt! - t0}`).join(', ');
    console.log(`step concurrency 2: at most ${most} tasks at once: ${spans}`);
    assert.ok(most <= 2, `${most} tasks of the group ran at once with step_concurrency 2: ${spans}`);
    assert.equal(most, 2, `the group did run 2 tasks at once (3 workers were available): ${spans}`);
  });
});
