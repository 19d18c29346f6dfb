import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Every contender runs in a child process of its own, so that its peak memory (maxRSS) is its
 * own and no contender warms another's caches in-process. A child prints one result line,
 * prefixed with RESULT_MARKER, as its last line of stdout.
 */
const RESULT_MARKER = '@@bench-result ';

export interface ChildOutcome<T> {
  readonly result: T;
  /** Peak resident memory of the child process itself, in MiB (its VmHWM; see peakRssKb). */
  readonly maxRssMb: number;
  /**
   * Peak of the summed resident memory of the child and all its descendants (worker
   * processes, naive tasks), sampled from /proc every 50 ms; equals maxRssMb where /proc is absent.
   */
  readonly treeRssMb: number;
  /** From spawn to exit, seen by the parent (includes Node start-up and module loading). */
  readonly processMs: number;
}

/** Environment shared by every child: the same libuv pool size sluice's CLI sets (ADR 0003). */
export const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env, UV_THREADPOOL_SIZE: '16' };

/**
 * Runs `script` (a bench/*.ts module that calls `childMain`) on `job`, handed over as a JSON
 * file (jobs can hold every model's SQL, more than one command-line argument may).
 */
export async function runInChild<T>(
  script: string,
  job: unknown,
  env: NodeJS.ProcessEnv = CHILD_ENV,
): Promise<ChildOutcome<T>> {
  const file = script.startsWith('file:') ? fileURLToPath(script) : script;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-job-'));
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  try {
    return await spawnForResult(['--import', 'tsx', file, jobFile], file, { env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs plain JavaScript (an ES module, no TypeScript loader) in a fresh `node` with `job` as
 * process.argv[1]; the code must print its own result line (RESULT_MARKER + { result, maxRssKb }).
 */
export function runCodeInChild<T>(
  code: string,
  job: unknown,
  cwd: string,
  env: NodeJS.ProcessEnv = CHILD_ENV,
): Promise<ChildOutcome<T>> {
  return spawnForResult(['--input-type=module', '-e', code, JSON.stringify(job)], 'inline program', { env, cwd });
}

function spawnForResult<T>(
  args: string[],
  what: string,
  opts: { env: NodeJS.ProcessEnv; cwd?: string },
): Promise<ChildOutcome<T>> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let treeKb = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) treeKb = Math.max(treeKb, treeRssKb(child.pid));
    }, 50);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(sampler);
      const processMs = performance.now() - started;
      const line = stdout.split('\n').findLast((l) => l.startsWith(RESULT_MARKER));
      if (code !== 0 || !line) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(
          new Error(`${what} failed (${why}): ${(stderr.trim() || stdout.trim()).split('\n').slice(-8).join('\n')}`),
        );
        return;
      }
      const parsed = JSON.parse(line.slice(RESULT_MARKER.length)) as { result: T; maxRssKb: number };
      resolve({
        result: parsed.result,
        maxRssMb: parsed.maxRssKb / 1024,
        treeRssMb: Math.max(treeKb, parsed.maxRssKb) / 1024,
        processMs,
      });
    });
  });
}

/** Resident memory of a process and its descendants, in KiB (Linux /proc; 0 elsewhere). */
export function treeRssKb(pid: number): number {
  let total = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // Gone already, or no /proc.
    }
  }
  return total;
}

/**
 * Call at the bottom of a contender module: when the module is the process's entry point, runs
 * `fn` on the job (the JSON file named by the first argument) and prints its result with the process's peak RSS.
 */
export function childMain<J, T>(metaUrl: string, fn: (job: J) => Promise<T>): void {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(entry).href !== metaUrl) return;
  const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as J;
  fn(job).then(
    (result) => {
      process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify({ result, maxRssKb: peakRssKb() })}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

/**
 * This process's peak resident memory in KiB. Linux keeps `ru_maxrss` (what
 * `process.resourceUsage().maxRSS` reports) across fork and exec, so a child of a big harness
 * reports the harness's peak; `VmHWM` in /proc/self/status is this process image's own. Falls
 * back to maxRSS where /proc is absent.
 */
export function peakRssKb(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm !== undefined) return Number(hwm);
  } catch {
    // no /proc
  }
  return process.resourceUsage().maxRSS;
}
