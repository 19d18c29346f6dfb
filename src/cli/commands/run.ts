import { cpus } from 'node:os';
import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import type { Project } from '../../core/types.js';
import type { RunResult } from '../../protocol/run-result.js';
import { EXIT } from '../exit-codes.js';
import { intervalOption, partitionValueOption } from '../interval-option.js';
import { intOption } from '../numeric-options.js';
import { collect, projectRoot, withProject, withStores } from '../project-option.js';

// Only light modules above: `sluice run` forks its worker processes before it loads the rest
// (DuckDB, the catalog, the stores), so the workers boot while this process does.

export function registerRun(program: Command): void {
  withStores(withProject(program.command('run')))
    .description('validate, plan and run the project (or a selection), publishing each model atomically')
    .option(
      '-s, --select <selector>',
      'models to run: name, +name (with upstream), name+ (with downstream), tag:x, group:x (repeatable)',
      collect,
    )
    .option(
      '-w, --workers <n>',
      'local worker processes to start (default: execution.workers, else one per core); 0: start none, the run waits for `sluice worker` processes on the same stores',
      intOption(0, 1024),
    )
    .option(
      '--from <value>',
      'data interval start (inclusive): models split by a partition column they are partitioned by rebuild only partitions >= value (a date, timestamp or number)',
      partitionValueOption,
    )
    .option(
      '--to <value>',
      'data interval end (exclusive): ... and < value; the other partitions are kept',
      partitionValueOption,
    )
    .option(
      '--full-refresh',
      'rebuild every selected model, even those whose SQL and inputs are unchanged since their last build',
    )
    .option('--json', 'print the run result as a sluice.run/v1 JSON document instead of progress lines')
    .option(
      '--resume <run>',
      'finish an earlier run that failed, was interrupted or whose process died, keeping what it published (same as sluice retry)',
    )
    .option(
      '--detach',
      'submit the run and return once it has started; a background process drives it (follow with sluice status)',
    )
    .action(
      async (opts: {
        project?: string;
        select?: string[];
        workers?: number;
        json?: boolean;
        detach?: boolean;
        resume?: string;
        from?: string;
        to?: string;
        fullRefresh?: boolean;
      }) => {
        if (opts.resume !== undefined && opts.select)
          throw new SluiceError('CLI_USAGE', '--resume finishes a run with its own selection; leave out --select');
        if (opts.detach) {
          const { detachRun } = await import('../detach-run.js');
          const d = await detachRun(projectRoot(opts), process.argv.slice(1));
          process.stdout.write(
            opts.json
              ? `${JSON.stringify({ runId: d.runId, pid: d.pid, log: d.log }, null, 2)}\n`
              : `run ${d.runId} started in the background (pid ${d.pid}, log ${d.log})\nfollow it with: sluice status ${d.runId}\n`,
          );
          return;
        }
        const root = projectRoot(opts);
        // Sized by --workers or the cores for now; runProject resizes it to execution.workers.
        const { LocalWorkers } = await import('../../launcher/local-workers.js');
        const pool = new LocalWorkers({ count: opts.workers ?? cpus().length });
        const [{ runProject }, { runCost }, { resolveRunId }, { progressPrinter, renderRunSummary, warnUndelivered }] =
          await Promise.all([
            import('../../runtime/run-project.js'),
            import('../../runtime/run-cost.js'),
            import('../find-run.js'),
            import('../run-output.js'),
          ]).catch(async (err: unknown) => {
            await pool.stop();
            throw err;
          });
        const controller = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          if (controller.signal.aborted) process.exit(EXIT.interrupted);
          process.stderr.write(
            `\n${signal}: stopping; running models are interrupted, nothing half-written is published (again to quit now)\n`,
          );
          controller.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        let result: RunResult;
        let project = undefined as Project | undefined;
        try {
          const printer = opts.json ? undefined : progressPrinter(process.stdout);
          result = await runProject(root, {
            pool,
            ...(opts.select && { select: opts.select }),
            ...(opts.resume !== undefined && { resume: await resolveRunId(root, opts.resume) }),
            ...(opts.workers !== undefined && { workers: opts.workers }),
            signal: controller.signal,
            ...(opts.fullRefresh && { fullRefresh: true }),
            ...intervalOption(opts),
            ...(printer && { onEvent: printer.onEvent, onPlanned: printer.onPlanned }),
            onAlert: warnUndelivered,
            onProject: (p) => (project = p),
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await pool.stop(); // already stopped by runProject, unless something threw before it ran
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else
          process.stdout.write(
            renderRunSummary(result, project && (await runCost(project, result.runId).catch(() => undefined))),
          );
        process.exitCode = controller.signal.aborted
          ? EXIT.interrupted
          : result.status === 'succeeded'
            ? EXIT.ok
            : EXIT.failed;
      },
    );
}
