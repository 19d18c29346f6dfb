import { join } from 'node:path';
import type { LocalWorkers } from '../../../src/launcher/local-workers.js';
import { runProject } from '../../../src/runtime/run-project.js';
import { SqliteMetadataStore } from '../../../src/store/sqlite/sqlite-metadata-store.js';

export interface Kill {
  /** Milliseconds after the run's first task started (its first lease). */
  readonly atMs: number;
  /** Which live worker, as a fraction of the live list [0, 1). */
  readonly pick: number;
}

export interface TrialOutcome {
  readonly runId: string;
  readonly status: string;
  /** From the first task_started event (first lease) to the run_finished event. */
  readonly workMs: number;
  /** When each kill happened (ms after the first task started) and whom it hit (null: nobody alive). */
  readonly killed: readonly { readonly atMs: number; readonly pid: number | null }[];
  readonly failed: readonly string[];
}

/**
 * One kill -9 trial: run the project with runProject and, `atMs` after its first task started,
 * SIGKILL a live worker of the pool (onWorkers -> pids()) picked by `pick`. Live: its process
 * runs and it registered with the metadata store as active (a replacement still booting is not
 * a worker yet); if none has, any process of the pool. A pid is never killed twice.
 */
export async function killTrial(root: string, workers: number, kills: readonly Kill[]): Promise<TrialOutcome> {
  let pool: LocalWorkers | undefined;
  let firstTask: number | undefined;
  let finished: number | undefined;
  const killed: { atMs: number; pid: number | null }[] = [];
  const killedPids = new Set<number>();
  const timers: NodeJS.Timeout[] = [];
  const errors: string[] = [];

  const killOne = async (origin: number, pick: number): Promise<void> => {
    const processes = (pool?.pids() ?? []).filter((p) => !killedPids.has(p));
    const store = new SqliteMetadataStore(join(root, '.sluice/sluice.db'));
    const active = new Set(
      (await store.listWorkers().finally(() => store.close())).filter((w) => w.state === 'active').map((w) => w.pid),
    );
    const live = processes.filter((p) => active.has(p));
    const from = live.length > 0 ? live : processes;
    const pid = from.length === 0 ? null : from[Math.min(from.length - 1, Math.floor(pick * from.length))]!;
    if (pid !== null) {
      killedPids.add(pid);
      process.kill(pid, 'SIGKILL');
    }
    killed.push({ atMs: Date.now() - origin, pid });
  };

  const result = await runProject(root, {
    workers,
    // Every trial recomputes everything (an unchanged model would be skipped, and nothing killed).
    fullRefresh: true,
    onWorkers: (w) => (pool = w),
    onEvent: (e) => {
      if (e.kind === 'run_finished') finished = Date.now();
      if (e.kind !== 'task_started' || firstTask !== undefined) return;
      const origin = (firstTask = Date.now());
      for (const k of kills)
        timers.push(setTimeout(() => void killOne(origin, k.pick).catch((err) => errors.push(String(err))), k.atMs));
    },
  });
  for (const t of timers) clearTimeout(t);
  const ended = Date.now();
  return {
    runId: result.runId,
    status: result.status,
    workMs: (finished ?? ended) - (firstTask ?? ended),
    killed,
    failed: [
      ...errors.map((e) => `kill failed: ${e}`),
      ...result.tasks.filter((t) => t.status !== 'succeeded').map((t) => `${t.model}: ${t.status}: ${t.error}`),
    ],
  };
}
