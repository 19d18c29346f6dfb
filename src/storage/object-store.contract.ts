import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import type { ObjectStore } from './object-store.js';

/**
 * The behaviour every ObjectStore implementation must have. Each implementation's test file calls
 * `objectStoreContract('local', make)`; `make` returns a fresh, empty store per test.
 */
export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  readonly cleanup: () => Promise<void>;
  /**
   * Optional: a local folder around everything the store may touch (for a local store, the parent
   * of its root). Rejected calls must leave it exactly as it was: nothing written outside the root.
   */
  readonly sandbox?: string;
}

export const HOSTILE_KEYS = [
  '../x',
  '/etc/passwd',
  'a/../../b',
  'a\\b',
  '',
  'a//b',
  '_staging/x',
  '.sluice/claims/x',
  'a/./b',
  'a/',
  'a\u0000b',
  'a\nb',
];
const HOSTILE_PREFIXES = ['../', '/etc/', 'a/../', '_staging/', '.sluice/', 'a\\b/', 'a//', '\u0000'];
const HOSTILE_STAGING_IDS = ['', '.', '..', '../x', 'a/b', 'a\\b', '/tmp'];

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : Buffer.from(b).toString('utf8');

async function rejectsKey(op: () => Promise<unknown>, key: string): Promise<void> {
  await assert.rejects(op, (err: unknown) => {
    assert.ok(err instanceof SluiceError, `expected a SluiceError for ${JSON.stringify(key)}, got ${String(err)}`);
    assert.equal(err.code, 'STORAGE_KEY');
    assert.ok(err.message.includes(JSON.stringify(key)), `message should quote the key: ${err.message}`);
    return true;
  });
}

