import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SluiceError } from '../../core/errors.js';
import { createMetadataStore } from '../create-metadata-store.js';
import { metadataStoreContract } from '../metadata-store.contract.js';
import { metricsStoreContract } from '../metrics-store.contract.js';
import { workQueueContract } from '../work-queue.contract.js';
import { taskSkipsContract } from '../task-skips.contract.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteMetadataStore } from './sqlite-metadata-store.js';

metadataStoreContract('SqliteMetadataStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-contract-'));
  const store = new SqliteMetadataStore(join(dir, 'state', 'metadata.db'));
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

metadataStoreContract('SqliteMetadataStore (:memory:)', async () => ({
  store: new SqliteMetadataStore(':memory:'),
  cleanup: async () => undefined,
}));

taskSkipsContract('SqliteMetadataStore (:memory:)', async () => ({
  store: new SqliteMetadataStore(':memory:'),
  cleanup: async () => undefined,
}));

workQueueContract('SqliteMetadataStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-queue-'));
  const file = join(dir, 'metadata.db');
  return {
    store: new SqliteMetadataStore(file),
    connect: async () => new SqliteMetadataStore(file),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

workQueueContract('SqliteMetadataStore (:memory:)', async () => ({
  store: new SqliteMetadataStore(':memory:'),
  cleanup: async () => undefined,
}));

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/contract/fixtures/${name}`, import.meta.url));

/** A child process that prints "ready", waits for "go" on stdin, then prints one JSON line. */
function spawnRacer<T>(
  child: string,
  args: readonly string[],
  label: string,
): { ready: Promise<void>; go: () => void; done: Promise<T> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.setEncoding('utf8');
  const ready = new Promise<void>((resolveReady) =>
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.startsWith('ready\n')) resolveReady();
    }),
  );
  const done = new Promise<T>((resolveDone, reject) =>
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${label} exited with ${code}: ${out}`));
      resolveDone(JSON.parse(out.slice('ready\n'.length)) as T);
    }),
  );
  return { ready, go: () => proc.stdin.end('go\n'), done };
}

const isCode =
  (code: string, pattern?: RegExp) =>
  (err: unknown): boolean =>
    err instanceof SluiceError && err.code === code && (pattern === undefined || pattern.test(err.message));

