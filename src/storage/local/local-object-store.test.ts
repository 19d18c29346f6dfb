import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '../../core/errors.js';
import { createObjectStore } from '../create-object-store.js';
import { objectStoreContract } from '../object-store.contract.js';
import { LocalObjectStore } from './local-object-store.js';

objectStoreContract('LocalObjectStore', async () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'sluice-local-store-'));
  const store = new LocalObjectStore(join(sandbox, 'objects'));
  return { store, sandbox, cleanup: async () => rmSync(sandbox, { recursive: true, force: true }) };
});

objectStoreContract('LocalObjectStore (durable: false)', async () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'sluice-local-store-'));
  const store = new LocalObjectStore(join(sandbox, 'objects'), { durable: false });
  return { store, sandbox, cleanup: async () => rmSync(sandbox, { recursive: true, force: true }) };
});

const isCode =
  (code: string) =>
  (err: unknown): boolean =>
    err instanceof SluiceError && err.code === code;

describe('LocalObjectStore (local only)', () => {
  let dir: string;
  let root: string;
  let store: LocalObjectStore;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-local-only-'));
    root = join(dir, 'nested', 'objects');
    store = new LocalObjectStore(root);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its root and names it with a file:// URI', () => {
    assert.ok(statSync(root).isDirectory());
    assert.equal(store.uri, pathToFileURL(root).href);
    assert.throws(() => new LocalObjectStore('relative/objects'), isCode('STORAGE_IO'));
  });

  it('keeps objects as plain files under the root', async () => {
    await store.put('plain/a.txt', 'abc');
    const [path] = await store.localPaths(['plain/a.txt']);
    assert.equal(path, join(root, 'plain', 'a.txt'));
    assert.deepEqual(await store.localPaths(['plain/missing']), [join(root, 'plain', 'missing')]);
  });

  it('after a crash, leftover temp files and staging folders are not objects', async () => {
    mkdirSync(join(root, 'crash'), { recursive: true });
    writeFileSync(join(root, 'crash', '.sluice-tmp-0123456789abcdef'), 'half a file');
    mkdirSync(join(root, '_staging', 'dead-attempt'), { recursive: true });
    writeFileSync(join(root, '_staging', 'dead-attempt', 'part-0.parquet'), 'orphan');
    await store.put('crash/real', 'whole');
    assert.deepEqual(
      (await store.list('crash/')).map((o) => o.key),
      ['crash/real'],
    );
    assert.ok(!(await store.list('')).some((o) => o.key.includes('sluice-tmp') || o.key.startsWith('_staging')));
    await assert.rejects(() => store.get('crash/.sluice-tmp-0123456789abcdef'), isCode('STORAGE_KEY'));
    assert.deepEqual(await store.listStaging(), ['dead-attempt']);
    await store.removeStaging('dead-attempt');
    assert.deepEqual(await store.listStaging(), []);
  });

  it('leaves no temp files behind after put and putIfAbsent', async () => {
    await store.put('clean/a', '1');
    await store.put('clean/a', '2');
    assert.equal(await store.putIfAbsent('clean/b', '1'), true);
    assert.equal(await store.putIfAbsent('clean/b', '2'), false);
    assert.deepEqual(readdirSync(join(root, 'clean')).sort(), ['a', 'b']);
  });

  it('readers never see a partial object while it is overwritten', async () => {
    const size = 1024 * 1024;
    const bodies = ['a', 'b'].map((c) => c.repeat(size));
    await store.put('atomic/obj', bodies[0]!);
    const writes = Array.from({ length: 6 }, (_, i) => store.put('atomic/obj', bodies[i % 2]!));
    const reads = Array.from({ length: 30 }, async () => {
      const got = Buffer.from((await store.get('atomic/obj'))!).toString('utf8');
      assert.equal(got.length, size);
      assert.ok(got === bodies[0] || got === bodies[1], 'a mixed or partial body was read');
    });
    await Promise.all([...writes, ...reads]);
  });

  it('delete removes folders left empty, up to but not including the root', async () => {
    await store.put('gone/x/y/z', '1');
    await store.put('kept/x/1', '1');
    await store.put('kept/x/2', '2');
    await store.delete(['gone/x/y/z', 'kept/x/1']);
    assert.ok(!existsSync(join(root, 'gone')));
    assert.ok(existsSync(join(root, 'kept', 'x', '2')));
    await store.delete(['kept/x/2']);
    assert.ok(!existsSync(join(root, 'kept')));
    assert.ok(statSync(root).isDirectory());
  });

  it('putFile moves a file on the same file system', async () => {
    const staging = await store.createStaging('move');
    const src = join(staging, 'part.parquet');
    writeFileSync(src, 'moved');
    const inode = statSync(src).ino;
    await store.putFile('moved/part.parquet', src);
    assert.ok(!existsSync(src));
    assert.equal(statSync(join(root, 'moved', 'part.parquet')).ino, inode);
    await store.removeStaging('move');
  });

  const shm = '/dev/shm';
  const crossDevice = existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev;
  it(
    'putFile copies across file systems and consumes the source',
    { skip: !crossDevice && 'no second file system at /dev/shm' },
    async () => {
      const other = mkdtempSync(join(shm, 'sluice-xdev-'));
      try {
        const src = join(other, 'data.bin');
        writeFileSync(src, 'across devices');
        await store.putFile('xdev/data.bin', src);
        assert.equal(Buffer.from((await store.get('xdev/data.bin'))!).toString(), 'across devices');
        assert.ok(!existsSync(src));
        assert.deepEqual(readdirSync(join(root, 'xdev')), ['data.bin']);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    },
  );

  it('reports a key that clashes with a folder or an object as STORAGE_IO naming the key', async () => {
    await store.put('clash/file', '1');
    await store.put('clash/dir/inner', '1');
    await assert.rejects(
      () => store.put('clash/file/below', '2'),
      (err: unknown) => isCode('STORAGE_IO')(err) && /"clash\/file\/below"/.test((err as Error).message),
    );
    await assert.rejects(() => store.putIfAbsent('clash/dir', '2'), isCode('STORAGE_IO'));
    await assert.rejects(() => store.put('clash/dir', '2'), isCode('STORAGE_IO'));
    await store.delete(['clash/dir']); // a folder is not an object: ignored
    assert.ok(existsSync(join(root, 'clash', 'dir', 'inner')));
  });
});

