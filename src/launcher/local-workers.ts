import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ProjectSettings } from '../core/types.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { WorkerSignals } from '../core/worker-signals.js';
import { Wakeup } from '../core/wakeup.js';
import { errorMessage } from '../core/errors.js';
import { parseFromWorkerMessage, type FromWorkerMessage, type ToWorkerMessage } from '../protocol/worker-message.js';
import type { WorkerEvent } from '../protocol/worker-event.js';

/** The worker entry next to this module: `.ts` under tsx (tests), `.js` when built. */
const ENTRY = new URL(`../runtime/worker-entry${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export interface LocalWorkersOptions {
  readonly count: number;
  readonly onEvent?: (workerId: string, e: WorkerEvent) => void;
  /** Give up respawning after this many unexpected exits. */
  readonly maxRespawns?: number;
}

/**
 * Worker processes on this machine (the embedded default). Each is a separate process with its
 * own DuckDB, so a native crash or a kill takes down one worker, never the run: its leases are
 * released at once and a replacement is started.
 *
 * The processes are forked at once and load their code (Node, DuckDB, the stores' drivers) while
 * the caller still loads and validates the project; they touch no store until `start` hands them
 * the project's validated settings. `stop` before `start` ends them having done nothing.
 */
export class LocalWorkers implements WorkerSignals {
  private readonly children = new Map<string, ChildProcess>();
  /** Workers that loaded their code and wait for their settings. */
  private readonly ready = new Set<string>();
  /** Set by `start`: what the workers run with, and the store to release a dead worker's leases in. */
  private running: { readonly settings: ProjectSettings; readonly store: MetadataStore } | undefined;
  private readonly toCoordinator = new Wakeup();
  private stopping = false;
  private respawns = 0;
  private generation = 0;
  private readonly exits: Promise<void>[] = [];
  /** Unique to this pool: a process may start many pools, and worker ids must never repeat. */
  private readonly poolTag = randomBytes(3).toString('hex');
  /** Workers the pool should have (`resize` changes it before `start`). */
  private count: number;
  /** Workers stopped by `resize`: their exit is not a death to replace. */
  private readonly retired = new Set<string>();

  constructor(private readonly opts: LocalWorkersOptions) {
    this.count = opts.count;
    for (let i = 0; i < opts.count; i++) this.spawn();
  }

  /**
   * Before `start`: make the pool `count` workers, forking more or stopping the extra ones
   * (which end having done nothing). The CLI forks a pool before it has read sluice.yaml, sized
   * by --workers or the cores; the project's `execution.workers` then sets the size.
   */
  resize(count: number): void {
    if (this.running || this.stopping) return;
    this.count = count;
    while (this.children.size - this.retired.size < count) this.spawn();
    for (const [id, child] of [...this.children].reverse()) {
      if (this.children.size - this.retired.size <= count) break;
      if (this.retired.has(id)) continue;
      this.retired.add(id);
      child.kill('SIGTERM');
    }
  }

  /**
   * Let the workers open the stores, register and claim: `settings` are the project's validated
   * settings (workers do not read sluice.yaml again); `store` is where a worker that dies has its
   * leases released at once instead of waiting for them to expire. Replacements start at once.
   */
  start(settings: ProjectSettings, store: MetadataStore): void {
    if (this.running) return;
    // Only what a worker needs travels (the project's models stay here).
    this.running = { settings: { root: settings.root, config: settings.config }, store };
    for (const id of this.ready) this.sendStart(id);
  }

  private sendStart(id: string): void {
    const child = this.children.get(id);
    if (this.running && !this.stopping && !this.retired.has(id) && child?.connected) {
      const start: ToWorkerMessage = { type: 'start', settings: this.running.settings, shareOf: this.count };
      child.send(start, () => {});
    }
  }

  private spawn(): void {
    const id = `${hostname()}-${process.pid}-${this.poolTag}-w${++this.generation}`;
    const child = fork(fileURLToPath(ENTRY), [JSON.stringify({ id })], {
      execArgv: ENTRY.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.children.set(id, child);
    child.on('message', (message: unknown) => {
      let m: FromWorkerMessage;
      try {
        m = parseFromWorkerMessage(message, id);
      } catch (err) {
        // Not a message of this protocol: say so and ignore it (the store still has the truth).
        process.stderr.write(`sluice: ${errorMessage(err)}\n`);
        return;
      }
      if (m.type === 'ready') {
        this.ready.add(id);
        this.sendStart(id);
        return;
      }
      this.opts.onEvent?.(id, m.event);
      if (m.event.kind === 'item_finished') this.toCoordinator.notify();
    });
    this.exits.push(
      new Promise((resolve) =>
        child.on('exit', (code, signal) => {
          this.children.delete(id);
          this.ready.delete(id);
          if (this.retired.delete(id)) return resolve();
          if (!this.stopping && (code !== 0 || signal)) {
            // Died under us (kill -9, OOM, native crash): hand its items back now.
            void this.running?.store
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
    const wake: ToWorkerMessage = { type: 'wake' };
    for (const c of this.children.values()) if (c.connected) c.send(wake, () => {});
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
