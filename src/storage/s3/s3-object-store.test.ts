import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { inspect } from 'node:util';
import { after, describe, it } from 'node:test';
import { SluiceError } from '../../core/errors.js';
import { createObjectStore } from '../create-object-store.js';
import { objectStoreContract } from '../object-store.contract.js';
import { type S3TestProxy, startS3Proxy } from '../../../test/helpers/s3-test-proxy.js';
import { type S3TestServer, startS3rver } from '../../../test/helpers/s3-test-server.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.js';

// Integration tests against s3rver, a real S3-compatible server started here (child process,
// 127.0.0.1, ephemeral port). s3rver ignores `If-None-Match: *` on PUT, so the probe picks the
// claim protocol; a small proxy that honours the header (test/helpers/s3-test-proxy.ts) runs
// the same contract through conditional PUTs. No npm-installable server does that by itself.

const BUCKET = 'sluice-test';
let server: Promise<S3TestServer> | undefined;
let proxy: Promise<S3TestProxy> | undefined;
const s3 = (): Promise<S3TestServer> => (server ??= startS3rver([BUCKET]));
const conditionalProxy = async (): Promise<S3TestProxy> =>
  (proxy ??= startS3Proxy((await s3()).endpoint, { conditionalPuts: true }));
after(async () => {
  await (await proxy)?.stop();
  await (await server)?.stop();
});

let counter = 0;
/** A fresh store on a prefix of its own, with its cache and staging in a sandbox folder. */
async function fixture(opts: S3ObjectStoreOptions & { endpoint?: string } = {}) {
  const srv = await s3();
  const sandbox = mkdtempSync(join(tmpdir(), 'sluice-s3-store-'));
  const uri = `s3://${BUCKET}/t${++counter}-${randomBytes(3).toString('hex')}`;
  const store = new S3ObjectStore(uri, {
    env: srv.env,
    cacheDir: join(sandbox, 'cache'),
    stagingDir: join(sandbox, 'staging'),
    ...opts,
  });
  return { store, sandbox, cleanup: async () => rmSync(sandbox, { recursive: true, force: true }) };
}

objectStoreContract('S3ObjectStore on s3rver (If-None-Match ignored: probed, claims)', () => fixture());
objectStoreContract('S3ObjectStore through a proxy honouring If-None-Match (probed, conditional PUT)', async () =>
  fixture({ endpoint: (await conditionalProxy()).endpoint }),
);

const isCode =
  (code: string) =>
  (err: unknown): boolean =>
    err instanceof SluiceError && err.code === code;
const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : Buffer.from(b).toString('utf8');

async function withStore(
  opts: S3ObjectStoreOptions & { endpoint?: string },
  fn: (store: S3ObjectStore, sandbox: string) => Promise<void>,
): Promise<void> {
  const f = await fixture(opts);
  try {
    await fn(f.store, f.sandbox);
  } finally {
    await f.store.close();
    await f.cleanup();
  }
}

