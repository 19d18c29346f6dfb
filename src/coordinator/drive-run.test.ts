import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Project, TableType } from '../core/types.js';
import type { Engine, ModelOutput, ModelRun } from '../engine/engine.js';
import { buildPlan } from '../planner/build-plan.js';
import { makeModels } from '../planner/test-models.js';
import { LocalObjectStore } from '../storage/local/local-object-store.js';
import { SqliteMetadataStore } from '../store/sqlite/sqlite-metadata-store.js';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { driveRun } from './drive-run.js';
import { InProcessWorkers } from '../launcher/in-process-workers.js';

/** An engine that takes a little time per model, fails on request, and records what overlapped. */
class FakeEngine implements Engine {
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  maxTotal = 0;
  private total = 0;
  constructor(
    private readonly groupOf: (model: string) => string,
    private readonly failing = new Set<string>(),
  ) {}

  async runModel(run: ModelRun): Promise<ModelOutput> {
    const g = this.groupOf(run.model.name);
    this.inFlight.set(g, (this.inFlight.get(g) ?? 0) + 1);
    this.total++;
    this.maxInFlight.set(g, Math.max(this.maxInFlight.get(g) ?? 0, this.inFlight.get(g)!));
    this.maxTotal = Math.max(this.maxTotal, this.total);
    await new Promise((r) => setTimeout(r, 15 + Math.random() * 25));
    this.inFlight.set(g, this.inFlight.get(g)! - 1);
    this.total--;
    if (this.failing.has(run.model.name)) throw new Error(`boom in ${run.model.name}`);
    return { columns: [{ name: 'x', type: 'INTEGER' }], rows: 0, bytes: 0, files: [] };
  }
  async checkBindings() {
    return [];
  }
  async close() {}
}

function project(spec: Parameters<typeof makeModels>[0], stepConcurrency: number): Project {
  return {
    root: '/nonexistent',
    config: {
      name: 't',
      paths: { models: 'models', sources: 'sources', state: '.sluice', allowedRoots: [] },
      storage: { objects: 'warehouse', metadata: 'sqlite::memory:', durable: true },
      execution: {
        threads: 1,
        memoryLimit: '1GB',
        workers: 0,
        leaseMs: 5000,
        heartbeatMs: 1000,
        maxItemsPerTask: 64,
        targetItemBytes: 0,
        broadcastBytes: 0,
        timeoutMs: 3_600_000,
        retry: { codeAttempts: 1, infraAttempts: 3, backoffMs: 10, maxBackoffMs: 100 },
      },
      queues: [
        { name: 'dimension', share: 30, maxShare: 100 },
        { name: 'fact', share: 30, maxShare: 100 },
        { name: 'report', share: 30, maxShare: 100 },
        { name: 'default', share: 10, maxShare: 100 },
      ],
      defaults: { maxTasksPerGroup: 16, stepConcurrency, queue: 'default' },
    },
    sources: new Map(),
    models: makeModels(spec),
  };
}

/** Largest number of [start, end) intervals open at once; an end at t closes before a start at t. */
function maxOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap(
    ([s, e]) =>
      [
        [s, 1],
        [e, -1],
      ] as [number, number][],
  );
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (open += d));
  return max;
}

/** Run a plan with `workers` in-process workers on the fake engine. */
async function drive(
  ctx: { project: Project; objects: LocalObjectStore; store: SqliteMetadataStore; conn: DuckDBConnection },
  engine: Engine,
  workers: number,
  opts: Parameters<typeof driveRun>[3] = {},
) {
  const pool = new InProcessWorkers({
    count: workers,
    store: ctx.store,
    objects: ctx.objects,
    engine,
    leaseMs: 5000,
    heartbeatMs: 1000,
  });
  try {
    return await driveRun(ctx, buildPlan(ctx.project), pool, { pollMs: 20, ...opts });
  } finally {
    await pool.stop();
  }
}

