// An s3rver (S3-compatible test server) on 127.0.0.1, an ephemeral port and a folder of its own.
// Started by s3-test-server.ts as a child process with --openssl-legacy-provider: s3rver 3.7
// encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ only has in that provider.
// Usage: node --openssl-legacy-provider s3rver-child.mjs <dir> <bucket>...; prints {"port":N}.
// Exits when its standard input closes (the parent died or stopped it).
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
