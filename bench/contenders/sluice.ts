import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Project } from '../../src/core/types.js';
import type { runProject as RunProject } from '../../src/runtime/run-project.js';
import { childMain } from '../child.js';

/**
 * sluice itself: `runProject` on the embedded default (DuckDB in-process, local object store,
 * SQLite metadata store), as `sluice run` does it. The project's object store and state folder
 * are emptied first, so every run builds every model from nothing. Timed from the call to
 * `runProject` (which loads, validates with the DuckDB bind check, plans, then runs) to its end.
 * `runProject` comes from the build the bench made (sluice-build.ts), imported before the timer.
 */
export interface SluiceJob {
  readonly root: string;
  /** The folder holding runtime/run-project.js (SluiceBuild.dir). */
  readonly build: string;
  /** Tasks at once; default: the project's setting (one per core). */
  readonly workers?: number;
  /** Folders deleted before the run: the object store and the state folder. */
  readonly reset: readonly string[];
  /** Models to run (`--select`); default all. */
  readonly select?: readonly string[];
  /** Rebuild models even when unchanged (`--full-refresh`). */
  readonly fullRefresh?: boolean;
}

export interface SluiceTask {
  readonly model: string;
  readonly status: string;
  /** Milliseconds from the start of the run loop. */
  readonly start: number;
  readonly durationMs: number;
}

export interface SluiceResult {
  /** The whole `runProject` call. */
  readonly wallMs: number;
  /** Loading, validation (bind check) and planning: until the run loop starts. */
  readonly prepareMs: number;
  /** The run loop (RunResult.durationMs): dispatch, tasks, metadata store, publishing. */
  readonly runMs: number;
  readonly workers: number;
  readonly status: string;
  readonly tasks: readonly SluiceTask[];
}

export async function runSluice(job: SluiceJob): Promise<SluiceResult> {
  for (const dir of job.reset) rmSync(dir, { recursive: true, force: true });
  const { runProject } = (await import(pathToFileURL(join(job.build, 'runtime', 'run-project.js')).href)) as {
    runProject: typeof RunProject;
  };

  let plannedAt = 0;
  let workers = 0;
  const started = performance.now();
  const result = await runProject(job.root, {
    ...(job.workers !== undefined && { workers: job.workers }),
    ...(job.select && { select: job.select }),
    ...(job.fullRefresh && { fullRefresh: true }),
    onPlanned: (info) => {
      plannedAt = performance.now();
      workers = info.workers;
    },
  });
  const wallMs = performance.now() - started;
  return {
    wallMs,
    prepareMs: plannedAt - started,
    runMs: result.durationMs,
    workers,
    status: result.status,
    tasks: result.tasks.map((t) => ({
      model: t.model,
      status: t.status,
      start: (t.startedAt ?? result.startedAt) - result.startedAt,
      durationMs: t.durationMs ?? 0,
    })),
  };
}

/** The object store and state folders a sluice run writes, emptied before each run. */
export function sluiceResetDirs(project: Project): string[] {
  return [resolve(project.root, project.config.storage.objects), resolve(project.root, project.config.paths.state)];
}

childMain(import.meta.url, runSluice);
