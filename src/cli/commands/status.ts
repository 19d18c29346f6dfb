import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import { SluiceError } from '../../core/errors.js';
import type { RunRecord, TaskRecord } from '../../core/types.js';
import { openStores } from '../../runtime/open-runtime.js';
import { formatBytes, formatCount, formatDuration, formatTime, table } from '../format.js';
import { projectRoot, withProject } from '../project-option.js';

export function registerStatus(program: Command): void {
  withProject(program.command('status'))
    .argument('[run]', 'a run id (or a unique prefix): show its tasks')
    .description('show the latest runs, or one run task by task')
    .option('-n, --limit <n>', 'how many runs to list', (v) => Number(v), 10)
    .option('--json', 'print JSON')
    .action(async (runArg: string | undefined, opts: { project?: string; limit: number; json?: boolean }) => {
      const project = await loadProject(projectRoot(opts));
      const stores = await openStores(project);
      try {
        const store = stores.store;
        if (runArg === undefined) {
          const runs = await store.listRuns({ limit: opts.limit });
          const withTasks = await Promise.all(runs.map(async (r) => ({ run: r, tasks: await store.listTasks(r.id) })));
          process.stdout.write(opts.json ? `${JSON.stringify({ schema: 'sluice.status/v1', runs: withTasks.map(runDoc) }, null, 2)}\n` : renderRuns(withTasks));
          return;
        }
        const run = await findRun(store, runArg);
        const tasks = await store.listTasks(run.id);
        process.stdout.write(opts.json ? `${JSON.stringify({ schema: 'sluice.status/v1', runs: [runDoc({ run, tasks })] }, null, 2)}\n` : renderRun(run, tasks));
      } finally {
        await stores.close();
      }
    });
}

async function findRun(store: { getRun(id: string): Promise<RunRecord | undefined>; listRuns(o: { limit: number }): Promise<RunRecord[]> }, arg: string): Promise<RunRecord> {
  const exact = await store.getRun(arg);
  if (exact) return exact;
  const matches = (await store.listRuns({ limit: 10_000 })).filter((r) => r.id.startsWith(arg));
  if (matches.length === 1) return matches[0]!;
  throw new SluiceError('CLI_USAGE', matches.length === 0 ? `no run '${arg}' (sluice status lists them)` : `'${arg}' matches ${matches.length} runs; give more of the id`);
}

function runDoc({ run, tasks }: { run: RunRecord; tasks: TaskRecord[] }) {
  return { ...run, durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt, tasks };
}

function counts(tasks: readonly TaskRecord[]): string {
  const c = (s: string) => tasks.filter((t) => t.status === s).length;
  const parts = [`${c('succeeded')}/${tasks.length} ok`];
  if (c('failed')) parts.push(`${c('failed')} failed`);
  if (c('not_run')) parts.push(`${c('not_run')} not run`);
  if (c('running')) parts.push(`${c('running')} running`);
  return parts.join(', ');
}

function renderRuns(runs: { run: RunRecord; tasks: TaskRecord[] }[]): string {
  if (runs.length === 0) return 'no runs yet: sluice run starts one\n';
  const rows = runs.map(({ run, tasks }) => [
    run.id,
    run.status,
    formatTime(run.startedAt),
    formatDuration(run.endedAt === null ? null : run.endedAt - run.startedAt),
    counts(tasks),
    run.selector,
  ]);
  return `${table(['run', 'status', 'started', 'took', 'tasks', 'selection'], rows)}\n`;
}

function renderRun(run: RunRecord, tasks: TaskRecord[]): string {
  const head = `run ${run.id}: ${run.status}, started ${formatTime(run.startedAt)}, took ${formatDuration(run.endedAt === null ? null : run.endedAt - run.startedAt)}${run.error ? `\n  ${run.error}` : ''}`;
  const rows = tasks.map((t) => [
    t.model,
    t.group,
    t.status,
    formatDuration(t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null),
    formatCount(t.rowsOut),
    formatBytes(t.bytesOut),
    t.snapshot === null ? '-' : String(t.snapshot),
  ]);
  const errors = tasks.filter((t) => t.error).map((t) => `\n${t.model}: ${t.error}`);
  return `${head}\n\n${table(['model', 'group', 'status', 'took', 'rows', 'bytes', 'snapshot'], rows)}\n${errors.join('')}\n`;
}
