import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { workerMain } from '../../runtime/worker-main.js';
import { serveMetrics, type MetricsServer } from '../../observability/metrics-server.js';
import { WorkerMetrics } from '../../observability/worker-metrics.js';
import { hostname } from 'node:os';
import { findProjectRoot } from '../../catalog/find-project-root.js';
import { intOption, memoryOption } from '../numeric-options.js';
import { withProject, withStores } from '../project-option.js';
import { OBJECTS_ENV, STORE_ENV } from '../../runtime/open-runtime.js';
import type { WorkerEvent } from '../../protocol/worker-event.js';

export function registerWorker(program: Command): void {
  withStores(withProject(program.command('worker')))
    .description("run a standalone worker: claim work items from the project's metadata store until SIGTERM")
    .option('--id <id>', 'worker id (default: <host>-<pid>)')
    .option('--cpus <n>', 'cores this worker offers (default: all); it takes only items that fit', intOption(1, 4096))
    .option('--memory <size>', 'memory this worker offers, e.g. 8GB (default: all)', memoryOption)
    .option('--log-format <format>', 'log lines on stderr: human or json (default: human on a terminal, else json)')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on http://<host>:<port>/metrics (0: any free port)',
      intOption(0, 65535),
    )
    .action(
      async (opts: {
        project?: string;
        store?: string;
        objects?: string;
        id?: string;
        cpus?: number;
        memory?: number;
        metricsPort?: number;
        logFormat?: string;
        logLevel: string;
      }) => {
        if (opts.logFormat !== undefined && opts.logFormat !== 'human' && opts.logFormat !== 'json')
          throw new SluiceError('CLI_USAGE', `--log-format must be human or json, got '${opts.logFormat}'`);
        if (!['debug', 'info', 'warn', 'error'].includes(opts.logLevel))
          throw new SluiceError('CLI_USAGE', `--log-level must be debug, info, warn or error, got '${opts.logLevel}'`);
        const human = opts.logFormat === undefined ? process.stderr.isTTY === true : opts.logFormat === 'human';
        const root = workerProjectRoot(opts);
        const memoryBytes = opts.memory;
        const id = opts.id ?? `${hostname()}-${process.pid}`;
        const metrics = opts.metricsPort === undefined ? undefined : new WorkerMetrics(id);
        let server: MetricsServer | undefined;
        if (metrics) {
          try {
            server = await serveMetrics(metrics, opts.metricsPort!);
          } catch (err) {
            throw new SluiceError(
              'CLI_USAGE',
              `--metrics-port ${opts.metricsPort}: cannot listen: ${err instanceof Error ? err.message : String(err)}`,
              { cause: err },
            );
          }
          process.stderr.write(`sluice worker: metrics on http://localhost:${server.port}/metrics\n`);
        }
        process.stderr.write(
          `sluice worker: ${root === undefined ? 'no project folder (stores from --store/--objects)' : `project ${root}`}; stop with SIGTERM or Ctrl-C (the item in hand is handed back)\n`,
        );
        let stats;
        try {
          stats = await workerMain({
            projectRoot: root,
            id,
            ...(opts.cpus !== undefined && { cpus: opts.cpus }),
            ...(memoryBytes !== undefined && { memoryBytes }),
            logConsole: { stream: process.stderr, human },
            logLevel: opts.logLevel,
            ...(metrics && {
              onEvent: (e: WorkerEvent) => metrics.observe(e),
              onStores: (stores) => metrics.watchQueues(() => stores.store.queueDepths()),
            }),
          });
        } finally {
          await server?.close();
        }
        process.stderr.write(
          `sluice worker: stopped; ${stats.succeeded} succeeded, ${stats.failed} failed, ${stats.released} handed back, ${stats.fenced} fenced\n`,
        );
      },
    );
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
    if (store || objects)
      throw new SluiceError(
        'CLI_USAGE',
        `${err.message}; a worker outside a project folder needs both --store and --objects`,
        { cause: err },
      );
    throw err;
  }
}
