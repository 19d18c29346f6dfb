import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { WorkerEvent } from '../executor/worker.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { WorkerSignals } from './drive-run.js';
import { Wakeup } from '../core/wakeup.js';

/** The worker entry next to this module: `.ts` under tsx (tests), `.js` when built. */
const ENTRY = new URL(`../executor/worker-entry${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export interface LocalWorkersOptions {
  readonly count: number;
  readonly projectRoot: string;
  /** To release a dead worker's leases at once instead of waiting for them to expire. */
  readonly store: MetadataStore;
  readonly onEvent?: (workerId: string, e: WorkerEvent) => void;
  /** Give up respawning after this many unexpected exits. */
  readonly maxRespawns?: number;
}

/**
 * Worker processes on this machine (the embedded default). Each is a separate process with its
 * own DuckDB, so a native crash or a kill takes down one worker, never the run: its leases are
 * released at once and a replacement is started.
 */
export class LocalWorkers implements WorkerSignals {
  private readonly children = new Map<string, ChildProcess>();
  private readonly toCoordinator = new Wakeup();
  private stopping = false;
  private respawns = 0;
  private generation = 0;
  private readonly exits: Promise<void>[] = [];
  /** Unique to this pool: a process may start many pools, and worker ids must never repeat. */
  private readonly poolTag = randomBytes(3).toString('hex');

  constructor(private readonly opts: LocalWorkersOptions) {
    for (let i = 0; i < opts.count; i++) this.spawn();
  }

  private spawn(): void {
    const id = `${hostname()}-${process.pid}-${this.poolTag}-w${++this.generation}`;
    const child = fork(fileURLToPath(ENTRY), [JSON.stringify({ projectRoot: this.opts.projectRoot, id, shareOf: this.opts.count })], {
      execArgv: ENTRY.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.children.set(id, child);
    child.on('message', (m: { type?: string; event?: WorkerEvent }) => {
      if (m?.type !== 'item' || !m.event) return;
      this.opts.onEvent?.(id, m.event);
      if (m.event.kind === 'item_finished') this.toCoordinator.notify();
    });
    this.exits.push(
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          this.children.delete(id);
          if (!this.stopping && (code !== 0 || signal)) {
            // Died under us (kill -9, OOM, native crash): hand its items back now.
            void this.opts.store
              .stopWorker(id, Date.now(), 'lost')
              .catch(() => {})
              .finally(() => this.toCoordinator.notify());
            if (this.respawns++ < (this.opts.maxRespawns ?? 50)) this.spawn();
          }
          resolve();
        }),
      ),
    );
  }

  /** Process ids of the live workers (for tests and `sluice workers`). */
  pids(): number[] {
    return [...this.children.values()].map((c) => c.pid!).filter((p) => p !== undefined);
  }

  wake(): void {
    for (const c of this.children.values()) if (c.connected) c.send({ type: 'wake' }, () => {});
  }

  waitForChange(ms: number): Promise<void> {
    return this.toCoordinator.wait(ms);
  }

  /** SIGTERM every worker (they hand back their items) and wait; SIGKILL after `graceMs`. */
  async stop(graceMs = 90_000): Promise<void> {
    this.stopping = true;
    for (const c of this.children.values()) c.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of this.children.values()) c.kill('SIGKILL');
    }, graceMs);
    await Promise.all(this.exits);
    clearTimeout(timer);
  }
}
