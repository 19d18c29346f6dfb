import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { intervalOption } from '../interval-option.js';
import type { RunResult } from '../../executor/run-result.js';
import { runProject } from '../../runtime/run-project.js';
import { EXIT } from '../exit-codes.js';
import { progressPrinter, renderRunSummary } from '../run-output.js';
import { collect, projectRoot, withProject } from '../project-option.js';

export function registerRun(program: Command): void {
  withProject(program.command('run'))
    .description('validate, plan and run the project (or a selection), publishing each model atomically')
    .option('-s, --select <selector>', 'models to run: name, +name (with upstream), name+ (with downstream), tag:x, group:x (repeatable)', collect)
    .option('-w, --workers <n>', 'tasks running at once (default: execution.workers, else one per core)', parseWorkers)
    .option('--from <value>', "data interval start (inclusive): models split by a partition column they are partitioned by rebuild only partitions >= value")
    .option('--to <value>', 'data interval end (exclusive): ... and < value; the other partitions are kept')
    .option('--full-refresh', 'rebuild every selected model, even those whose SQL and inputs are unchanged since their last build')
    .option('--json', 'print the run result as a sluice.run/v1 JSON document instead of progress lines')
    .action(async (opts: { project?: string; select?: string[]; workers?: number; json?: boolean; from?: string; to?: string; fullRefresh?: boolean }) => {
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) process.exit(EXIT.interrupted);
        process.stderr.write(`\n${signal}: stopping; running models are interrupted, nothing half-written is published (again to quit now)\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let result: RunResult;
      try {
        const printer = opts.json ? undefined : progressPrinter(process.stdout);
        result = await runProject(projectRoot(opts), {
          ...(opts.select && { select: opts.select }),
          ...(opts.workers !== undefined && { workers: opts.workers }),
          signal: controller.signal,
          ...(opts.fullRefresh && { fullRefresh: true }),
          ...intervalOption(opts),
          ...(printer && { onEvent: printer.onEvent, onPlanned: printer.onPlanned }),
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : renderRunSummary(result));
      process.exitCode = controller.signal.aborted ? EXIT.interrupted : result.status === 'succeeded' ? EXIT.ok : EXIT.failed;
    });
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new SluiceError('CLI_USAGE', `--workers must be a whole number from 1 to 1024, got '${value}'`);
  return n;
}