/** Every path under `dir` with its size, for before/after comparisons. */
function snapshotTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(p, r);
      } else out.push(`${r}:${statSync(p).size}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

export function objectStoreContract(name: string, make: () => Promise<ObjectStoreFixture>): void {
  const withStore = async (fn: (store: ObjectStore, fixture: ObjectStoreFixture) => Promise<void>): Promise<void> => {
    const fixture = await make();
    try {
      await fn(fixture.store, fixture);
    } finally {
      await fixture.store.close();
      await fixture.cleanup();
    }
  };

  describe(`ObjectStore contract: ${name}`, () => {
    it('round-trips binary and string bodies', () =>
      withStore(async (store) => {
        const binary = new Uint8Array(256).map((_, i) => i);
        await store.put('bin/all-bytes.bin', binary);
        await store.put('txt/hello.txt', 'héllo, wörld ✓');
        assert.deepEqual(await store.get('bin/all-bytes.bin'), binary);
        assert.equal(text(await store.get('txt/hello.txt')), 'héllo, wörld ✓');
        await store.put('empty', new Uint8Array(0));
        assert.equal((await store.get('empty'))?.length, 0);
      }));

    it('returns undefined for missing objects and for folders of objects', () =>
      withStore(async (store) => {
        await store.put('dir/a', 'x');
        assert.equal(await store.get('missing'), undefined);
        assert.equal(await store.head('missing/deeper'), undefined);
        assert.equal(await store.get('dir'), undefined);
        assert.equal(await store.head('dir'), undefined);
        assert.equal(await store.get('dir/a/below-an-object'), undefined);
      }));

    it('put replaces an existing object', () =>
      withStore(async (store) => {
        await store.put('k', 'first version, longer');
        await store.put('k', 'second');
        assert.equal(text(await store.get('k')), 'second');
        assert.deepEqual(await store.head('k'), { key: 'k', size: 6 });
      }));

    it('putIfAbsent writes once and then leaves the object unchanged', () =>
      withStore(async (store) => {
        assert.equal(await store.putIfAbsent('m/manifest.json', '{"v":1}'), true);
        assert.equal(await store.putIfAbsent('m/manifest.json', '{"v":2}'), false);
        assert.equal(text(await store.get('m/manifest.json')), '{"v":1}');
        assert.deepEqual(
          (await store.list('m/')).map((o) => o.key),
          ['m/manifest.json'],
        );
      }));

    it('10 concurrent putIfAbsent on one key: exactly one wins and its body is stored', () =>
      withStore(async (store) => {
        const bodies = Array.from({ length: 10 }, (_, i) => `writer-${i}-`.repeat(2000));
        const results = await Promise.all(bodies.map((b) => store.putIfAbsent('race/snapshot-1.json', b)));
        assert.equal(results.filter(Boolean).length, 1);
        const winner = results.indexOf(true);
        assert.equal(text(await store.get('race/snapshot-1.json')), bodies[winner]);
        assert.deepEqual(
          (await store.list('race/')).map((o) => o.key),
          ['race/snapshot-1.json'],
        );
      }));

    it('head reports the size in bytes', () =>
      withStore(async (store) => {
        await store.put('a/b.txt', 'ü'.repeat(10));
        assert.deepEqual(await store.head('a/b.txt'), { key: 'a/b.txt', size: 20 });
      }));

    it('list filters by prefix, sorts by key and skips staging folders', () =>
      withStore(async (store) => {
        for (const key of ['u/1', 't/b/2', 'tx', 't/a/2', 't2/x', 't/a/10', 't/a/1']) await store.put(key, key);
        const staging = await store.createStaging('attempt-1');
        writeFileSync(join(staging, 'part-0.parquet'), 'staged');
        const keys = async (prefix: string): Promise<string[]> => (await store.list(prefix)).map((o) => o.key);
        assert.deepEqual(await keys('t/'), ['t/a/1', 't/a/10', 't/a/2', 't/b/2']);
        assert.deepEqual(await keys('t'), ['t/a/1', 't/a/10', 't/a/2', 't/b/2', 't2/x', 'tx']);
        assert.deepEqual(await keys('t/a/1'), ['t/a/1', 't/a/10']);
        assert.deepEqual(await keys(''), ['t/a/1', 't/a/10', 't/a/2', 't/b/2', 't2/x', 'tx', 'u/1']);
        assert.deepEqual(await keys('_stag'), []);
        assert.deepEqual(await keys('nothing/'), []);
        assert.deepEqual(await store.list('t/b/'), [{ key: 't/b/2', size: 5 }]);
      }));

    it('list never shows partial or temporary objects while writes are under way', () =>
      withStore(async (store) => {
        const big = 'x'.repeat(256 * 1024);
        const expected = new Set(Array.from({ length: 8 }, (_, i) => `w/obj-${i}`));
        const writes = [...expected].map((k, i) => (i % 2 === 0 ? store.put(k, big) : store.putIfAbsent(k, big)));
        const seen: string[] = [];
        const lists = Array.from({ length: 10 }, async () => {
          for (const o of await store.list('')) {
            seen.push(o.key);
            assert.ok(expected.has(o.key), `unexpected key listed: ${o.key}`);
            assert.equal(o.size, big.length, `partial object listed: ${o.key}`);
          }
        });
        await Promise.all([...writes, ...lists]);
        assert.deepEqual(
          (await store.list('w/')).map((o) => o.key),
          [...expected].sort(),
        );
      }));

    it('delete removes objects and ignores missing keys', () =>
      withStore(async (store) => {
        await store.put('d/a/1', '1');
        await store.put('d/a/2', '2');
        await store.put('d/b/1', '3');
        await store.delete(['d/a/1', 'd/b/1', 'never/was', 'd/a/1']);
        await store.delete([]);
        assert.equal(await store.get('d/a/1'), undefined);
        assert.equal(await store.head('d/b/1'), undefined);
        assert.deepEqual(
          (await store.list('d/')).map((o) => o.key),
          ['d/a/2'],
        );
        await store.put('d/b/1', 'again'); // the emptied folder can be written to again
        assert.equal(text(await store.get('d/b/1')), 'again');
      }));

    it('putFile uploads a staged file and a file from elsewhere', () =>
      withStore(async (store) => {
        const staging = await store.createStaging('put-file');
        const staged = join(staging, 'part-0.parquet');
        writeFileSync(staged, 'staged bytes');
        await store.putFile('p/order_date=2024-01-01/part-0.parquet', staged);
        assert.equal(text(await store.get('p/order_date=2024-01-01/part-0.parquet')), 'staged bytes');

        const elsewhere = mkdtempSync(join(tmpdir(), 'sluice-putfile-'));
        try {
          const file = join(elsewhere, 'data.bin');
          writeFileSync(file, Buffer.from([0, 1, 2, 255]));
          await store.putFile('p/other.bin', file);
          await store.putFile('p/other.bin', (writeFileSync(file, 'replaced'), file));
          assert.equal(text(await store.get('p/other.bin')), 'replaced');
        } finally {
          rmSync(elsewhere, { recursive: true, force: true });
        }
        await assert.rejects(
          () => store.putFile('p/none', join(staging, 'does-not-exist')),
          (err: unknown) => err instanceof SluiceError && err.code === 'STORAGE_IO',
        );
        assert.deepEqual(
          (await store.list('p/')).map((o) => o.key),
          ['p/order_date=2024-01-01/part-0.parquet', 'p/other.bin'],
        );
      }));

    it('localPaths gives readable files in the order asked', () =>
      withStore(async (store) => {
        await store.put('l/a.csv', 'a,1\n');
        await store.put('l/b.csv', 'b,2\n');
        const paths = await store.localPaths(['l/b.csv', 'l/a.csv']);
        assert.equal(paths.length, 2);
        assert.equal(readFileSync(paths[0]!, 'utf8'), 'b,2\n');
        assert.equal(readFileSync(paths[1]!, 'utf8'), 'a,1\n');
      }));

    it('creates, lists and removes staging folders', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.listStaging(), []);
        const b = await store.createStaging('b-2');
        const a = await store.createStaging('a-1');
        assert.deepEqual(readdirSync(a), []);
        writeFileSync(join(b, 'f.parquet'), 'x');
        await assert.rejects(
          () => store.createStaging('a-1'),
          (err: unknown) => err instanceof SluiceError && err.code === 'STORAGE_IO',
        );
        assert.deepEqual(await store.listStaging(), ['a-1', 'b-2']);
        await store.removeStaging('b-2');
        await store.removeStaging('never-created');
        assert.deepEqual(await store.listStaging(), ['a-1']);
        assert.throws(() => statSync(b), /ENOENT/);
        assert.deepEqual(await store.list(''), []);
      }));

    it('rejects hostile keys, prefixes and staging ids on every method and writes nothing', () =>
      withStore(async (store, fixture) => {
        await store.put('ok/1', 'keep');
        const before = fixture.sandbox === undefined ? [] : snapshotTree(fixture.sandbox);
        const victim = mkdtempSync(join(tmpdir(), 'sluice-victim-'));
        try {
          const source = join(victim, 'source.bin');
          writeFileSync(source, 'payload');
          for (const key of HOSTILE_KEYS) {
            await rejectsKey(() => store.put(key, 'x'), key);
            await rejectsKey(() => store.putIfAbsent(key, 'x'), key);
            await rejectsKey(() => store.putFile(key, source), key);
            await rejectsKey(() => store.get(key), key);
            await rejectsKey(() => store.head(key), key);
            await rejectsKey(() => store.delete(['ok/1', key]), key);
            await rejectsKey(() => store.localPaths(['ok/1', key]), key);
          }
          for (const prefix of HOSTILE_PREFIXES) await rejectsKey(() => store.list(prefix), prefix);
          for (const id of HOSTILE_STAGING_IDS) {
            await rejectsKey(() => store.createStaging(id), id);
            await rejectsKey(() => store.removeStaging(id), id);
          }
          assert.equal(
            readFileSync(source, 'utf8'),
            'payload',
            'putFile must not consume the file when the key is rejected',
          );
          assert.deepEqual(readdirSync(victim), ['source.bin']);
        } finally {
          rmSync(victim, { recursive: true, force: true });
        }
        assert.equal(text(await store.get('ok/1')), 'keep', 'a batch with a hostile key must delete nothing');
        assert.deepEqual(
          (await store.list('')).map((o) => o.key),
          ['ok/1'],
        );
        assert.deepEqual(await store.listStaging(), []);
        if (fixture.sandbox !== undefined) assert.deepEqual(snapshotTree(fixture.sandbox), before);
      }));
  });
}