describe('createObjectStore', () => {
  let project: string;
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'sluice-create-store-'));
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('opens local folders relative to the project, absolute, or as file:// URIs', async () => {
    const relative = createObjectStore('.sluice/objects', project);
    assert.equal(relative.uri, pathToFileURL(join(project, '.sluice', 'objects')).href);
    const absolute = createObjectStore(join(project, 'abs'), '/elsewhere');
    assert.equal(absolute.uri, pathToFileURL(join(project, 'abs')).href);
    const url = createObjectStore(pathToFileURL(join(project, 'url')).href, '/elsewhere');
    await url.put('k', 'v');
    assert.ok(existsSync(join(project, 'url', 'k')));
  });

  it('explains unsupported and invalid locations', () => {
    assert.throws(
      () => createObjectStore('s3://user:secret@bucket/prefix', project),
      (err: unknown) => {
        assert.ok(isCode('CONFIG_INVALID')(err));
        assert.match((err as Error).message, /credentials do not belong in the URI/);
        assert.doesNotMatch((err as Error).message, /secret/);
        return true;
      },
    );
    assert.throws(() => createObjectStore('gs://bucket', project), /unsupported object store scheme "gs:\/\/"/);
    assert.throws(() => createObjectStore('  ', project), /empty/);
    assert.throws(() => createObjectStore('file://relative/path', project), isCode('CONFIG_INVALID'));
  });
});