describe('driveRun (coordinator) with in-process workers', () => {
  let dir: string;
  let objects: LocalObjectStore;
  let store: SqliteMetadataStore;
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeEach(async () => {
    db = await DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    conn = await db.connect();
    dir = mkdtempSync(join(tmpdir(), 'sluice-runplan-'));
    objects = new LocalObjectStore(join(dir, 'warehouse'));
    store = new SqliteMetadataStore(':memory:');
    await store.migrate();
  });
  afterEach(async () => {
    conn.closeSync();
    db.closeSync();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never exceeds a group step concurrency, measured by the engine and from the store timestamps', async () => {
    const spec: Record<string, [TableType, string, string[]?]> = {};
    for (let i = 0; i < 12; i++) spec[`f${i}`] = ['fact', 'a'];
    for (let i = 0; i < 6; i++) spec[`d${i}`] = ['dimension', 'b'];
    const p = project(spec, 3);
    const plan = buildPlan(p);
    const engine = new FakeEngine((m) => plan.grouping.groupOf.get(m)!);
    const result = await drive({ project: p, objects, store, conn }, engine, 5);
    assert.equal(result.status, 'succeeded');
    // In flight on the engine: never above the cap.
    assert.ok(
      engine.maxInFlight.get('fact_a')! <= 3 && engine.maxInFlight.get('dimension_b')! <= 3,
      JSON.stringify([...engine.maxInFlight]),
    );
    assert.ok(engine.maxTotal <= 5, `workers cap: ${engine.maxTotal}`);
    // Running tasks per group, from the store's timestamps (a task runs from its first claim to
    // its publish): the cap is reached, so the measure can see it, and never passed.
    const tasks = await store.listTasks(result.runId);
    for (const group of ['fact_a', 'dimension_b']) {
      const intervals = tasks
        .filter((t: { group: string }) => t.group === group)
        .map((t) => [t.startedAt!, t.endedAt!] as [number, number]);
      const overlap = maxOverlap(intervals);
      assert.ok(overlap <= 3 && overlap >= 2, `${group}: ${overlap} at once in the store`);
    }
  });

  it('marks everything downstream of a failure not_run and finishes independent branches', async () => {
    const p = project({ a: ['fact', 'x'], b: ['fact', 'x', ['a']], c: ['report', 'x', ['b']], z: ['fact', 'y'] }, 4);
    const plan = buildPlan(p);
    const engine = new FakeEngine(() => 'g', new Set(['a']));
    const result = await drive({ project: p, objects, store, conn }, engine, 2);
    assert.equal(result.status, 'failed');
    const status = Object.fromEntries(result.tasks.map((t) => [t.model, t.status]));
    assert.deepEqual(status, { a: 'failed', b: 'not_run', c: 'not_run', z: 'succeeded' });
    assert.match(result.tasks.find((t) => t.model === 'a')!.error!, /boom in a/);
    const stored = await store.listTasks(result.runId);
    assert.deepEqual(Object.fromEntries(stored.map((t) => [t.model, t.status])), status);
    assert.equal((await store.getRun(result.runId))!.status, 'failed');
  });

  it('stops starting tasks when aborted and reports the rest as not run', async () => {
    const spec: Record<string, [TableType, string, string[]?]> = {};
    for (let i = 0; i < 10; i++) spec[`m${i}`] = ['fact', 'a', i > 0 ? [`m${i - 1}`] : []];
    const p = project(spec, 1);
    const plan = buildPlan(p);
    const controller = new AbortController();
    const engine = new FakeEngine(() => 'g');
    const result = await drive({ project: p, objects, store, conn }, engine, 1, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'task_finished' && e.task.model === 'm2') controller.abort();
      },
    });
    assert.equal(result.status, 'failed');
    assert.equal(result.counts.succeeded, 3);
    assert.equal(result.counts.not_run, 7);
  });
});
