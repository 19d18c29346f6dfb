#!/usr/bin/env node
// A local S3-compatible server for trying sluice's scale-out setup (README, "Scale out"): s3rver
// from the dev dependencies, with the two fixes the tests use (test/helpers/s3rver-child.mjs),
// on 127.0.0.1. Not for production data. Stops on Ctrl-C or SIGTERM.
// Usage: node scripts/s3-dev-server.mjs [--port 4569] [--dir .s3-dev] [bucket ...]   (default bucket: lake)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { port: { type: 'string', default: '4569' }, dir: { type: 'string', default: '.s3-dev' } },
  allowPositionals: true,
});
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });
const buckets = positionals.length > 0 ? positionals : ['lake'];
const child = spawn(
  process.execPath,
  [
    '--openssl-legacy-provider',
    '--no-warnings',
    fileURLToPath(new URL('../test/helpers/s3rver-child.mjs', import.meta.url)),
    dir,
    ...buckets,
  ],
  {
    env: { ...process.env, S3RVER_PORT: values.port },
    stdio: ['pipe', 'pipe', 'inherit'],
  },
);
child.stdout.once('data', (d) => {
  const { port } = JSON.parse(String(d));
  process.stdout.write(
    `S3-compatible server on http://127.0.0.1:${port}, bucket(s) ${buckets.join(', ')}, data in ${dir}\n`,
  );
  process.stdout.write(
    `export AWS_ENDPOINT_URL_S3=http://127.0.0.1:${port} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER\n`,
  );
});
child.on('exit', (code) => process.exit(code ?? 1));
const stop = () => child.stdin.end();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
