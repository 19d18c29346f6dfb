import { resolve } from 'node:path';
import type { Command } from 'commander';
import { initExample } from '../../example/init-example.js';
import { formatBytes, formatCount } from '../format.js';
import { intOption, positiveNumberOption } from '../numeric-options.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .argument('<dir>', 'folder to create the project in (must be empty or not exist)')
    .description('create the example "clinic" project: models for three business units and generated raw data')
    .option('--days <n>', 'days of orders, consultations and appointments to generate', intOption(1), 30)
    .option('--scale <x>', 'size multiplier for entities and daily volumes', positiveNumberOption(), 1)
    .option('--seed <n>', 'random seed (same seed, same data)', intOption(), 42)
    .option('--force', 'write into a non-empty folder')
    .action(async (dir: string, opts: { days: number; scale: number; seed: number; force?: boolean }) => {
      const target = resolve(dir);
      const summary = await initExample(target, {
        days: opts.days,
        scale: opts.scale,
        seed: opts.seed,
        force: opts.force ?? false,
      });
      process.stdout.write(`created project in ${target}\n`);
      for (const t of summary.data.tables)
        process.stdout.write(`  ${t.name.padEnd(16)} ${formatCount(t.rows).padStart(11)} rows in ${t.files} file(s)\n`);
      process.stdout.write(`  raw data: ${formatBytes(summary.data.bytes)}\nnext: cd ${dir} && sluice run\n`);
    });
}
