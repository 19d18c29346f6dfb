import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { openStores } from '../../runtime/open-runtime.js';
import { formatBytes, formatTime, table } from '../format.js';
import { projectRoot, withProject, withStores } from '../project-option.js';

export function registerWorkers(program: Command): void {
  withStores(withProject(program.command('workers')))
    .description('list the workers registered with the metadata store: state, last heartbeat, items held')
    .option('--all', 'include stopped and lost workers')
    .option('--json', 'print JSON')
    .action(async (opts: { project?: string; all?: boolean; json?: boolean }) => {
      const project = await loadProject(projectRoot(opts));
      const stores = await openStores(project);
      try {
        const workers = await stores.store.listWorkers({ includeStopped: opts.all ?? false });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ schema: 'sluice.workers/v1', workers }, null, 2)}\n`);
          return;
        }
        if (workers.length === 0) {
          process.stdout.write(
            `no ${opts.all ? '' : 'active '}workers${opts.all ? '' : ' (--all shows stopped ones)'}\n`,
          );
          return;
        }
        const rows = workers.map((w) => [
          w.id,
          w.state,
          `${w.host}:${w.pid}`,
          String(w.cpus),
          formatBytes(w.memoryBytes),
          formatTime(w.heartbeatAt),
          String(w.leased),
        ]);
        process.stdout.write(
          `${table(['worker', 'state', 'host:pid', 'cpus', 'memory', 'last heartbeat', 'items held'], rows)}\n`,
        );
      } finally {
        await stores.close();
      }
    });
}
