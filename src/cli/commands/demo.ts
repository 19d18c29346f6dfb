import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { initExample } from '../../example/init-example.js';
import { openStores } from '../../runtime/open-runtime.js';
import { runCost } from '../../runtime/run-cost.js';
import { runProject } from '../../runtime/run-project.js';
import { verifyPublished } from '../../snapshot/verify-published.js';
import { EXIT } from '../exit-codes.js';
import { formatBytes, formatCount, formatDuration, table } from '../format.js';
import { intOption, positiveNumberOption } from '../numeric-options.js';
import { progressPrinter, renderRunSummary } from '../run-output.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .argument('[dir]', 'folder for the example project (default: a new temporary folder)')
    .description('create the example project, run it, and read every published model back with DuckDB')
    .option('--days <n>', 'days of data to generate', intOption(1), 30)
    .option('--scale <x>', 'size multiplier', positiveNumberOption(), 1)
    .option('--workers <n>', 'tasks running at once', intOption(0, 1024))
    .action(async (dir: string | undefined, opts: { days: number; scale: number; workers?: number }) => {
      const target = dir ? resolve(dir) : mkdtempSync(join(tmpdir(), 'sluice-demo-'));
      const t0 = Date.now();
      const init = await initExample(target, {
        days: opts.days,
        scale: opts.scale,
        seed: 42,
        force: dir === undefined,
      });
      const events = init.data.tables.reduce((s, t) => s + t.rows, 0);
      process.stdout.write(`sluice demo: example project "clinic" in ${target}\n`);
      process.stdout.write(
        `  generated ${formatCount(events)} raw rows (${formatBytes(init.data.bytes)}) for ${opts.days} day(s) in ${formatDuration(Date.now() - t0)}\n\n`,
      );

      const printer = progressPrinter(process.stdout);
      const result = await runProject(target, {
        ...(opts.workers !== undefined && { workers: opts.workers }),
        onEvent: printer.onEvent,
        onPlanned: printer.onPlanned,
      });
      const project = await loadProject(target);
      process.stdout.write(renderRunSummary(result, await runCost(project, result.runId)));

      const stores = await openStores(project);
      let checks;
      try {
        checks = await verifyPublished(project, stores.objects);
      } finally {
        await stores.close();
      }
      const bad = checks.filter((c) => c.readRows !== c.manifestRows);
      process.stdout.write(
        `\nread back with a fresh DuckDB from ${displayPath(resolve(target, project.config.storage.objects))}:\n`,
      );
      process.stdout.write(
        `${table(
          ['model', 'snapshot', 'files', 'rows published', 'rows read back', 'check'],
          checks.map((c) => [
            c.model,
            String(c.snapshot),
            String(c.files),
            formatCount(c.manifestRows),
            formatCount(c.readRows),
            c.readRows === c.manifestRows ? 'ok' : 'MISMATCH',
          ]),
        )}\n`,
      );
      const bin = `node ${displayPath(fileURLToPath(new URL('../../../bin/sluice.js', import.meta.url)))}`;
      process.stdout.write(
        `\nexplore it: ${bin} status -p ${displayPath(target)}    (also: stats, cost, logs <run>)\n`,
      );
      process.exitCode = result.status === 'succeeded' && bad.length === 0 ? EXIT.ok : EXIT.failed;
    });
}

/** Relative to the current folder when below it, absolute otherwise. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}
