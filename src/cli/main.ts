import { Command, CommanderError } from 'commander';
import { formatProblem, SluiceError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import { OBJECTS_ENV, STORE_ENV } from '../runtime/open-runtime.js';

type Register = (program: Command) => void;

/**
 * Every verb and how to load its module, in the order help lists them. A verb's module imports
 * what the verb needs (DuckDB, the stores, the example generator, ...); loading only the verb
 * being run saves each `sluice <verb>` the start-up cost of all the others.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  init: async () => (await import('./commands/init.js')).registerInit,
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  run: async () => (await import('./commands/run.js')).registerRun,
  retry: async () => (await import('./commands/retry.js')).registerRetry,
  status: async () => (await import('./commands/status.js')).registerStatus,
  stats: async () => (await import('./commands/stats.js')).registerStats,
  cost: async () => (await import('./commands/cost.js')).registerCost,
  logs: async () => (await import('./commands/logs.js')).registerLogs,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  workers: async () => (await import('./commands/workers.js')).registerWorkers,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
};

/**
 * The CLI with the command `verb` names, or with every command when it names none of them
 * (`sluice --help`, `sluice help run`, a misspelt verb: help and suggestions need them all).
 */
export async function buildProgram(verb?: string): Promise<Command> {
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
  const load = verb !== undefined && Object.hasOwn(COMMANDS, verb) ? [COMMANDS[verb]!] : Object.values(COMMANDS);
  for (const register of await Promise.all(load.map((l) => l()))) register(program);
  return program;
}

/** Run the CLI; returns the process exit code. Every error ends here, printed once. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv[0]);
    await program.parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof SluiceError) {
      if (err.problems.length > 0) {
        process.stderr.write(
          `error: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in the project:\n`,
        );
        for (const p of err.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
      } else {
        process.stderr.write(`error: ${err.message}\n`);
      }
      return err.code.startsWith('CONFIG_') || err.code.startsWith('PLAN_') || err.code === 'CLI_USAGE'
        ? EXIT.invalid
        : EXIT.failed;
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.internal;
  }
}
