import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { runStats, type StatsDocument } from '../../observability/run-stats.js';
import { openStores } from '../../runtime/open-runtime.js';
import type { MetricsRollup } from '../../store/metrics-store.js';
import { findRunOrLatest } from '../find-run.js';
import { formatBytes, formatCount, formatDuration, formatTime, table } from '../format.js';
import { projectRoot, withProject } from '../project-option.js';

export function registerStats(program: Command): void {
  withProject(program.command('stats'))
    .argument('[run]', 'a run id or a unique prefix (default: the latest run)')
    .description('show what a run used, per task (time, CPU, memory, rows and bytes in and out, skew) and rolled up')
    .option('--json', 'print JSON (sluice.stats/v1)')
    .action(async (runArg: string | undefined, opts: { project?: string; json?: boolean }) => {
      const project = await loadProject(projectRoot(opts));
      const stores = await openStores(project);
      try {
        const run = await findRunOrLatest(stores.store, runArg);
        const doc = await runStats(stores.store, run);
        process.stdout.write(opts.json ? `${JSON.stringify(doc, null, 2)}\n` : renderStats(doc));
      } finally {
        await stores.close();
      }
    });
}

const ratio = (x: number | null): string => (x === null ? '-' : x.toFixed(1));

export function renderStats(doc: StatsDocument): string {
  const { run, totals } = doc;
  const head = [
    `run ${run.id}: ${run.status}, started ${formatTime(run.startedAt)}, took ${formatDuration(run.durationMs)}`,
    `  ${formatCount(totals.items)} work item(s), ${formatCount(totals.attempts)} attempt(s) (${totals.failedAttempts} failed or handed back); ` +
      `worker time ${formatDuration(totals.wallMs)}, CPU ${formatDuration(totals.cpuMs)}, peak memory ${formatBytes(totals.maxPeakRssBytes)}`,
    `  read ${formatCount(totals.rowsIn)} rows, ${formatBytes(totals.bytesIn)} in ${formatCount(totals.filesIn)} file(s); ` +
      `wrote ${formatCount(totals.rowsOut)} rows, ${formatBytes(totals.bytesOut)} in ${formatCount(totals.filesOut)} file(s); ` +
      `${formatCount(totals.writeRequests + totals.readRequests)} object-store requests`,
  ];
  const taskRows = doc.tasks.map((t) => [
    t.model,
    t.status,
    String(t.items),
    String(t.attempts),
    formatDuration(t.durationMs),
    formatDuration(t.wallMs),
    formatDuration(t.cpuMs),
    formatBytes(t.maxPeakRssBytes || null),
    t.rowsInKnown === 'none' ? '-' : `${formatCount(t.rowsIn)}${t.rowsInKnown === 'some' ? '+' : ''}`,
    formatBytes(t.bytesIn),
    `${t.filesIn}/${t.partitionsIn}`,
    formatCount(t.rowsOut),
    formatBytes(t.bytesOut),
    formatDuration(t.queueWaitMs),
    ratio(t.skew.byRows),
    ratio(t.skew.byTime),
  ]);
  const tasks = table(
    [
      'model',
      'status',
      'items',
      'attempts',
      'took',
      'worker time',
      'cpu',
      'peak mem',
      'rows in',
      'bytes in',
      'files/parts in',
      'rows out',
      'bytes out',
      'queue wait',
      'skew rows',
      'skew time',
    ],
    taskRows,
  );
  return [
    ...head,
    '',
    tasks,
    '',
    rollupTable('group', doc.groups),
    '',
    rollupTable('business unit', doc.businessUnits),
    '',
    'rows in: rows in the Parquet files read (- for CSV/JSON-only inputs, + when some inputs are CSV/JSON); files/parts in: files and hive partitions read',
    'skew: largest work item ÷ median item of the task (1.0 = even), by rows read and by worker time',
    '',
  ].join('\n');
}

function rollupTable(title: string, rows: readonly MetricsRollup[]): string {
  return table(
    [title, 'items', 'attempts', 'worker time', 'cpu', 'rows in', 'bytes in', 'rows out', 'bytes out'],
    rows.map((r) => [
      r.key || '-',
      String(r.items),
      String(r.attempts),
      formatDuration(r.wallMs),
      formatDuration(r.cpuMs),
      formatCount(r.rowsIn),
      formatBytes(r.bytesIn),
      formatCount(r.rowsOut),
      formatBytes(r.bytesOut),
    ]),
  );
}
