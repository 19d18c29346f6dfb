import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';

export interface RunLock {
  /** The pid of a previous holder that died without releasing the lock, if any. */
  readonly abandonedBy: number | undefined;
  release(): void;
}

/**
 * One run at a time per project on the embedded default: `<state>/run.lock` holds the pid of
 * the running process. A lock left by a dead process is taken over (and reported, so the
 * caller can clean up after the abandoned run).
 */
export function acquireRunLock(state: string): RunLock {
  mkdirSync(state, { recursive: true });
  const file = join(state, 'run.lock');
  let abandonedBy: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      return {
        abandonedBy,
        release: () => rmSync(file, { force: true }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder !== undefined && holder.host === hostname() && isAlive(holder.pid)) {
        throw new SluiceError(
          'EXEC_FAILED',
          `another sluice run (pid ${holder.pid}, since ${holder.since}) is running in this project; wait for it or stop it (lock: ${file})`,
        );
      }
      abandonedBy = holder?.pid;
      rmSync(file, { force: true });
    }
  }
  throw new SluiceError('EXEC_FAILED', `could not take the run lock ${file}`);
}

function readHolder(file: string): { pid: number; host: string; since: string } | undefined {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    return typeof doc.pid === 'number' ? doc : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
