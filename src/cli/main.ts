import { Command, CommanderError } from 'commander';
import { formatProblem, SluiceError } from '../core/errors.js';
import { registerCost } from './commands/cost.js';
import { registerDemo } from './commands/demo.js';
import { registerInit } from './commands/init.js';
import { registerLogs } from './commands/logs.js';
import { registerPlan } from './commands/plan.js';
import { registerRetry } from './commands/retry.js';
import { registerRun } from './commands/run.js';
import { registerStats } from './commands/stats.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkers } from './commands/workers.js';
import { EXIT } from './exit-codes.js';
import { OBJECTS_ENV, STORE_ENV } from '../runtime/open-runtime.js';

export function buildProgram(): Command {
  const program = new Command('sluice')
    .description('Batch ETL on DuckDB: models as metadata, automatic DAGs, atomic Parquet publishing.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (_program, action) => {
      const opts = action.opts<{ store?: string; objects?: string }>();
      if (opts.store !== undefined) process.env[STORE_ENV] = opts.store;
      if (opts.objects !== undefined) process.env[OBJECTS_ENV] = opts.objects;
    });
  for (const register of [registerInit, registerValidate, registerPlan, registerRun, registerRetry, registerStatus, registerStats, registerCost, registerLogs, registerWorker, registerWorkers, registerDemo]) register(program);
  return program;
}

/** Run the CLI; returns the process exit code. Every error ends here, printed once. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof SluiceError) {
      if (err.problems.length > 0) {
        process.stderr.write(`error: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in the project:\n`);
        for (const p of err.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
      } else {
        process.stderr.write(`error: ${err.message}\n`);
      }
      return err.code.startsWith('CONFIG_') || err.code.startsWith('PLAN_') || err.code === 'CLI_USAGE' ? EXIT.invalid : EXIT.failed;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
}