describe('SqliteMetadataStore (sqlite only)', () => {
  let dir: string;
  const open: SqliteMetadataStore[] = [];
  const storeAt = (
    name: string,
    options?: ConstructorParameters<typeof SqliteMetadataStore>[1],
  ): SqliteMetadataStore => {
    const s = new SqliteMetadataStore(join(dir, name), options);
    open.push(s);
    return s;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-only-'));
  });
  after(async () => {
    for (const s of open) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent folder, uses WAL and records each migration once', async () => {
    const a = storeAt('nested/deeper/meta.db');
    await a.migrate();
    const b = storeAt('nested/deeper/meta.db');
    await b.migrate();
    await a.migrate();
    const raw = new Database(join(dir, 'nested/deeper/meta.db'), { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      const rows = raw.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all();
      assert.deepEqual(
        rows,
        MIGRATIONS.map((m) => ({ id: m.id, name: m.name })),
      );
    } finally {
      raw.close();
    }
  });

  it('refuses to work before migrate()', async () => {
    const s = storeAt('unmigrated.db');
    await assert.rejects(
      () => s.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []),
      isCode('STORE_MIGRATION', /not migrated/),
    );
    await s.migrate();
    await s.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []);
  });

  it('rolls back a failing migration and names it', async () => {
    const broken = [
      ...MIGRATIONS,
      { id: 99, name: 'broken_on_purpose', sql: 'CREATE TABLE half_done (a INTEGER); SELECT * FROM no_such_table;' },
    ];
    const s = storeAt('broken.db', { migrations: broken });
    await assert.rejects(() => s.migrate(), isCode('STORE_MIGRATION', /migration 99 \(broken_on_purpose\) failed/));
    const raw = new Database(join(dir, 'broken.db'), { readonly: true });
    try {
      assert.deepEqual(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get(), { n: 0 });
      assert.deepEqual(
        raw.prepare('SELECT id FROM schema_migrations').all(),
        MIGRATIONS.map((m) => ({ id: m.id })),
      );
    } finally {
      raw.close();
    }
  });

  it('refuses a database migrated by a newer sluice', async () => {
    const newer = storeAt('newer.db', {
      migrations: [...MIGRATIONS, { id: 1000, name: 'from_the_future', sql: 'CREATE TABLE future (a)' }],
    });
    await newer.migrate();
    const current = storeAt('newer.db');
    await assert.rejects(
      () => current.migrate(),
      isCode('STORE_MIGRATION', /migration 1000 \(from_the_future\).*does not know/),
    );
  });

  it('migration 2 upgrades a store made by migration 1: old tasks get step concurrency 1', async () => {
    const old = storeAt('upgrade.db', { migrations: MIGRATIONS.filter((m) => m.id === 1) });
    await old.migrate();
    await old.close();
    const raw = new Database(join(dir, 'upgrade.db'));
    try {
      raw
        .prepare(
          "INSERT INTO runs (id, seq, project, selector, status, started_at) VALUES ('old', 1, 'p', '*', 'running', 1)",
        )
        .run();
      for (const [seq, model] of ['x', 'y'].entries()) {
        raw
          .prepare("INSERT INTO tasks (run_id, model, seq, group_name, status) VALUES ('old', ?, ?, 'g', 'pending')")
          .run(model, seq);
      }
    } finally {
      raw.close();
    }
    const current = storeAt('upgrade.db');
    await current.migrate();
    assert.deepEqual(
      (await current.listTasks('old')).map((t) => t.model),
      ['x', 'y'],
    );
    const retry = { maxCodeAttempts: 1, maxInfraAttempts: 1, backoffMs: 0, maxBackoffMs: 0 };
    for (const model of ['x', 'y'])
      await current.enqueueItems(
        'old',
        model,
        [{ itemNo: 0, queue: 'q', priority: 0, cpus: 1, memoryBytes: 1, spec: '{}' }],
        retry,
        1,
      );
    for (const id of ['w1', 'w2'])
      await current.registerWorker({ id, host: 'h', pid: 1, cpus: 1, memoryBytes: 1, startedAt: 1 });
    const claim = (now: number) =>
      current.claimItem({ workerId: 'w1', cpus: 1, memoryBytes: 1, now, leaseMs: 1_000, liveSince: 0 });
    assert.equal((await claim(2))?.item.id, 'old/x/000000');
    assert.equal(await claim(3), undefined, 'group g runs one task at a time');
  });

  it('two connections to one file: a task started by one cannot be started by the other', async () => {
    const a = storeAt('shared.db');
    const b = storeAt('shared.db');
    await a.migrate();
    await b.migrate();
    await a.createRun({ id: 'r1', project: 'p', selector: '*', startedAt: 1 }, [
      { model: 'm', group: 'g', concurrency: 4 },
    ]);
    await b.startTask('r1', 'm', 2);
    await assert.rejects(() => a.startTask('r1', 'm', 3), isCode('STORE_CONFLICT', /running/));
    assert.equal((await a.listTasks('r1'))[0]?.startedAt, 2);
  });

  it('processes racing to start the same tasks: each task is won exactly once', async () => {
    const file = join(dir, 'race.db');
    const setup = storeAt('race.db');
    await setup.migrate();
    const models = Array.from({ length: 300 }, (_, i) => `model_${i}`);
    await setup.createRun(
      { id: 'race', project: 'p', selector: '*', startedAt: 1 },
      models.map((model) => ({ model, group: 'g', concurrency: 4 })),
    );

    const child = fixture('start-tasks-child.ts');
    const racers = Array.from({ length: 6 }, (_, i) =>
      spawnRacer<{ won: string[]; codes: string[] }>(
        child,
        [file, 'race', ...(i % 2 === 0 ? models : [...models].reverse())],
        `racer ${i}`,
      ),
    );
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.go();
    const results = await Promise.all(racers.map((r) => r.done));

    const wins = results.flatMap((r) => r.won).sort();
    assert.deepEqual(wins, [...models].sort(), 'every task started exactly once');
    assert.ok(
      results.every((r) => r.codes.every((c) => c === 'STORE_CONFLICT')),
      JSON.stringify(results.map((r) => r.codes)),
    );
    assert.equal(
      results.reduce((n, r) => n + r.codes.length, 0),
      models.length * 5,
    );
    assert.ok((await setup.listTasks('race')).every((t) => t.status === 'running'));
  });

  it('processes racing to claim work items: each item is leased exactly once', async () => {
    const file = join(dir, 'claim-race.db');
    const setup = storeAt('claim-race.db');
    await setup.migrate();
    await setup.createRun({ id: 'race', project: 'p', selector: '*', startedAt: 1 }, [
      { model: 'a', group: 'g', concurrency: 2 },
      { model: 'b', group: 'g', concurrency: 2 },
    ]);
    const retry = { maxCodeAttempts: 1, maxInfraAttempts: 1, backoffMs: 0, maxBackoffMs: 0 };
    for (const model of ['a', 'b']) {
      await setup.enqueueItems(
        'race',
        model,
        Array.from({ length: 250 }, (_, itemNo) => ({
          itemNo,
          queue: model === 'a' ? 'fact' : 'report',
          priority: 0,
          cpus: 1,
          memoryBytes: 1,
          spec: '{}',
        })),
        retry,
        0,
      );
    }
    const workers = Array.from({ length: 6 }, (_, i) => `proc-${i}`);
    for (const [pid, id] of workers.entries())
      await setup.registerWorker({ id, host: 'h', pid, cpus: 4, memoryBytes: 2 ** 34, startedAt: 0 });

    const racers = workers.map((id) =>
      spawnRacer<{ claimed: string[] }>(fixture('claim-items-child.ts'), [file, id], id),
    );
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.go();
    const results = await Promise.all(racers.map((r) => r.done));

    const claimed = results.flatMap((r) => r.claimed).sort();
    assert.equal(claimed.length, 500);
    assert.equal(new Set(claimed).size, 500, 'no item leased twice');
    assert.ok(
      claimed.every((c) => c.endsWith('#1')),
      'every item leased once, at attempt 1',
    );
    assert.ok(results.filter((r) => r.claimed.length > 0).length >= 2, 'the work was shared');
    const items = await setup.listItems('race');
    assert.ok(items.every((i) => i.state === 'succeeded' && i.attempt === 1 && i.lateWrites === 0));
    assert.deepEqual(
      (await setup.listWorkers()).map((w) => w.leased),
      [0, 0, 0, 0, 0, 0],
    );
  });

  it('close is idempotent', async () => {
    const s = storeAt('closing.db');
    await s.close();
    await s.close();
  });
});