describe('S3ObjectStore (S3 only)', () => {
  it('probes conditional PUTs once and leaves no probe behind', async () => {
    await withStore({}, async (store) => {
      assert.equal(await store.usesConditionalPut(), false);
      assert.deepEqual(await store.list(''), []);
    });
    await withStore({ endpoint: (await conditionalProxy()).endpoint }, async (store) => {
      assert.equal(await store.usesConditionalPut(), true);
      assert.deepEqual(await store.list(''), []);
    });
  });

  it('forced fallback: racing callers on a server that honours If-None-Match still get one winner', async () => {
    await withStore({ endpoint: (await conditionalProxy()).endpoint, conditionalPut: 'never' }, async (store) => {
      assert.equal(await store.usesConditionalPut(), false);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.putIfAbsent('m/1.json', `w${i}`)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(text(await store.get('m/1.json')), `w${results.indexOf(true)}`);
    });
  });

  it('a claim left by a dead writer blocks the key with an error naming the claims folder', async () => {
    const srv = await s3();
    await withStore({ claims: { maxRounds: 3, baseDelayMs: 1, maxDelayMs: 5 } }, async (store) => {
      const claims = `${store.uri.slice(`s3://${BUCKET}/`.length)}/.sluice/claims/${createHash('sha256').update('m/7.json').digest('hex')}/`;
      const raw = await rawPut(srv, `${claims}000000000000001-dead`);
      await assert.rejects(
        () => store.putIfAbsent('m/7.json', 'x'),
        (err: unknown) => {
          assert.ok(isCode('STORAGE_IO')(err));
          assert.match((err as Error).message, /"m\/7\.json".*gave up after 3 rounds.*1 other claim/s);
          assert.ok((err as Error).message.includes(claims));
          return true;
        },
      );
      assert.equal(await store.head('m/7.json'), undefined);
      await raw.remove();
      assert.equal(await store.putIfAbsent('m/7.json', 'x'), true);
    });
  });

  it('lists page by page, sorted by key', async () => {
    await withStore({ listPageSize: 2 }, async (store) => {
      const keys = ['p/e', 'p/a', 'p/d', 'p/c', 'p/b', 'q/x', 'p/f/1'];
      await Promise.all(keys.map((k) => store.put(k, k)));
      assert.deepEqual(
        (await store.list('p/')).map((o) => o.key),
        ['p/a', 'p/b', 'p/c', 'p/d', 'p/e', 'p/f/1'],
      );
      assert.equal((await store.list('')).length, 7);
    });
  });

  it('deletes in batches', async () => {
    const p = await startS3Proxy((await s3()).endpoint);
    try {
      await withStore({ endpoint: p.endpoint, deleteBatchSize: 3 }, async (store) => {
        const keys = Array.from({ length: 7 }, (_, i) => `d/${i}`);
        await Promise.all(keys.map((k) => store.put(k, 'x')));
        await store.delete([...keys, 'd/none']);
        assert.deepEqual(await store.list('d/'), []);
        assert.equal(p.requests.filter((r) => r.startsWith('POST') && r.includes('delete')).length, 3);
      });
    } finally {
      await p.stop();
    }
  });

  it('uploads big files in parts and consumes the local file', async () => {
    const p = await startS3Proxy((await s3()).endpoint);
    try {
      await withStore(
        { endpoint: p.endpoint, multipartThresholdBytes: 1024 * 1024, partBytes: 5 * 1024 * 1024 },
        async (store) => {
          const dir = await store.createStaging('big');
          const file = join(dir, 'part-0.parquet');
          const body = randomBytes(11 * 1024 * 1024 + 3);
          writeFileSync(file, body);
          await store.putFile('big/part-0.parquet', file);
          assert.ok(!existsSync(file));
          assert.ok(Buffer.from((await store.get('big/part-0.parquet'))!).equals(body));
          assert.equal(p.requests.filter((r) => r.startsWith('PUT') && r.includes('partNumber=')).length, 3);
          await store.put('small', 'x'); // below the threshold: one PUT
          assert.equal(p.requests.filter((r) => r.includes('uploads')).length, 1);
        },
      );
    } finally {
      await p.stop();
    }
  });

  it('localPaths keeps key folders, reuses downloads, evicts least recently used and cleans up on close', async () => {
    const p = await startS3Proxy((await s3()).endpoint);
    const f = await fixture({ endpoint: p.endpoint, cacheMaxBytes: 10 });
    try {
      const { store } = f;
      await store.put('m/day=2024-01-01/a.csv', 'a,1\nxx');
      await store.put('m/day=2024-01-02/b.csv', 'b,2\nyy');
      const [a] = await store.localPaths(['m/day=2024-01-01/a.csv']);
      assert.ok(a!.startsWith(store.cacheRoot + sep) && a!.endsWith(join('m', 'day=2024-01-01', 'a.csv')), a);
      const gets = (): number => p.requests.filter((r) => r.startsWith('GET') && r.includes('.csv')).length;
      assert.equal(gets(), 1);
      assert.deepEqual(await store.localPaths(['m/day=2024-01-01/a.csv']), [a]);
      assert.equal(gets(), 1, 'reused, not downloaded again');
      const [b] = await store.localPaths(['m/day=2024-01-02/b.csv']); // 12 bytes > 10: a goes
      assert.ok(!existsSync(a!) && existsSync(b!));
      const both = await store.localPaths(['m/day=2024-01-02/b.csv', 'm/day=2024-01-01/a.csv']); // one call may exceed the bound
      assert.deepEqual(
        both.map((x) => readFileSync(x, 'utf8')),
        ['b,2\nyy', 'a,1\nxx'],
      );
      await store.put('m/day=2024-01-02/b.csv', 'b,3\nzz'); // a new version gets a new file
      const [b2] = await store.localPaths(['m/day=2024-01-02/b.csv']);
      assert.notEqual(b2, b);
      assert.equal(readFileSync(b2!, 'utf8'), 'b,3\nzz');
      await assert.rejects(
        () => store.localPaths(['m/none']),
        (err: unknown) =>
          isCode('STORAGE_IO')(err) &&
          /cannot download "m\/none": there is no object "m\/none"/.test((err as Error).message),
      );
      await store.close();
      assert.ok(!existsSync(store.cacheRoot));
      // A cache left by a process that is gone is deleted by the next store's first download.
      const dead = join(f.sandbox, 'cache', '999999999-deadbeef');
      mkdirSync(dead, { recursive: true });
      await store.localPaths(['m/day=2024-01-01/a.csv']);
      assert.ok(!existsSync(dead));
      await store.close();
    } finally {
      await f.cleanup();
      await p.stop();
    }
  });

  it('retries 503 SlowDown with backoff, up to maxAttempts', async () => {
    const p = await startS3Proxy((await s3()).endpoint, { failFirst: 2 });
    try {
      await withStore({ endpoint: p.endpoint, maxAttempts: 3 }, async (store) => {
        await store.put('r/1', 'x'); // the bucket check absorbs the two failures
        assert.equal(p.failed, 2);
        assert.equal(text(await store.get('r/1')), 'x');
      });
    } finally {
      await p.stop();
    }
    const q = await startS3Proxy((await s3()).endpoint, { failFirst: 2 });
    try {
      await withStore({ endpoint: q.endpoint, maxAttempts: 2 }, async (store) => {
        await assert.rejects(
          () => store.put('r/1', 'x'),
          (err: unknown) => isCode('STORAGE_IO')(err) && /SlowDown \(HTTP 503\)/.test((err as Error).message),
        );
      });
    } finally {
      await q.stop();
    }
  });
});

