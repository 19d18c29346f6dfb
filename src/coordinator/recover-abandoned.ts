import { hostname } from 'node:os';
import { isStale, staleBefore } from '../core/staleness.js';
import type { RunRecord } from '../core/types.js';
import { stagingOwnerPrefix } from '../executor/execute-item.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { MetadataStore } from '../store/metadata-store.js';

/** The stores a recovery reads and cleans (runtime's `Stores` is one). */
export interface RecoveryStores {
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
}

/**
 * Runs still marked running whose coordinator is gone were abandoned: its process died (on this
 * machine: its pid is not alive; anywhere: no heartbeat for STALE_HEARTBEATS
 * heartbeats, core/staleness.ts). Mark them failed (their items cancelled, running tasks failed, pending ones not
 * run; `sluice retry` resumes them) and sweep staging. Runs of other projects sharing the store
 * and runs driven by live coordinators are left alone. Published data is untouched.
 */
export async function recoverAbandoned(
  stores: RecoveryStores,
  heartbeatMs: number,
  now = Date.now(),
): Promise<{ runs: number; staging: number }> {
  let runs = 0;
  for (const run of await stores.store.listRuns({ limit: 1000 })) {
    if (run.status !== 'running' || !coordinatorGone(run, heartbeatMs, now)) continue;
    await stores.store.cancelRun(run.id, now);
    if (await stores.store.abandonRun(run.id, now, 'abandoned: the process running it exited before it finished'))
      runs++;
  }
  return { runs, staging: await sweepStaging(stores, staleBefore(now, heartbeatMs)) };
}

/** Whether a running run's coordinator is known dead (this host, pid gone) or silent too long. */
export function coordinatorGone(
  run: Pick<RunRecord, 'coordinator' | 'heartbeatAt' | 'startedAt'>,
  heartbeatMs: number,
  now: number,
): boolean {
  const lastSign = run.heartbeatAt ?? run.startedAt;
  if (isStale(lastSign, now, heartbeatMs)) return true;
  const m = run.coordinator === null ? null : /^(.*):(\d+)$/.exec(run.coordinator);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Delete staging folders whose worker is not live (killed workers leave theirs behind).
 * Live: registered as active or draining, with a heartbeat at or after `liveSince`.
 */
export async function sweepStaging(stores: RecoveryStores, liveSince: number): Promise<number> {
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