describe('createMetadataStore', () => {
  let project: string;
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'sluice-create-meta-'));
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('opens sqlite files relative to the project, absolute, or in memory', async () => {
    const stores = [
      createMetadataStore('sqlite:.sluice/metadata.db', project),
      createMetadataStore(`sqlite:${join(project, 'abs', 'meta.db')}`, '/elsewhere'),
      createMetadataStore('sqlite::memory:', project),
    ];
    for (const s of stores) {
      await s.migrate();
      await s.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []);
      assert.equal((await s.getRun('r'))?.status, 'running');
      await s.close();
    }
    assert.ok(existsSync(join(project, '.sluice', 'metadata.db')));
    assert.ok(existsSync(join(project, 'abs', 'meta.db')));
  });

  it('explains unsupported URLs without leaking credentials', () => {
    assert.throws(
      () => createMetadataStore('mysql://sluice:hunter2@db:3306/sluice', project),
      (err: unknown) => {
        assert.ok(isCode('CONFIG_INVALID', /not a supported metadata store URL/)(err));
        assert.doesNotMatch((err as Error).message, /hunter2/);
        return true;
      },
    );
    assert.throws(
      () => createMetadataStore('mysql://db/x', project),
      isCode('CONFIG_INVALID', /not a supported metadata store URL.*sqlite:<path>/),
    );
    assert.throws(() => createMetadataStore('metadata.db', project), isCode('CONFIG_INVALID', /sqlite:<path>/));
    assert.throws(() => createMetadataStore('sqlite:', project), isCode('CONFIG_INVALID', /names no file/));
  });
});

metricsStoreContract('SqliteMetadataStore (:memory:)', async () => ({
  store: new SqliteMetadataStore(':memory:'),
  cleanup: async () => undefined,
}));
