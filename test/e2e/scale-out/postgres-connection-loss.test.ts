import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMetadataStore } from '../../../src/store/create-metadata-store.js';
import type { MetadataStore } from '../../../src/store/metadata-store.js';
import { copyTo, query } from '../../helpers/duckdb-query.js';
import { dropSchema, dropSchemasOfThisProcess, freshSchemaUrl } from '../../helpers/postgres-schemas.js';
import { runCli, spawnCli } from '../../helpers/run-cli.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';
import { model, writeProject } from '../../helpers/temp-project.js';
import { waitFor } from '../workers/worker-test-kit.js';

const DAYS = 6;
/** Per work item (one day): 4 keys x R md5 calls, ~0.5-1 s on one DuckDB thread. */
const R = 600_000;
const SQL = `select e.day, e.k, count(*) as n, max(md5(e.k || r.i::varchar)) as h\nfrom events e, range(${R}) r(i)\ngroup by e.day, e.k`;

describe('a worker that loses its PostgreSQL connection mid-item', () => {
  let p: ReturnType<typeof writeProject>;
  let proxy: TcpProxy;
  let url: string;
  let schema: string;
  let store: MetadataStore;
  const workers: ChildProcess[] = [];
  const logs: string[] = [];
  before(async () => {
    ({ url, schema } = freshSchemaUrl());
    p = writeProject({
      'sluice.yaml': [
        'name: partition',
        'execution:',
        '  threads: 1',
        '  lease_seconds: 1.5',
        '  heartbeat_seconds: 0.3',
        '  backoff_seconds: 0.1',
        '  max_backoff_seconds: 0.2',
        '',
      ].join('\n'),
      'sources/events.yml':
        'sources:\n  events:\n    format: parquet\n    path: data/events\n    hive_partitioning: true\n',
      'models/daily_hashes.sql': model({ type: 'fact', business_unit: 'lab', split_by: 'day' }, SQL),
    });
    mkdirSync(join(p.root, 'data'), { recursive: true });
    await copyTo(
      `SELECT DATE '2024-03-01' + (i // 4)::INT AS day, 'k' || (i % 4) AS k FROM range(${DAYS * 4}) t(i)`,
      join(p.root, 'data/events'),
      'FORMAT parquet, PARTITION_BY (day)',
    );
    proxy = await startTcpProxy(Number(new URL(url).port || 5432));
    store = createMetadataStore(url, p.root);
    await store.migrate();
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await store?.close();
    await proxy?.close();
    p?.cleanup();
    await dropSchema(schema);
    await dropSchemasOfThisProcess();
  });

  const startWorker = (id: string, storeUrl: string) => {
    const w = spawnCli(['worker', '--id', id, '-p', p.root, '--store', storeUrl]);
    w.stdout!.on('data', (d) => logs.push(`${id}: ${d}`));
    w.stderr!.on('data', (d) => logs.push(`${id}: ${d}`));
    workers.push(w);
  };

  it(
    'stops: it cannot complete or publish its item, which another worker redoes once the lease expires',
    { timeout: 180_000 },
    async () => {
      const viaProxy = new URL(url);
      viaProxy.port = String(proxy.port);
      startWorker('partitioned', viaProxy.toString());
      const run = runCli(['run', '--workers', '0', '--json', '-p', p.root, '--store', url]);

      const held = await waitFor(
        'an item the proxied worker has held for 300 ms',
        async () => {
          const r = (await store.listRuns({ limit: 1 }))[0];
          if (!r) return undefined;
          const item = (await store.listItems(r.id)).find(
            (i) =>
              i.state === 'leased' &&
              i.workerId === 'partitioned' &&
              i.leasedAt !== null &&
              Date.now() - i.leasedAt >= 300,
          );
          return item ? { runId: r.id, itemId: item.id, attempt: item.attempt } : undefined;
        },
        60_000,
        20,
      );
      proxy.cut(); // the network between this worker and PostgreSQL is gone
      startWorker('healthy', url);

      const out = await run;
      assert.equal(out.code, 0, `${out.stderr}\n${logs.join('')}`);
      assert.equal((JSON.parse(out.stdout) as { status: string }).status, 'succeeded');

      const item = (await store.listItems(held.runId)).find((i) => i.id === held.itemId)!;
      assert.equal(item.state, 'succeeded');
      assert.ok(item.attempt > held.attempt, `the item was claimed again (attempt ${item.attempt})`);
      assert.equal(item.workerId, 'healthy', 'the cut-off worker did not complete it');
      const attempts = await store.listAttempts(held.runId);
      assert.ok(
        !attempts.some((a) => a.workerId === 'partitioned' && a.itemId === held.itemId && a.outcome === 'succeeded'),
        'no success was recorded for the cut-off attempt',
      );

      // What was published: every (day, key) exactly once.
      const files = join(p.root, 'warehouse', 'daily_hashes', '**', '*.parquet');
      const [row] = await query(
        `SELECT count(*) AS n, count(DISTINCT (day, k)) AS d FROM read_parquet('${files}', hive_partitioning = true)`,
      );
      assert.deepEqual([Number(row!.n), Number(row!.d)], [DAYS * 4, DAYS * 4]);
    },
  );
});