describe('S3ObjectStore errors name the store, never the secret', () => {
  const secret = 'sluice-test-secret-Zx9Q7';

  it('bad credentials', async () => {
    const srv = await s3();
    const store = new S3ObjectStore(`s3://${BUCKET}/errs`, {
      env: { ...srv.env, AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: secret },
      maxAttempts: 1,
    });
    try {
      await assert.rejects(
        () => store.put('k', 'v'),
        (err: unknown) => {
          assert.ok(isCode('STORAGE_IO')(err));
          assert.match(
            (err as Error).message,
            /^object store s3:\/\/sluice-test\/errs: cannot write "k": access denied \(InvalidAccessKeyId\)/,
          );
          assert.ok(!inspect(err, { depth: 20 }).includes(secret), 'the secret leaked into the error');
          return true;
        },
      );
    } finally {
      await store.close();
    }
  });

  it('a missing bucket and an unreachable endpoint', async () => {
    const srv = await s3();
    const missing = new S3ObjectStore('s3://no-such-bucket/x', { env: { ...srv.env, AWS_SECRET_ACCESS_KEY: secret } });
    await assert.rejects(
      () => missing.get('k'),
      /^SluiceError: object store s3:\/\/no-such-bucket\/x: cannot read "k": bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+$/,
    );
    await missing.close();
    const port = await closedPort();
    const unreachable = new S3ObjectStore(`s3://${BUCKET}/x`, {
      env: { ...srv.env, AWS_SECRET_ACCESS_KEY: secret },
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 2,
    });
    await assert.rejects(
      () => unreachable.head('k'),
      (err: unknown) => {
        assert.match(
          (err as Error).message,
          new RegExp(
            `^object store s3://${BUCKET}/x: cannot stat "k": cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`,
          ),
        );
        assert.ok(!inspect(err, { depth: 20 }).includes(secret));
        return true;
      },
    );
    await unreachable.close();
  });
});

describe('createObjectStore with s3://', () => {
  it('opens an S3ObjectStore with the settings given, and refuses bad locations without echoing secrets', async () => {
    const srv = await s3();
    const sandbox = mkdtempSync(join(tmpdir(), 'sluice-s3-create-'));
    try {
      const store = createObjectStore(`s3://${BUCKET}/created/`, '/unused', {
        s3: { env: srv.env, cacheDir: join(sandbox, 'c'), stagingDir: join(sandbox, 's') },
      });
      assert.ok(store instanceof S3ObjectStore);
      assert.equal(store.uri, `s3://${BUCKET}/created`);
      await store.put('a', 'b');
      assert.equal(text(await store.get('a')), 'b');
      assert.equal(await store.createStaging('x'), join(sandbox, 's', 'x'));
      await store.close();
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
    for (const bad of [
      's3://',
      's3://B/x',
      's3://bucket/a/../b',
      's3://k:hunter22@bucket/x',
      's3://k:hunter22@bucket?x=1',
    ]) {
      assert.throws(
        () => createObjectStore(bad, '/unused'),
        (err: unknown) => isCode('CONFIG_INVALID')(err) && !(err as Error).message.includes('hunter22'),
        bad,
      );
    }
    assert.throws(
      () => createObjectStore(`s3://${BUCKET}/x`, '/unused', { s3: { endpoint: 'http://k:hunter22@127.0.0.1:1' } }),
      (err: unknown) => isCode('CONFIG_INVALID')(err) && !(err as Error).message.includes('hunter22'),
    );
  });
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** Write an object with the SDK directly (outside the store), e.g. a claim a dead writer left. */
async function rawPut(srv: S3TestServer, key: string): Promise<{ remove(): Promise<void> }> {
  const { S3Client, PutObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: srv.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: new Uint8Array(0), ContentLength: 0 }));
  return {
    async remove() {
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
      client.destroy();
    },
  };
}
