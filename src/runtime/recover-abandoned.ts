import { stagingOwnerPrefix } from '../executor/execute-item.js';
import type { Stores } from './open-runtime.js';

/**
 * Called with the run lock held, so no other run of this project is in progress: runs still
 * marked running were abandoned by a process that died. Mark them failed (their running tasks
 * failed, pending ones not run) and sweep staging. Published data is untouched.
 */
export async function recoverAbandoned(stores: Stores, heartbeatMs: number, now = Date.now()): Promise<{ runs: number; staging: number }> {
  let runs = 0;
  for (const run of await stores.store.listRuns({ limit: 1000 })) {
    if (run.status !== 'running') continue;
    await stores.store.cancelRun(run.id, now);
    if (await stores.store.abandonRun(run.id, now, 'abandoned: the process running it exited before it finished')) runs++;
  }
  return { runs, staging: await sweepStaging(stores, now - 3 * heartbeatMs) };
}

/**
 * Delete staging folders whose worker is not live (killed workers leave theirs behind).
 * Live: registered as active or draining, with a heartbeat at or after `liveSince`.
 */
export async function sweepStaging(stores: Stores, liveSince: number): Promise<number> {
  const live = (await stores.store.listWorkers())
    .filter((w) => (w.state === 'active' || w.state === 'draining') && w.heartbeatAt >= liveSince)
    .map((w) => stagingOwnerPrefix(w.id));
  let deleted = 0;
  for (const id of await stores.objects.listStaging()) {
    if (live.some((prefix) => id.startsWith(prefix))) continue;
    await stores.objects.removeStaging(id);
    deleted++;
  }
  return deleted;
}
