import type { Command } from 'commander';
import type { Project } from '../../core/types.js';
import { runCost } from '../../runtime/run-cost.js';
import { runProject } from '../../runtime/run-project.js';
import { EXIT } from '../exit-codes.js';
import { resolveRunId } from '../find-run.js';
import { progressPrinter, renderRunSummary, warnUndelivered } from '../run-output.js';
import { intOption } from '../numeric-options.js';
import { projectRoot, withProject, withStores } from '../project-option.js';

export function registerRetry(program: Command): void {
  withStores(withProject(program.command('retry')))
    .argument('<run>', 'the run to finish (id or unique prefix; see sluice status)')
    .description(
      'redrive a failed, interrupted or abandoned run: dead work items get fresh retries, succeeded work is kept',
    )
    .option('-w, --workers <n>', 'worker processes to start', intOption(0, 1024))
    .option('--json', 'print the run result as JSON')
    .action(async (runArg: string, opts: { project?: string; workers?: number; json?: boolean }) => {
      const root = projectRoot(opts);
      const runId = await resolveRunId(root, runArg);
      const printer = opts.json ? undefined : progressPrinter(process.stdout);
      let project = undefined as Project | undefined;
      const result = await runProject(root, {
        resume: runId,
        ...(opts.workers !== undefined && { workers: opts.workers }),
        ...(printer && { onEvent: printer.onEvent, onPlanned: printer.onPlanned }),
        onAlert: warnUndelivered,
        onProject: (p) => (project = p),
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else
        process.stdout.write(
          renderRunSummary(result, project && (await runCost(project, result.runId).catch(() => undefined))),
        );
      process.exitCode = result.status === 'succeeded' ? EXIT.ok : EXIT.failed;
    });
}
