import type { RunRecord, TaskStatus } from '../core/types.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { MetricsRollup } from '../store/metrics-store.js';
import { taskSkew, type Skew } from './skew.js';

export const STATS_SCHEMA = 'sluice.stats/v1';

export interface TaskStats extends MetricsRollup {
  readonly model: string;
  readonly group: string;
  readonly businessUnit: string;
  readonly type: string;
  readonly status: TaskStatus;
  /** First claim to publish (the task's elapsed time), or null if it did not run. */
  readonly durationMs: number | null;
  readonly skew: Skew;
  /** Whether rowsIn covers every attempt, some, or none (CSV and JSON inputs have no row count). */
  readonly rowsInKnown: 'all' | 'some' | 'none';
}

/** `sluice stats --json`: one run's metrics, per task with skew, and rolled up. */
export interface StatsDocument {
  readonly schema: typeof STATS_SCHEMA;
  readonly run: RunRecord & { readonly durationMs: number | null };
  readonly totals: MetricsRollup;
  readonly tasks: readonly TaskStats[];
  readonly groups: readonly MetricsRollup[];
  readonly businessUnits: readonly MetricsRollup[];
}

export function emptyRollup(key: string): MetricsRollup {
  return {
    key,
    attempts: 0,
    failedAttempts: 0,
    items: 0,
    wallMs: 0,
    cpuMs: 0,
    maxPeakRssBytes: 0,
    queueWaitMs: 0,
    rowsIn: 0,
    bytesIn: 0,
    filesIn: 0,
    partitionsIn: 0,
    rowsOut: 0,
    bytesOut: 0,
    filesOut: 0,
    writeRequests: 0,
    readRequests: 0,
  };
}

/** Everything `sluice stats` shows, read from the metadata store (tasks in run order). */
export async function runStats(store: MetadataStore, run: RunRecord): Promise<StatsDocument> {
  const [tasks, labels, byTask, attempts, groups, businessUnits, totals] = await Promise.all([
    store.listTasks(run.id),
    store.listTaskLabels(run.id),
    store.rollup(run.id, 'task'),
    store.listAttempts(run.id),
    store.rollup(run.id, 'group'),
    store.rollup(run.id, 'business_unit'),
    store.rollup(run.id, 'run'),
  ]);
  const label = new Map(labels.map((l) => [l.model, l]));
  const rollup = new Map(byTask.map((r) => [r.key, r]));
  return {
    schema: STATS_SCHEMA,
    run: { ...run, durationMs: run.endedAt === null ? null : run.endedAt - run.startedAt },
    totals: totals[0] ?? emptyRollup(run.id),
    tasks: tasks.map((t) => ({
      ...(rollup.get(t.model) ?? emptyRollup(t.model)),
      model: t.model,
      group: t.group,
      businessUnit: label.get(t.model)?.businessUnit ?? '',
      type: label.get(t.model)?.type ?? '',
      status: t.status,
      durationMs: t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null,
      skew: taskSkew(attempts.filter((a) => a.model === t.model)),
      rowsInKnown: known(attempts.filter((a) => a.model === t.model).map((a) => a.rowsIn !== null)),
    })),
    groups,
    businessUnits,
  };
}

function known(flags: readonly boolean[]): 'all' | 'some' | 'none' {
  return flags.length > 0 && flags.every(Boolean) ? 'all' : flags.some(Boolean) ? 'some' : 'none';
}
