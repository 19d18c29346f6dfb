import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { SluiceError } from '../core/errors.js';
import type { ModelOutput } from '../engine/engine.js';
import { withLocalStore } from '../../test/helpers/local-store.js';
import { LocalObjectStore } from '../storage/local/local-object-store.js';
import { commitSnapshot, uploadOutput } from './publish-snapshot.js';
import { catalogKey, catalogSql, publishCatalog, readerUri, writeCatalog } from './reader-catalog.js';

/** Rows a reader sees through the documented path: ATTACH the catalog, call the model's macro. */
async function readThroughCatalog(objects: LocalObjectStore, model: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  try {
    const [path] = await objects.localPaths([catalogKey(model)]);
    await conn.run(`ATTACH '${path!.replaceAll("'", "''")}' AS w (READ_ONLY)`);
    return (await conn.runAndReadAll(`SELECT * FROM w.${model}() ORDER BY ALL`)).getRowObjectsJson();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Write Parquet files of `m` (partitioned by day) with DuckDB into the store, as a worker would. */
async function writeParts(objects: LocalObjectStore, tag: string, snapshot: number, days: string[]) {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const files = [];
  for (const [i, day] of days.entries()) {
    const key = `m/day=${day}/part-${String(snapshot).padStart(6, '0')}-${tag}-${i}.parquet`;
    const [path] = await objects.localPaths([key]);
    await objects.put(key, 'placeholder');
    await conn.run(`COPY (SELECT ${i} AS x, '${tag}' AS tag) TO '${path}' (FORMAT parquet)`);
    files.push({ key, rows: 1, bytes: 10, partition: { day } });
  }
  conn.closeSync();
  db.closeSync();
  return files;
}

const columns = [
  { name: 'x', type: 'INTEGER' },
  { name: 'tag', type: 'VARCHAR' },
  { name: 'day', type: 'DATE' },
];

describe('reader catalog', () => {
  const withStore = (fn: (objects: LocalObjectStore) => Promise<void>) => withLocalStore(fn, { durable: false });

  it("after a commit, readers of the catalog see exactly the manifest's files, typed, and not a stray file beside them", () =>
    withStore(async (objects) => {
      const files = await writeParts(objects, 'aaaa', 1, ['2024-01-01', '2024-01-02']);
      // A fenced attempt's file at a final-looking key, after the commit: never listed.
      const stray = await writeParts(objects, 'bbbb', 1, ['2024-01-01']);
      await commitSnapshot(objects, { model: 'm', snapshot: 1, runId: 'r1', partitionBy: ['day'], columns, files });
      await objects.put(stray[0]!.key.replace('bbbb', 'cccc'), 'late');
      const rows = await readThroughCatalog(objects, 'm');
      assert.deepEqual(rows, [
        { x: 0, tag: 'aaaa', day: '2024-01-01' },
        { x: 1, tag: 'aaaa', day: '2024-01-02' },
      ]);
    }));

  it('the next commit repoints it; a catalog written for an older snapshot is replaced by the current one', () =>
    withStore(async (objects) => {
      const one = await writeParts(objects, 'aaaa', 1, ['2024-01-01']);
      const first = await commitSnapshot(objects, {
        model: 'm',
        snapshot: 1,
        runId: 'r1',
        partitionBy: ['day'],
        columns,
        files: one,
      });
      const two = await writeParts(objects, 'bbbb', 2, ['2024-01-03']);
      await commitSnapshot(objects, {
        model: 'm',
        snapshot: 2,
        runId: 'r2',
        partitionBy: ['day'],
        columns,
        files: two,
      });
      assert.deepEqual(await readThroughCatalog(objects, 'm'), [{ x: 0, tag: 'bbbb', day: '2024-01-03' }]);
      // A slow publisher of snapshot 1 writes its catalog last: a stale catalog for a moment ...
      await writeCatalog(objects, first);
      await assert.rejects(() => readThroughCatalog(objects, 'm'), /No files found|does not exist|IO Error/);
      // ... until it checks the current manifest again, as publishCatalog does after every write.
      assert.equal((await publishCatalog(objects, first)).snapshot, 2);
      assert.deepEqual(await readThroughCatalog(objects, 'm'), [{ x: 0, tag: 'bbbb', day: '2024-01-03' }]);
    }));

  it('two publishers racing (one of an older snapshot) always leave the catalog at the current snapshot', () =>
    withStore(async (objects) => {
      const first = await commitSnapshot(objects, {
        model: 'm',
        snapshot: 1,
        runId: 'r1',
        partitionBy: ['day'],
        columns,
        files: await writeParts(objects, 'aaaa', 1, ['2024-01-01']),
      });
      const second = await commitSnapshot(objects, {
        model: 'm',
        snapshot: 2,
        runId: 'r2',
        partitionBy: ['day'],
        columns,
        files: await writeParts(objects, 'bbbb', 2, ['2024-01-02']),
      });
      for (let round = 0; round < 5; round++) {
        await Promise.all([
          publishCatalog(objects, first),
          publishCatalog(objects, second),
          publishCatalog(objects, first),
        ]);
        assert.deepEqual(
          await readThroughCatalog(objects, 'm'),
          [{ x: 0, tag: 'bbbb', day: '2024-01-02' }],
          `round ${round}`,
        );
      }
    }));

  it('an empty snapshot reads as no rows with the published columns', () =>
    withStore(async (objects) => {
      await commitSnapshot(objects, { model: 'm', snapshot: 1, runId: 'r1', partitionBy: ['day'], columns, files: [] });
      assert.deepEqual(await readThroughCatalog(objects, 'm'), []);
    }));

  it('names S3 objects by URL and quotes model, column and path names', () => {
    assert.equal(readerUri('s3://bucket/pre', 'm/a.parquet'), 's3://bucket/pre/m/a.parquet');
    assert.equal(readerUri('s3://bucket', 'm/a.parquet'), 's3://bucket/m/a.parquet');
    assert.equal(readerUri('file:///w/h', 'm/k=1/a.parquet'), '/w/h/m/k=1/a.parquet');
    const sql = catalogSql(
      {
        schema: 'sluice.manifest/v1',
        model: 'm"x',
        snapshot: 3,
        runId: "r'1",
        createdAt: 't',
        partitionBy: [],
        columns: [{ name: 'a"b', type: 'INTEGER' }],
        rows: 1,
        bytes: 1,
        files: [{ key: "m/it's.parquet", rows: 1, bytes: 1, partition: {} }],
      },
      's3://b',
    );
    assert.match(
      sql[0]!,
      /^CREATE MACRO "m""x"\(files := \['s3:\/\/b\/m\/it''s\.parquet'\]\) AS TABLE SELECT "a""b" FROM read_parquet\(files, hive_partitioning = false\)$/,
    );
    assert.match(sql[2]!, /'r''1'/);
  });
});

describe('uploadOutput', () => {
  it('stops between files once the lease is lost, deletes what it moved and fails with EXEC_INTERRUPTED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-upload-test-'));
    const objects = new LocalObjectStore(join(dir, 'store'), { durable: false });
    try {
      const staged = await objects.createStaging('s1');
      const output: ModelOutput = {
        columns: [],
        rows: 3,
        bytes: 3,
        files: [0, 1, 2].map((i) => {
          const path = join(staged, `part-${i}.parquet`);
          writeFileSync(path, `file ${i}`);
          return { path, relativePath: `part-${i}.parquet`, rows: 1, bytes: 1, partition: {} };
        }),
      };
      const lease = new AbortController();
      const counting = Object.create(objects) as LocalObjectStore;
      let moved = 0;
      counting.putFile = async (key, path) => {
        await objects.putFile(key, path);
        if (++moved === 2) lease.abort(); // the heartbeat is refused while the second file moves
      };
      await assert.rejects(
        () => uploadOutput(counting, 'm', 1, 'a1', output, lease.signal),
        (err: unknown) =>
          err instanceof SluiceError && err.code === 'EXEC_INTERRUPTED' && /2 of 3 files/.test(err.message),
      );
      assert.equal(moved, 2, 'the third file was not moved');
      assert.deepEqual(await objects.list('m/'), [], 'the two moved files were deleted');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
