import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseMemory } from '../../coordinator/parse-memory.js';
import { SluiceError } from '../../core/errors.js';
import { workerMain } from '../../executor/worker-main.js';
import { findProjectRoot } from '../../catalog/find-project-root.js';
import { formatTime } from '../format.js';
import { intOption } from '../numeric-options.js';
import { withProject, withStores } from '../project-option.js';
import { OBJECTS_ENV, STORE_ENV } from '../../runtime/open-runtime.js';

export function registerWorker(program: Command): void {
  withStores(withProject(program.command('worker')))
    .description("run a standalone worker: claim work items from the project's metadata store until SIGTERM")
    .option('--id <id>', 'worker id (default: <host>-<pid>)')
    .option('--cpus <n>', 'cores this worker offers (default: all); it takes only items that fit', intOption('--cpus'))
    .option('--memory <size>', 'memory this worker offers, e.g. 8GB (default: all)')
    .action(async (opts: { project?: string; store?: string; objects?: string; id?: string; cpus?: number; memory?: string }) => {
      const root = workerProjectRoot(opts);
      let memoryBytes: number | undefined;
      if (opts.memory !== undefined) {
        try {
          memoryBytes = parseMemory(opts.memory);
        } catch {
          throw new SluiceError('CLI_USAGE', `--memory must be a size such as 8GB, got '${opts.memory}'`);
        }
      }
      process.stderr.write(`sluice worker: ${root === undefined ? 'no project folder (stores from --store/--objects)' : `project ${root}`}; stop with SIGTERM or Ctrl-C (the item in hand is handed back)\n`);
      const stats = await workerMain({
        projectRoot: root,
        ...(opts.id !== undefined && { id: opts.id }),
        ...(opts.cpus !== undefined && { cpus: opts.cpus }),
        ...(memoryBytes !== undefined && { memoryBytes }),
        onEvent: (e) => {
          if (e.kind === 'store_error') process.stderr.write(`${formatTime(Date.now())}  metadata store unreachable (${e.error.split('\n')[0]}); retrying in ${(e.retryInMs / 1000).toFixed(1)} s\n`);
          else if (e.kind === 'item_finished') process.stdout.write(`${formatTime(Date.now())}  ${e.outcome.padEnd(9)} ${e.itemId} (attempt ${e.attempt})${e.error ? `: ${e.error.split('\n')[0]}` : ''}\n`);
        },
      });
      process.stderr.write(`sluice worker: stopped; ${stats.succeeded} succeeded, ${stats.failed} failed, ${stats.released} handed back, ${stats.fenced} fenced\n`);
    });
}

/** The project folder, or none when both stores are given and no sluice.yaml is around. */
function workerProjectRoot(opts: { project?: string; store?: string; objects?: string }): string | undefined {
  if (opts.project !== undefined) return findProjectRoot(resolve(opts.project));
  try {
    return findProjectRoot(process.cwd());
  } catch (err) {
    if (!(err instanceof SluiceError) || err.code !== 'CONFIG_NOT_FOUND') throw err;
    const store = opts.store ?? process.env[STORE_ENV];
    const objects = opts.objects ?? process.env[OBJECTS_ENV];
    if (store && objects) return undefined;
    if (store || objects) throw new SluiceError('CLI_USAGE', `${err.message}; a worker outside a project folder needs both --store and --objects`, { cause: err });
    throw err;
  }
}
