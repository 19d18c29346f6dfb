import type { Command } from 'commander';
import { loadProject } from '../../catalog/load-project.js';
import type { RunRecord, TaskRecord } from '../../core/types.js';
import type { SkippedTask } from '../../store/task-skips.js';
import type { ItemRecord } from '../../store/work-queue.js';
import { openStores } from '../../runtime/open-runtime.js';
import { findRun } from '../find-run.js';
import { formatBytes, formatCount, formatDuration, formatTime, table } from '../format.js';
import { intOption } from '../numeric-options.js';
import { projectRoot, withProject, withStores } from '../project-option.js';

export function registerStatus(program: Command): void {
  withStores(withProject(program.command('status')))
    .argument('[run]', 'a run id (or a unique prefix): show its tasks')
    .description('show the latest runs, or one run task by task')
    .option('-n, --limit <n>', 'how many runs to list', intOption(1), 10)
    .option('--json', 'print JSON')
    .action(async (runArg: string | undefined, opts: { project?: string; limit: number; json?: boolean }) => {
      const project = await loadProject(projectRoot(opts));
      const stores = await openStores(project);
      try {
        const store = stores.store;
        if (runArg === undefined) {
          const runs = await store.listRuns({ limit: opts.limit });
          const withTasks = await Promise.all(
            runs.map(async (r) => ({
              run: r,
              tasks: withSkips(await store.listTasks(r.id), await store.listSkippedTasks(r.id)),
            })),
          );
          process.stdout.write(
            opts.json
              ? `${JSON.stringify({ schema: 'sluice.status/v1', runs: withTasks.map(runDoc) }, null, 2)}\n`
              : renderRuns(withTasks),
          );
          return;
        }
        const run = await findRun(store, runArg);
        const tasks = withSkips(await store.listTasks(run.id), await store.listSkippedTasks(run.id));
        const items = itemSummaries(await store.listItems(run.id));
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ schema: 'sluice.status/v1', runs: [{ ...runDoc({ run, tasks }), items: Object.fromEntries(items) }] }, null, 2)}\n`
            : renderRun(run, tasks, items),
        );
      } finally {
        await stores.close();
      }
    });
}

/** A task as shown: a stored task, `skipped` (with why) when it was skipped as unchanged. */
type ShownTask = Omit<TaskRecord, 'status'> & {
  readonly status: TaskRecord['status'] | 'skipped';
  readonly reason?: string;
};

function withSkips(tasks: readonly TaskRecord[], skips: readonly SkippedTask[]): ShownTask[] {
  const byModel = new Map(skips.map((k) => [k.model, k] as const));
  return tasks.map((t) => {
    const k = byModel.get(t.model);
    return k && t.status === 'succeeded' ? { ...t, status: 'skipped', reason: k.reason } : t;
  });
}

function runDoc({ run, tasks }: { run: RunRecord; tasks: ShownTask[] }) {
  return { ...run, durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt, tasks };
}

function counts(tasks: readonly ShownTask[]): string {
  const c = (s: string) => tasks.filter((t) => t.status === s).length;
  const parts = [`${c('succeeded') + c('skipped')}/${tasks.length} ok`];
  if (c('skipped')) parts.push(`${c('skipped')} skipped`);
  if (c('failed')) parts.push(`${c('failed')} failed`);
  if (c('not_run')) parts.push(`${c('not_run')} not run`);
  if (c('running')) parts.push(`${c('running')} running`);
  return parts.join(', ');
}

function itemsCell(s: ItemSummary | undefined): string {
  if (!s) return '-';
  const extra = [s.dead ? `${s.dead} dead` : '', s.lateWrites ? `${s.lateWrites} late writes rejected` : '']
    .filter(Boolean)
    .join(', ');
  return `${s.succeeded}/${s.total}, ${s.attempts}${extra ? `; ${extra}` : ''}`;
}

function renderRuns(runs: { run: RunRecord; tasks: ShownTask[] }[]): string {
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

interface ItemSummary {
  total: number;
  succeeded: number;
  dead: number;
  attempts: number;
  lateWrites: number;
}

/** Per task: how its work items went (attempts > items means retries or lost workers). */
function itemSummaries(items: readonly ItemRecord[]): Map<string, ItemSummary> {
  const out = new Map<string, ItemSummary>();
  for (const i of items) {
    const s = out.get(i.model) ?? { total: 0, succeeded: 0, dead: 0, attempts: 0, lateWrites: 0 };
    s.total++;
    if (i.state === 'succeeded') s.succeeded++;
    if (i.state === 'dead') s.dead++;
    s.attempts += i.attempt;
    s.lateWrites += i.lateWrites;
    out.set(i.model, s);
  }
  return out;
}

function renderRun(run: RunRecord, tasks: ShownTask[], items: ReadonlyMap<string, ItemSummary>): string {
  const head = `run ${run.id}: ${run.status}, started ${formatTime(run.startedAt)}, took ${formatDuration(run.endedAt === null ? null : run.endedAt - run.startedAt)}${run.error ? `\n  ${run.error}` : ''}`;
  const rows = tasks.map((t) => [
    t.model,
    t.group,
    t.status,
    formatDuration(t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null),
    formatCount(t.rowsOut),
    formatBytes(t.bytesOut),
    t.snapshot === null ? '-' : String(t.snapshot),
    itemsCell(items.get(t.model)),
  ]);
  const errors = tasks
    .filter((t) => t.error || t.reason)
    .map((t) => `\n${t.model}: ${t.error ?? `skipped: ${t.reason}`}`);
  return `${head}\n\n${table(['model', 'group', 'status', 'took', 'rows', 'bytes', 'snapshot', 'items (ok/all, attempts)'], rows)}\n${errors.join('')}\n`;
}
