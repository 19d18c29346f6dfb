// An s3rver (S3-compatible test server) on 127.0.0.1, an ephemeral port (or $S3RVER_PORT) and a
// folder of its own.
// Started by s3-test-server.ts as a child process with --openssl-legacy-provider: s3rver 3.7
// encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ only has in that provider.
// Usage: node --openssl-legacy-provider s3rver-child.mjs <dir> <bucket>...; prints {"port":N}.
// Exits when its standard input closes (the parent died or stopped it).
//
// Two patches to its file-system store bring it closer to S3 under concurrency:
// 1. PUT wrote straight into the object's file, so a concurrent GET or LIST could see part of
//    it; S3 objects appear whole. Write a temp file (which LIST skips) and rename it into place.
// 2. DELETE removed folders left empty, racing a concurrent PUT into the same folder that had
//    created the folder but not yet opened its file: that stream failed with ENOENT on an
//    'error' event nobody listens to, crashing the server. S3 has no folders: keep them.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';

const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js');

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  const temp = join(dirname(objectPath), `.put-${randomBytes(8).toString('hex')}`);
  const md5 = createHash('md5');
  let size = 0;
  try {
    if (Buffer.isBuffer(object.content)) {
      md5.update(object.content);
      size = object.content.length;
      await writeFile(temp, object.content);
    } else {
      const count = new Transform({
        transform(chunk, _enc, done) {
          md5.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(object.content, count, createWriteStream(temp));
    }
    const digest = md5.digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    await rename(temp, objectPath);
    return { size, md5: digest };
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
};

FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  await Promise.all(
    ['object', 'object.md5', 'metadata.json'].map((resource) =>
      unlink(this.getResourcePath(bucket, key, resource)).catch((err) => {
        if (err.code !== 'ENOENT') throw err;
      }),
    ),
  );
};

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  port: Number(process.env.S3RVER_PORT ?? 0),
  address: '127.0.0.1',
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
