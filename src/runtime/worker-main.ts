import { cpus as machineCpus, hostname, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { SluiceError, ValidationError } from '../core/errors.js';
import { Wakeup } from '../core/wakeup.js';
import { OBJECTS_ENV, STORE_ENV, openEngine, openStores, stateDir, type Stores } from './open-runtime.js';
import type { ProjectSettings } from '../core/types.js';
import { runWorker, type WorkerStats } from '../executor/worker.js';
import { workerEventLogger } from '../observability/logs/log-events.js';
import { createLogger } from '../observability/logs/logger.js';
import type { WorkerEvent } from '../protocol/worker-event.js';

export interface WorkerMainOptions {
  /**
   * The project folder, for `sluice.yaml` (stores, execution settings). Undefined: a worker on a
   * machine without the project, with both stores given by SLUICE_STORE and SLUICE_OBJECTS and
   * default execution settings (items carry their SQL, retry policy and resources).
   */
  readonly projectRoot: string | undefined;
  /**
   * The project's settings as the coordinator validated them (`sluice run`'s worker processes):
   * used instead of reading `sluice.yaml` again, and `projectRoot` is then ignored.
   */
  readonly settings?: ProjectSettings;
  readonly id?: string;
  /** What this worker offers (default: the machine's cores and memory). */
  readonly cpus?: number;
  readonly memoryBytes?: number;
  /** Workers on this machine sharing the DuckDB memory limit. */
  readonly shareOf?: number;
  readonly onEvent?: (e: WorkerEvent) => void;
  /** Resolved on stop requests other than signals (e.g. the parent went away). */
  readonly stop?: AbortSignal;
  readonly wakeup?: Wakeup;
  /** Called once the stores are open (e.g. to report queue depths from the metadata store). */
  readonly onStores?: (stores: Stores) => void;
  /** Also write log lines here (JSON, or the human format when `human`); they always go to the run's log file. */
  readonly logConsole?: { readonly stream: NodeJS.WritableStream; readonly human: boolean };
  readonly logLevel?: string;
}

/**
 * A worker process's life: open the stores named by the project's settings, register, claim
 * and run work items until stopped (SIGTERM/SIGINT: finish nothing new, hand back the item in
 * hand, deregister, exit). Needs only `sluice.yaml`, not the models: items carry their SQL.
 */
/** This worker's share of its machine's memory limit (see resolveMemoryLimit). */
function engineShare(opts: WorkerMainOptions): { shareOf: number; machineBytes?: number } {
  return { shareOf: opts.shareOf ?? 1, ...(opts.memoryBytes !== undefined && { machineBytes: opts.memoryBytes }) };
}

export async function workerMain(opts: WorkerMainOptions): Promise<WorkerStats> {
  const project = opts.settings ?? (await workerSettings(opts.projectRoot));
  const exec = project.config.execution;
  const cpus = opts.cpus ?? machineCpus().length;
  const memoryBytes = opts.memoryBytes ?? Math.floor(totalmem() / (opts.shareOf ?? 1));
  const id = opts.id ?? `${hostname()}-${process.pid}`;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const offSignals = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  opts.stop?.addEventListener('abort', onSignal);
  if (opts.stop?.aborted) onSignal();

  const log = createLogger({
    logDir: join(stateDir(project), 'logs'),
    component: 'worker',
    console: opts.logConsole,
    level: opts.logLevel ?? 'info',
    bindings: { workerId: id },
  });
  const logEvent = workerEventLogger(log);
  const onEvent = (e: WorkerEvent) => {
    logEvent(e);
    opts.onEvent?.(e);
  };
  // DuckDB starts (mostly on a libuv thread) while the stores open.
  const [opened, started] = await Promise.allSettled([
    openStores(project),
    openEngine(project, { ...engineShare(opts), sandbox: 'per-run' }),
  ]);
  if (opened.status === 'rejected' || started.status === 'rejected') {
    if (opened.status === 'fulfilled') await opened.value.close();
    if (started.status === 'fulfilled') await started.value.close();
    offSignals();
    throw opened.status === 'rejected' ? opened.reason : (started as PromiseRejectedResult).reason;
  }
  const stores = opened.value;
  const engine = started.value;
  opts.onStores?.(stores);
  const { store } = stores;
  try {
    // Stopped while it started up (e.g. the run ended with every task skipped): leave without
    // registering; it holds nothing to hand back.
    if (stop.signal.aborted) return { succeeded: 0, failed: 0, fenced: 0, released: 0 };
    await store.registerWorker({ id, host: hostname(), pid: process.pid, cpus, memoryBytes, startedAt: Date.now() });
    const beat = setInterval(
      () => void store.workerHeartbeat(id, Date.now(), stop.signal.aborted ? 'draining' : 'active').catch(() => {}),
      exec.heartbeatMs,
    );
    try {
      const wakeup = opts.wakeup;
      return await runWorker({
        id,
        store,
        objects: stores.objects,
        engine,
        cpus,
        memoryBytes,
        leaseMs: exec.leaseMs,
        heartbeatMs: exec.heartbeatMs,
        pollMs: wakeup ? 1000 : 200,
        stop: stop.signal,
        ...(wakeup && { waitForWork: (ms: number, stop: AbortSignal) => wakeup.wait(ms, stop) }),
        onEvent,
      });
    } finally {
      clearInterval(beat);
      offSignals();
      await store.stopWorker(id, Date.now(), 'stopped').catch(() => {});
    }
  } finally {
    offSignals();
    await engine.close();
    await stores.close();
  }
}

/**
 * The project's settings, or defaults for a worker without a project (both stores in the
 * environment). The config reader (YAML and schema validation) is imported here, not at the top:
 * the worker processes of `sluice run` are handed their settings and never load it.
 */
async function workerSettings(projectRoot: string | undefined): Promise<ProjectSettings> {
  const { loadConfig } = await import('../catalog/load-config.js');
  const { toProjectConfig } = await import('../catalog/config-schema.js');
  if (projectRoot !== undefined) {
    const root = resolve(projectRoot);
    const loaded = loadConfig(root);
    if (!loaded.config) throw new ValidationError(loaded.problems);
    return { root, config: loaded.config };
  }
  if (!process.env[STORE_ENV] || !process.env[OBJECTS_ENV]) {
    throw new SluiceError(
      'CONFIG_NOT_FOUND',
      'a worker outside a project folder needs both --store and --objects (or SLUICE_STORE and SLUICE_OBJECTS)',
    );
  }
  return { root: process.cwd(), config: toProjectConfig({ name: 'worker' }) };
}
