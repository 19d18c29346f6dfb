import { join } from 'node:path';
import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { SluiceError } from '../../core/errors.js';
import { formatLogRecord } from '../../observability/logs/log-record.js';
import { readRunLog } from '../../observability/logs/read-run-log.js';
import { openStores, stateDir } from '../../runtime/open-runtime.js';
import { findRun } from '../find-run.js';
import { projectRoot, withProject } from '../project-option.js';

const LEVELS: Record<string, number> = { debug: 20, info: 30, warn: 40, error: 50 };

export function registerLogs(program: Command): void {
  withProject(program.command('logs'))
    .argument('<run>', 'a run id or a unique prefix (sluice status lists them)')
    .argument('[model]', "only this model's lines")
    .description("show a run's log: the coordinator's and every local worker's lines, in time order")
    .option('--level <level>', 'the least severe level shown: debug, info, warn or error', 'info')
    .option('--json', 'print the JSON lines as recorded')
    .action(
      async (runArg: string, model: string | undefined, opts: { project?: string; level: string; json?: boolean }) => {
        const min = LEVELS[opts.level];
        if (min === undefined)
          throw new SluiceError('CLI_USAGE', `--level must be debug, info, warn or error, got '${opts.level}'`);
        const project = await loadProject(projectRoot(opts));
        const stores = await openStores(project);
        let runId: string;
        try {
          const run = await findRun(stores.store, runArg);
          runId = run.id;
          if (model !== undefined && !(await stores.store.listTasks(run.id)).some((t) => t.model === model)) {
            throw new SluiceError('CLI_USAGE', `run ${run.id} has no model '${model}'`);
          }
        } finally {
          await stores.close();
        }
        const records = readRunLog(join(stateDir(project), 'logs'), runId, model).filter((r) => r.level >= min);
        if (records.length === 0) {
          process.stderr.write(
            `no log lines for run ${runId}${model ? ` and model ${model}` : ''} in ${join(stateDir(project), 'logs')} (workers on other machines log there)\n`,
          );
          return;
        }
        process.stdout.write(
          records.map((r) => (opts.json ? JSON.stringify(r) : formatLogRecord(r))).join('\n') + '\n',
        );
      },
    );
}
