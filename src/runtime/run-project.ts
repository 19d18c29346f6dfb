import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { loadConfig } from '../catalog/load-config.js';
import { loadProject } from '../catalog/load-project.js';
import { warmUpParser } from '../catalog/sql-refs.js';
import { SluiceError, ValidationError } from '../core/errors.js';
import { staleBefore } from '../core/staleness.js';
import type { DataInterval, Project } from '../core/types.js';
import { driveRun } from '../coordinator/drive-run.js';
import { LocalWorkers } from '../launcher/local-workers.js';
import type { RunResult } from '../protocol/run-result.js';
import { buildPlan } from '../planner/build-plan.js';
import { openEngine, openStores, stateDir } from './open-runtime.js';
import { recoverAbandoned, sweepStaging } from '../coordinator/recover-abandoned.js';
import { acquireRunLock } from '../coordinator/run-lock.js';
import { startRunObservers } from './run-observers.js';
import type { Delivery } from '../observability/alerts/deliver-webhook.js';
import type { RunEvent } from '../protocol/run-event.js';

export interface RunProjectOptions {
  readonly select?: readonly string[];
  /** Worker processes to start; overrides `execution.workers`. */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  /** The run's data interval (`--from`/`--to`). */
  readonly interval?: DataInterval;
  /** Rebuild every selected model, even those unchanged since their last build (`--full-refresh`). */
  readonly fullRefresh?: boolean;
  readonly onEvent?: (event: RunEvent) => void;
  /** Called once the project is loaded (the CLI reads the run's cost with its settings afterwards). */
  readonly onProject?: (project: Project) => void;
  /** Called once the project is validated and planned, before anything runs. */
  readonly onPlanned?: (info: { models: number; groups: number; workers: number; longestName: number }) => void;
  /**
   * A finished (failed, interrupted or abandoned) run to drive again instead of starting one:
   * dead items are redriven, succeeded work is kept (`sluice retry`). Its selection is reused.
   */
  readonly resume?: string;
  /** Called with the worker pool once it is forked, before the project is loaded (tests use it to kill workers). */
  readonly onWorkers?: (workers: LocalWorkers) => void;
  /**
   * Workers the caller forked already (the CLI forks them before it even loads this module);
   * resized here to the run's worker count. Default: forked here.
   */
  readonly pool?: LocalWorkers;
  /** Called for each alert delivered, or given up on, to a webhook (`alerts:` in sluice.yaml). */
  readonly onAlert?: (delivery: Delivery) => void;
}

/**
 * Validate, plan and run a project on the embedded default: this process coordinates, local
 * worker processes do the work through the queue in the metadata store. Throws only before
 * anything runs (invalid project, bad selection, another run holding the lock); once tasks
 * start, every outcome is in the returned result.
 */
export async function runProject(root: string, opts: RunProjectOptions = {}): Promise<RunResult> {
  const absRoot = resolve(root);
  warmUpParser(); // DuckDB's SQL parser starts on a libuv thread while the workers are forked
  const config = loadConfig(absRoot);
  // The workers are forked first: they boot (Node, DuckDB, the stores' code) while this process
  // loads, validates and plans, and touch no store until `workers.start` below. With an invalid
  // sluice.yaml none is forked (loading the project then throws its problems).
  const count = config.config ? (opts.workers ?? (config.config.execution.workers || cpus().length)) : 0;
  const workers = opts.pool ?? new LocalWorkers({ count });
  workers.resize(count);
  opts.onWorkers?.(workers);
  try {
    const project = await loadProject(absRoot, { config });
    opts.onProject?.(project);
    return await coordinate(project, workers, count, opts);
  } finally {
    // Already stopped unless something threw before the run; then they end having done nothing.
    await workers.stop();
  }
}

async function coordinate(
  project: Project,
  workers: LocalWorkers,
  count: number,
  opts: RunProjectOptions,
): Promise<RunResult> {
  const lock = acquireRunLock(stateDir(project));
  try {
    const stores = await openStores(project);
    try {
      await recoverAbandoned(stores, project.config.execution.heartbeatMs);
      let select = opts.select ?? [];
      if (opts.resume !== undefined) {
        const run = await stores.store.getRun(opts.resume);
        if (!run) throw new SluiceError('CLI_USAGE', `no run '${opts.resume}' (sluice status lists them)`);
        if (run.status === 'succeeded')
          throw new SluiceError('CLI_USAGE', `run ${run.id} succeeded; there is nothing to retry`);
        select = run.selector === '*' ? [] : [run.selector];
      }
      const plan = buildPlan(project, select);
      // The workers open the stores and claim while the coordinator validates.
      workers.start(project, stores.store);
      const observers = startRunObservers(project, stores.store, stores.objects.uri, {
        ...(opts.resume !== undefined && { resume: opts.resume }),
        ...(opts.onEvent && { next: opts.onEvent }),
        ...(opts.onAlert && { onAlert: opts.onAlert }),
      });
      const engine = await openEngine(project, { threads: 1 });
      const conn = await engine.connect();
      let result: RunResult;
      try {
        const problems = await engine.checkBindings(project, plan.graph.order);
        if (problems.length > 0) throw new ValidationError(problems);
        opts.onPlanned?.({
          models: plan.models.length,
          groups: plan.groups.length,
          workers: count,
          longestName: Math.max(0, ...plan.models.map((m) => m.name.length)),
        });
        result = await driveRun({ project, store: stores.store, objects: stores.objects, conn }, plan, workers, {
          ...(opts.resume !== undefined && { runId: opts.resume, resume: true }),
          ...(opts.signal && { signal: opts.signal }),
          onEvent: observers.onEvent,
          ...(opts.interval && { interval: opts.interval }),
          ...(opts.fullRefresh && { fullRefresh: true }),
        });
      } finally {
        // The workers hand back and exit while this process closes its DuckDB.
        const stopped = workers.stop();
        conn.closeSync();
        await engine.close();
        await stopped;
        // Staging left behind by workers that were killed is garbage now.
        await sweepStaging(stores, staleBefore(Date.now(), project.config.execution.heartbeatMs));
      }
      // After the workers stopped: every attempt's metrics are in, so cost is complete.
      await observers.finish(result);
      return result;
    } finally {
      await stores.close();
    }
  } finally {
    lock.release();
  }
}
