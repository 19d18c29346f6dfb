import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../catalog/load-config.js';
import { SluiceError, ValidationError } from '../core/errors.js';
import { openStores, stateDir } from '../runtime/open-runtime.js';

export interface DetachedRun {
  readonly runId: string;
  readonly pid: number;
  readonly log: string;
}

/**
 * `sluice run --detach`: start this same command (without --detach) as a background process that
 * outlives this one, wait until it has validated the project and created its run in the
 * metadata store, and return the run id. If the background process exits first (an invalid
 * project, another live run), its log says why and this fails with it.
 */
export async function detachRun(root: string, argv: readonly string[], timeoutMs = 120_000): Promise<DetachedRun> {
  const loaded = loadConfig(root);
  if (!loaded.config) throw new ValidationError(loaded.problems);
  const project = { root, config: loaded.config };
  const logs = join(stateDir(project), 'logs');
  mkdirSync(logs, { recursive: true });
  const log = join(
    logs,
    `run-${new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-${process.pid}.log`,
  );
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [...process.execArgv, ...argv.filter((a) => a !== '--detach')], {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const pid = child.pid!;
  const coordinator = `${hostname()}:${pid}`;
  const stores = await openStores(project);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const run = (await stores.store.listRuns({ limit: 20 })).find((r) => r.coordinator === coordinator);
      if (run) {
        child.unref();
        return { runId: run.id, pid, log };
      }
      if (exited !== undefined) {
        const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-20).join('\n');
        throw new SluiceError(
          'EXEC_FAILED',
          `the background run exited (code ${exited}) before it started:\n${tail}\n(log: ${log})`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.unref();
    throw new SluiceError(
      'EXEC_FAILED',
      `the background run (pid ${pid}) did not start a run within ${timeoutMs / 1000} s; see ${log}`,
    );
  } finally {
    await stores.close();
  }
}
