import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** s3rver's built-in key pair (it checks the access key id, not SigV4 signatures). */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Environment for an S3 object store using this server (no AWS_* from the host leaks in). */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./s3rver-child.mjs', import.meta.url));

/** Start an s3rver with these buckets, in a child process, on 127.0.0.1 and an ephemeral port. */
export async function startS3rver(buckets: readonly string[] = ['sluice-test']): Promise<S3TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--no-warnings', CHILD, dir, ...buckets], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${stderr}`)));
    child.once('error', reject);
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`s3rver test server exited unexpectedly (${code ?? signal}): ${stderr}\n`);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { ...S3RVER_CREDENTIALS, AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1' },
    async stop() {
      stopping = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin.end();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
