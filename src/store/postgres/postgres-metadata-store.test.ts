import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  adminQuery,
  dropSchema,
  freshSchemaUrl,
  ifPostgresIsUp,
  schemaExists,
  withSchema,
} from '../../../test/helpers/postgres-schemas.js';
import { SluiceError } from '../../core/errors.js';
import { createMetadataStore } from '../create-metadata-store.js';
import { metadataStoreContract } from '../metadata-store.contract.js';
import { metricsStoreContract } from '../metrics-store.contract.js';
import { taskSkipsContract } from '../task-skips.contract.js';
import { workQueueContract } from '../work-queue.contract.js';
import { MIGRATIONS } from './migrations.js';
import { PostgresMetadataStore } from './postgres-metadata-store.js';

const isCode =
  (code: string, pattern?: RegExp) =>
  (err: unknown): boolean =>
    err instanceof SluiceError && err.code === code && (pattern === undefined || pattern.test(err.message));

function registerSuites(): void {
  metadataStoreContract('PostgresMetadataStore', async () => {
    const { url, schema } = freshSchemaUrl();
    return { store: new PostgresMetadataStore(url), cleanup: () => dropSchema(schema) };
  });

  taskSkipsContract('PostgresMetadataStore', async () => {
    const { url, schema } = freshSchemaUrl();
    return { store: new PostgresMetadataStore(url), cleanup: () => dropSchema(schema) };
  });

  metricsStoreContract('PostgresMetadataStore', async () => {
    const { url, schema } = freshSchemaUrl();
    return { store: new PostgresMetadataStore(url), cleanup: () => dropSchema(schema) };
  });

  workQueueContract('PostgresMetadataStore', async () => {
    const { url, schema } = freshSchemaUrl();
    return {
      store: new PostgresMetadataStore(url),
      connect: async () => new PostgresMetadataStore(url),
      cleanup: () => dropSchema(schema),
    };
  });

  describe('PostgresMetadataStore (postgres only)', () => {
    it('concurrent migrate() from several processes creates the schema and records each migration once', () =>
      withSchema(async (open, schema) => {
        const stores = Array.from({ length: 6 }, () => open());
        await Promise.all(stores.map((s) => s.migrate()));
        await Promise.all(stores.map((s) => s.migrate()));
        const rows = await adminQuery<{ id: number; name: string }>(
          `SELECT id, name FROM "${schema}".schema_migrations ORDER BY id`,
        );
        assert.deepEqual(
          rows,
          MIGRATIONS.map((m) => ({ id: m.id, name: m.name })),
        );
        await stores[3]!.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []);
        assert.equal((await stores[0]!.getRun('r'))?.status, 'running');
      }));

    it('refuses to work before migrate()', () =>
      withSchema(async (open) => {
        const s = open();
        await assert.rejects(
          () => s.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []),
          isCode('STORE_MIGRATION', /not migrated/),
        );
        await s.migrate();
        await s.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []);
      }));

    it('rolls back a failing migration and names it', () =>
      withSchema(async (open, schema) => {
        const broken = [
          ...MIGRATIONS,
          {
            id: 99,
            name: 'broken_on_purpose',
            sql: 'CREATE TABLE half_done (a INTEGER); SELECT * FROM no_such_table;',
          },
        ];
        await assert.rejects(
          () => open({ migrations: broken }).migrate(),
          isCode('STORE_MIGRATION', /migration 99 \(broken_on_purpose\) failed and was rolled back.*no_such_table/),
        );
        assert.deepEqual(await adminQuery(`SELECT to_regclass('"${schema}".half_done') AS t`), [{ t: null }]);
        assert.deepEqual(
          await adminQuery(`SELECT id FROM "${schema}".schema_migrations ORDER BY id`),
          MIGRATIONS.map((m) => ({ id: m.id })),
        );
      }));

    it('refuses a store migrated by a newer sluice', () =>
      withSchema(async (open) => {
        await open({
          migrations: [...MIGRATIONS, { id: 1000, name: 'from_the_future', sql: 'CREATE TABLE future (a INTEGER)' }],
        }).migrate();
        await assert.rejects(
          () => open().migrate(),
          isCode('STORE_MIGRATION', /migration 1000 \(from_the_future\).*does not know/),
        );
      }));

    it('migration 2 upgrades a store made by migration 1: old tasks get step concurrency 1', () =>
      withSchema(async (open, schema) => {
        await open({ migrations: MIGRATIONS.filter((m) => m.id === 1) }).migrate();
        await adminQuery(
          `INSERT INTO "${schema}".runs (id, project, selector, status, started_at) VALUES ('old', 'p', '*', 'running', 1)`,
        );
        await adminQuery(
          `INSERT INTO "${schema}".tasks (run_id, model, seq, group_name, status) VALUES ('old', 'x', 0, 'g', 'pending'), ('old', 'y', 1, 'g', 'pending')`,
        );
        const current = open();
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
      }));

    it('drops its test schemas', async () => {
      const { url, schema } = freshSchemaUrl();
      const s = new PostgresMetadataStore(url);
      await s.migrate();
      await s.close();
      assert.equal(await schemaExists(schema), true);
      await dropSchema(schema);
      assert.equal(await schemaExists(schema), false);
    });
  });

  describe('PostgresMetadataStore errors never show credentials', () => {
    const noSecret =
      (secret: string, code: string) =>
      (err: unknown): boolean => {
        assert.ok(err instanceof SluiceError, `expected a SluiceError, got ${String(err)}`);
        assert.equal(err.code, code, err.message);
        assert.doesNotMatch(err.message, new RegExp(secret));
        assert.ok(!inspect(err, { depth: 8 }).includes(secret), `the error, its fields and its cause hide ${secret}`);
        return true;
      };

    it('a refused connection names the store by its redacted URL', async () => {
      const s = new PostgresMetadataStore('postgres://sluice:hunter2@127.0.0.1:1/test?schema=nowhere');
      try {
        await assert.rejects(
          () => s.migrate(),
          (err: unknown) => {
            assert.ok(noSecret('hunter2', 'STORE_UNAVAILABLE')(err));
            assert.match((err as Error).message, /postgres:\/\/sluice:\*\*\*@127\.0\.0\.1:1\/test/);
            return true;
          },
        );
        await assert.rejects(() => s.getRun('r'), noSecret('hunter2', 'STORE_UNAVAILABLE'));
      } finally {
        await s.close();
      }
    });

    it('a refused login (unknown role) and PGPASSWORD stay hidden too', async () => {
      const saved = process.env.PGPASSWORD;
      process.env.PGPASSWORD = 'swordfish42';
      const { url, schema } = freshSchemaUrl();
      const wrongRole = new URL(url);
      wrongRole.username = 'no_such_role_x';
      wrongRole.password = 'hunter2';
      const stores = [
        new PostgresMetadataStore(wrongRole.toString()),
        new PostgresMetadataStore('postgres://nobody@127.0.0.1:1/test'),
      ];
      try {
        await assert.rejects(() => stores[0]!.migrate(), noSecret('hunter2', 'STORE_UNAVAILABLE'));
        await assert.rejects(() => stores[1]!.migrate(), noSecret('swordfish42', 'STORE_UNAVAILABLE'));
      } finally {
        for (const s of stores) await s.close();
        if (saved === undefined) delete process.env.PGPASSWORD;
        else process.env.PGPASSWORD = saved;
        await dropSchema(schema);
      }
    });

    it('a malformed URL is CONFIG_INVALID without the password', () => {
      assert.throws(
        () => new PostgresMetadataStore('postgres://u:hunter2@[bad/x'),
        noSecret('hunter2', 'CONFIG_INVALID'),
      );
      assert.throws(
        () => new PostgresMetadataStore('postgres://u:hunter2@h/x?schema=Bad-Name'),
        noSecret('hunter2', 'CONFIG_INVALID'),
      );
    });
  });

  describe('createMetadataStore (postgres)', () => {
    it('maps postgres:// and postgresql:// URLs to the PostgreSQL store', async () => {
      for (const scheme of ['postgres', 'postgresql']) {
        const { url, schema } = freshSchemaUrl();
        const s = createMetadataStore(url.replace(/^postgres:/, `${scheme}:`), '/unused');
        try {
          assert.ok(s instanceof PostgresMetadataStore);
          await s.migrate();
          await s.createRun({ id: 'r', project: 'p', selector: '*', startedAt: 1 }, []);
          assert.equal((await s.getRun('r'))?.status, 'running');
        } finally {
          await s.close();
          await dropSchema(schema);
        }
      }
    });
  });
}

await ifPostgresIsUp(registerSuites);
