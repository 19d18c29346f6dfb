import { cpus } from 'node:os';
import { loadProject } from '../catalog/load-project.js';
import { ValidationError } from '../core/errors.js';
import { runPlan } from '../executor/run-plan.js';
import type { RunEvent, RunResult } from '../executor/run-result.js';
import { buildPlan } from '../planner/build-plan.js';
import { openEngine, openStores, stateDir } from './open-runtime.js';
import { recoverAbandoned } from './recover-abandoned.js';
import { acquireRunLock } from './run-lock.js';

export interface RunProjectOptions {
  readonly select?: readonly string[];
  /** Overrides `execution.workers`. */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Called once the project is validated and planned, before anything runs. */
  readonly onPlanned?: (info: { models: number; groups: number; workers: number; longestName: number }) => void;
}

/**
 * Validate, plan and run a project on the embedded default. Throws only before anything runs
 * (invalid project, bad selection, another run holding the lock); once tasks start, every
 * outcome is in the returned result.
 */
export async function runProject(root: string, opts: RunProjectOptions = {}): Promise<RunResult> {
  const project = await loadProject(root);
  const plan = buildPlan(project, opts.select ?? []);
  const engine = await openEngine(project);
  try {
    const problems = await engine.checkBindings(project, plan.graph.order);
    if (problems.length > 0) throw new ValidationError(problems);
    const workers = opts.workers ?? (project.config.execution.workers || cpus().length);
    const lock = acquireRunLock(stateDir(project));
    try {
      const stores = await openStores(project);
      try {
        await recoverAbandoned(stores);
        opts.onPlanned?.({ models: plan.models.length, groups: plan.groups.length, workers, longestName: Math.max(0, ...plan.models.map((m) => m.name.length)) });
        return await runPlan({ project, engine, objects: stores.objects, store: stores.store }, plan, {
          workers,
          ...(opts.signal && { signal: opts.signal }),
          ...(opts.onEvent && { onEvent: opts.onEvent }),
        });
      } finally {
        await stores.close();
      }
    } finally {
      lock.release();
    }
  } finally {
    await engine.close();
  }
}
