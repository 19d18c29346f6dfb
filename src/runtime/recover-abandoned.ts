import type { Stores } from './open-runtime.js';

/**
 * Called with the run lock held, so no other run of this project is in progress: runs still
 * marked running were abandoned by a process that died, and every staging folder is left over
 * from one. Mark the runs failed and delete the staging folders (published data is untouched).
 */
export async function recoverAbandoned(stores: Stores, now = Date.now()): Promise<{ runs: number; staging: number }> {
  let runs = 0;
  for (const run of await stores.store.listRuns({ limit: 1000 })) {
    if (run.status !== 'running') continue;
    if (await stores.store.abandonRun(run.id, now, 'abandoned: the process running it exited before it finished')) runs++;
  }
  const staging = await stores.objects.listStaging();
  for (const id of staging) await stores.objects.removeStaging(id);
  return { runs, staging: staging.length };
}
