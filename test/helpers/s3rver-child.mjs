// An s3rver (S3-compatible test server) on 127.0.0.1, an ephemeral port and a folder of its own.
// Started by s3-test-server.ts as a child process with --openssl-legacy-provider: s3rver 3.7
// encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ only has in that provider.
// Usage: node --openssl-legacy-provider s3rver-child.mjs <dir> <bucket>...; prints {"port":N}.
// Exits when its standard input closes (the parent died or stopped it).
// One patch, below, for a crash under concurrency.
import { createRequire } from 'node:module';
import S3rver from 's3rver';

// s3rver's file-system store removes a folder left empty by a delete while a concurrent PUT into
// the same folder has created it but not yet opened its file: the PUT's stream then fails with
// ENOENT on an 'error' event nobody listens to, and the whole server crashes. (S3 has no folders;
// the claim protocol puts and deletes claims side by side.) Keep empty folders instead.
const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js');
FilesystemStore.prototype.deleteObject = async function deleteObject(bucket, key) {
  const { unlink } = await import('node:fs/promises');
  await Promise.all(['object', 'object.md5', 'metadata.json'].map((resource) =>
    unlink(this.getResourcePath(bucket, key, resource)).catch((err) => { if (err.code !== 'ENOENT') throw err; })));
};

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
