import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage, SluiceError } from '../core/errors.js';
import type { DataInterval, Project, TaskStatus } from '../core/types.js';
import type { OutcomeStatus } from '../protocol/run-result.js';
import { countStatuses, RUN_RESULT_SCHEMA, type RunResult, type TaskOutcome } from '../protocol/run-result.js';
import { parseItemSpec, type ItemSpec } from '../protocol/item-spec.js';
import { filesMatching } from '../optimizer/prune-files.js';
import { skipReason } from '../optimizer/skip-decision.js';
import type { Plan } from '../planner/build-plan.js';
import type { Manifest } from '../snapshot/manifest.js';
import { commitSnapshot } from '../snapshot/publish-snapshot.js';
import { readCurrentSnapshot, snapshotToFollow } from '../snapshot/read-snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { ItemRecord } from '../store/work-queue.js';
import { compileItems } from '../compile/compile-items.js';
import { downstreamWeights } from './downstream-weights.js';
import { checkSchemaChange } from './schema-change.js';
import { publishedItems, reduceItems } from './shuffle-stage.js';
import { parseMemory } from '../core/parse-memory.js';
import { parseItemOutput, type ItemOutput } from '../protocol/item-output.js';
import type { ManifestFile } from '../protocol/manifest-file.js';
import type { PublishPlan } from '../protocol/publish-plan.js';
import type { RunEvent } from '../protocol/run-event.js';

export interface CoordinatorContext {
  readonly project: Project;
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  /** A DuckDB connection for listing source files. */
  readonly conn: DuckDBConnection;
  readonly now?: () => number;
}

/** How the coordinator talks to the workers: wake-up hints both ways. Workers may be anywhere. */
export interface WorkerSignals {
  /** Tell workers new items are queued (a hint; they also poll). */
  wake(): void;
  /** Resolve when a worker reports progress, or after `ms` (the coordinator also polls). */
  waitForChange(ms: number): Promise<void>;
}

export interface DriveOptions {
  readonly runId?: string;
  /** Drive an existing, finished run again (`sluice retry`): reopen it and finish what is left. */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  readonly pollMs?: number;
  /** Who drives the run, recorded in the store (default `<host>:<pid>`). */
  readonly coordinator?: string;
  /** The run's data interval: models split by a column they are partitioned by rebuild only it. */
  readonly interval?: DataInterval;
  /** Rebuild every task, even those unchanged since their current snapshot. */
  readonly fullRefresh?: boolean;
}

/** `<host>:<pid>`: how a run's coordinator is named in the store. */
export function coordinatorId(): string {
  return `${hostname()}:${process.pid}`;
}

/** A running run whose coordinator has not shown life for this many heartbeats was abandoned. */
export const COORDINATOR_STALE_HEARTBEATS = 3;

/** `20261125T120301Z-3f9a1c`: sorts by start time, unique across processes. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

type Phase = 'waiting' | 'queued' | 'done';

/** A task not run because its fingerprint matches its current snapshot's. */
interface Skip {
  readonly outcome: TaskOutcome & { readonly reason: string };
  readonly fingerprint: string;
}

/**
 * The coordinator of one run. It never runs user SQL: it queues each task's work items once
 * its upstream tasks are published, watches items in the metadata store, publishes a task's
 * snapshot when all its items succeeded (one create-if-absent manifest write), fails it when
 * an item is dead, and marks everything downstream of a failure not run. Workers do the work.
 * Returns every task's outcome; throws only if the metadata store itself fails.
 */
export async function driveRun(
  ctx: CoordinatorContext,
  plan: Plan,
  workers: WorkerSignals,
  opts: DriveOptions = {},
): Promise<RunResult> {
  const now = ctx.now ?? Date.now;
  const { project, store } = ctx;
  const runId = opts.runId ?? newRunId(new Date(now()));
  const emit = opts.onEvent ?? (() => {});
  const pollMs = opts.pollMs ?? 250;
  let startedAt = now();
  const concurrency = new Map(plan.groups.map((g) => [g.name, g.concurrency] as const));
  const weights = downstreamWeights(plan);
  const exec = project.config.execution;

  await store.setQueues(project.config.queues);
  const phase = new Map<string, Phase>(plan.models.map((m) => [m.name, 'waiting'] as const));
  const status = new Map<string, OutcomeStatus>(plan.models.map((m) => [m.name, 'pending'] as const));
  const outcomes = new Map<string, TaskOutcome>();
  const snapshotOf = new Map<string, number>();
  const started = new Set<string>();
  const group = new Map(plan.models.map((m) => [m.name, m.group] as const));
  const sourceListings = new Map<string, Promise<unknown>>();

  const coordinator = opts.coordinator ?? coordinatorId();
  if (opts.resume) {
    startedAt = await reopen();
  } else {
    await store.createRun(
      {
        id: runId,
        project: plan.project,
        selector: plan.selector,
        startedAt,
        coordinator,
        exclusiveSince: startedAt - COORDINATOR_STALE_HEARTBEATS * exec.heartbeatMs,
      },
      plan.models.map((m) => ({ model: m.name, group: m.group, concurrency: concurrency.get(m.group) ?? 1 })),
    );
    // For metrics and cost rollups by business unit and type.
    await store.labelTasks(
      runId,
      plan.models.map((m) => ({
        model: m.name,
        businessUnit: project.models.get(m.name)!.businessUnit,
        type: project.models.get(m.name)!.type,
      })),
    );
  }
  emit({ kind: 'run_started', runId, tasks: plan.models.length, groups: plan.groups.length });

  // The coordinator's heartbeat: a run whose coordinator stops beating is abandoned by the next
  // run of the project (on any machine). If someone already declared this run abandoned, stop.
  let disowned: string | null = null;
  const beat = setInterval(
    () => {
      store.runHeartbeat(runId, now()).then(
        (live) => {
          if (!live && disowned === null)
            disowned = 'the run was declared abandoned by another process (its coordinator heartbeat was late)';
        },
        () => {}, // a missed beat is retried on the next tick; staleness takes several
      );
    },
    Math.max(10, Math.floor(exec.heartbeatMs)),
  );
  beat.unref();

  let finishedAny = false;
  const record = async (o: TaskOutcome, fromPending = false): Promise<void> => {
    finishedAny = true;
    phase.set(o.model, 'done');
    status.set(o.model, o.status);
    outcomes.set(o.model, o);
    if (fromPending && o.status === 'failed') await store.startTask(runId, o.model, o.startedAt ?? now());
    await store.finishTask(runId, o.model, {
      status: o.status as 'succeeded' | 'failed' | 'not_run',
      endedAt: o.endedAt ?? now(),
      ...(o.rowsOut !== null && { rowsOut: o.rowsOut }),
      ...(o.bytesOut !== null && { bytesOut: o.bytesOut }),
      ...(o.files !== null && { files: o.files }),
      ...(o.snapshot !== null && { snapshot: o.snapshot }),
      ...(o.error !== null && { error: o.error }),
    });
    emit({ kind: 'task_finished', task: o });
  };
  const recordSkip = async ({ outcome: o, fingerprint }: Skip): Promise<void> => {
    finishedAny = true;
    await store.skipTask(runId, o.model, {
      endedAt: o.endedAt!,
      snapshot: o.snapshot!,
      rowsOut: o.rowsOut!,
      bytesOut: o.bytesOut!,
      files: o.files!,
      reason: o.reason,
      fingerprint,
    });
    phase.set(o.model, 'done');
    status.set(o.model, 'skipped');
    outcomes.set(o.model, o);
    emit({ kind: 'task_finished', task: o });
  };
  const blank = (model: string, s: TaskStatus, error: string | null, startedAtMs: number | null): TaskOutcome => {
    const endedAt = now();
    return {
      model,
      group: group.get(model)!,
      status: s,
      startedAt: startedAtMs,
      endedAt,
      durationMs: startedAtMs === null ? null : endedAt - startedAtMs,
      rowsOut: null,
      bytesOut: null,
      files: null,
      snapshot: null,
      error,
    };
  };

  let cancelled = false;
  try {
    for (;;) {
      if (disowned !== null)
        throw new SluiceError('EXEC_FAILED', `run ${runId}: ${disowned}; nothing more was published by this process`);
      if (opts.signal?.aborted && !cancelled) {
        cancelled = true;
        await store.cancelRun(runId, now());
        workers.wake();
      }

      // Queue the tasks that became ready (or skip the unchanged); mark the blocked ones not run.
      let queuedAny = false;
      for (const m of plan.models) {
        if (phase.get(m.name) !== 'waiting') continue;
        const blocker = m.waitsFor.find((u) => status.get(u) === 'failed' || status.get(u) === 'not_run');
        if (blocker || cancelled) {
          await record(
            blank(
              m.name,
              'not_run',
              blocker
                ? `upstream model ${blocker} ${status.get(blocker) === 'failed' ? 'failed' : 'did not run'}`
                : 'run interrupted',
              null,
            ),
          );
          continue;
        }
        if (!m.waitsFor.every((u) => status.get(u) === 'succeeded' || status.get(u) === 'skipped')) continue;
        try {
          const skip = await queueTask(m.name);
          if (skip) {
            await recordSkip(skip);
            continue;
          }
          phase.set(m.name, 'queued');
          queuedAny = true;
        } catch (err) {
          await record(blank(m.name, 'failed', errorMessage(err), now()), true);
        }
      }
      if (queuedAny) workers.wake();

      // Watch the queued tasks: counts per task (cheap); whole items only for a task that ended.
      if ([...phase.values()].some((p) => p === 'queued')) {
        for (const t of await store.taskProgress(runId)) {
          const model = t.model;
          if (phase.get(model) !== 'queued') continue;
          const startedAtMs = t.firstStartedAt;
          if (!started.has(model) && startedAtMs !== null) {
            started.add(model);
            emit({ kind: 'task_started', model, group: group.get(model)! });
          }
          if (t.dead > 0) {
            const items = await store.listItems(runId, model);
            const dead = items.find((i) => i.state === 'dead')!;
            const attempts = `after ${dead.attempt} attempt${dead.attempt === 1 ? '' : 's'}`;
            await record(
              blank(
                model,
                'failed',
                `${dead.error ?? 'work item failed'} (work item ${dead.itemNo + 1} of ${items.length}, dead ${attempts})`,
                startedAtMs,
              ),
              startedAtMs === null,
            );
          } else if (t.cancelled > 0) {
            await record(
              blank(model, startedAtMs === null ? 'not_run' : 'failed', 'run interrupted', startedAtMs),
              false,
            );
          } else if (t.succeeded === t.items) {
            const items = await store.listItems(runId, model);
            let reduce: ItemSpec[] | null;
            try {
              reduce = reduceItems(items);
              // The shuffle's second stage: the task stays queued until its reduce items succeed.
              if (reduce) await enqueue(model, reduce, Math.max(...items.map((i) => i.itemNo)) + 1);
            } catch (err) {
              await record(blank(model, 'failed', `shuffle failed: ${errorMessage(err)}`, startedAtMs));
              continue;
            }
            if (reduce) workers.wake();
            else await record(await publishTask(model, items, startedAtMs ?? now()));
          }
        }
      }

      if ([...phase.values()].every((p) => p === 'done')) break;
      // A task that finished or was skipped may have made others ready: queue them at once.
      if (finishedAny) finishedAny = false;
      else await workers.waitForChange(pollMs);
    }

    const endedAt = now();
    const tasks = plan.models.map((m) => outcomes.get(m.name)!);
    const failed = tasks.filter((t) => t.status === 'failed');
    const runStatus = failed.length === 0 && !cancelled ? 'succeeded' : 'failed';
    const error = cancelled
      ? 'run interrupted'
      : failed.length > 0
        ? `${failed.length} task(s) failed: ${failed.map((t) => t.model).join(', ')}`
        : undefined;
    await store.finishRun(runId, runStatus, endedAt, error);
    const result: RunResult = {
      schema: RUN_RESULT_SCHEMA,
      runId,
      project: plan.project,
      selector: plan.selector,
      interval: opts.interval ?? null,
      status: runStatus,
      startedAt,
      endedAt,
      durationMs: endedAt - startedAt,
      tasks,
      counts: countStatuses(tasks),
    };
    emit({ kind: 'run_finished', result });
    return result;
  } finally {
    clearInterval(beat);
  }

  /** Reopen the run and take up its state: succeeded tasks are done, tasks with items are watched. */
  async function reopen(): Promise<number> {
    const run = await store.getRun(runId);
    if (!run) throw new SluiceError('STORE_NOT_FOUND', `no run '${runId}'`);
    const tasks = await store.listTasks(runId);
    const planned = new Set(plan.models.map((m) => m.name));
    if (tasks.length !== planned.size || tasks.some((t) => !planned.has(t.model))) {
      throw new SluiceError(
        'PLAN_SELECTION',
        `run ${runId} ran ${tasks.map((t) => t.model).join(', ')}; the project now plans ${[...planned].join(', ')} for '${run.selector}': start a new run instead`,
      );
    }
    await store.reopenRun(runId, now());
    await store.runHeartbeat(runId, now(), coordinator);
    const items = groupItems(await store.listItems(runId));
    const skips = new Map((await store.listSkippedTasks(runId)).map((k) => [k.model, k] as const));
    for (const t of await store.listTasks(runId)) {
      if (t.status === 'succeeded') {
        const skip = skips.get(t.model);
        phase.set(t.model, 'done');
        status.set(t.model, skip ? 'skipped' : 'succeeded');
        outcomes.set(t.model, {
          ...(skip && { reason: skip.reason }),
          model: t.model,
          group: t.group,
          status: skip ? 'skipped' : 'succeeded',
          startedAt: t.startedAt,
          endedAt: t.endedAt,
          durationMs: t.startedAt !== null && t.endedAt !== null ? t.endedAt - t.startedAt : null,
          rowsOut: t.rowsOut,
          bytesOut: t.bytesOut,
          files: t.files,
          snapshot: t.snapshot,
          error: null,
        });
      } else if (t.status === 'running') {
        const first = items.get(t.model)?.[0];
        if (!first) continue;
        phase.set(t.model, 'queued');
        snapshotOf.set(t.model, parseItemSpec(first.spec, first.id).snapshot);
      }
    }
    return run.startedAt;
  }

  /** Queue the task's work items; or, when it is unchanged since its current snapshot, return its skip. */
  async function queueTask(name: string): Promise<Skip | undefined> {
    const model = project.models.get(name)!;
    const snapshots = new Map<string, Manifest>();
    for (const dep of model.dependsOn) {
      if (project.sources.has(dep)) continue;
      const manifest = await readCurrentSnapshot(ctx.objects, dep);
      if (!manifest)
        throw new SluiceError(
          'PLAN_NOT_BUILT',
          `model ${name} reads ${dep}, which has never been built: run it too (--select +${name})`,
        );
      snapshots.set(dep, manifest);
    }
    // A damaged manifest fails this task (naming it) unless --full-refresh rebuilds past it.
    const { previous: current, snapshot } = await snapshotToFollow(ctx.objects, name, opts.fullRefresh ?? false);
    snapshotOf.set(name, snapshot);
    const compiled = await compileItems(
      {
        project,
        conn: ctx.conn,
        snapshots,
        targetItemBytes: exec.targetItemBytes,
        broadcastBytes: exec.broadcastBytes,
        sourceListings,
        ...(opts.interval && { interval: opts.interval }),
        ...(current && { previous: current }),
        ...(opts.fullRefresh && { fullRefresh: true }),
      },
      model,
      snapshot,
      exec.maxItemsPerTask,
    );
    const reason = skipReason(current, compiled, opts.fullRefresh ?? false);
    if (current && reason !== undefined) {
      const at = now();
      const outcome = {
        model: name,
        group: group.get(name)!,
        status: 'skipped',
        startedAt: at,
        endedAt: at,
        durationMs: 0,
        rowsOut: current.rows,
        bytesOut: current.bytes,
        files: current.files.length,
        snapshot: current.snapshot,
        error: null,
        reason,
      } as const;
      return { outcome, fingerprint: compiled.fingerprint };
    }
    // The publish plan (with per-value fingerprints, possibly large) travels with the first item only.
    await enqueue(
      name,
      compiled.items.map((spec, i): ItemSpec => (i === 0 ? { ...spec, publish: compiled.publish } : spec)),
      0,
    );
  }

  /** Queue work items of a task, numbered from `firstNo`, on the model's queue with its resources. */
  async function enqueue(name: string, specs: readonly ItemSpec[], firstNo: number): Promise<void> {
    const model = project.models.get(name)!;
    const cpus = model.resources.cpus ?? 1;
    const memoryBytes = model.resources.memory ? parseMemory(model.resources.memory) : 0;
    await store.enqueueItems(
      runId,
      name,
      specs.map((spec, i) => ({
        itemNo: firstNo + i,
        queue: model.queue,
        priority: weights.get(name) ?? 0,
        cpus,
        memoryBytes,
        spec: JSON.stringify(spec),
      })),
      {
        maxCodeAttempts: exec.retry.codeAttempts,
        maxInfraAttempts: exec.retry.infraAttempts,
        backoffMs: exec.retry.backoffMs,
        maxBackoffMs: exec.retry.maxBackoffMs,
      },
      now(),
    );
  }

  async function publishTask(name: string, items: ItemRecord[], startedAtMs: number): Promise<TaskOutcome> {
    try {
      const made = publishedItems(items);
      const outputs = made.map((i) => parseItemOutput(i.output, i.id));
      const columns = outputs[0]!.columns;
      const differs = outputs.find((o) => JSON.stringify(o.columns) !== JSON.stringify(columns));
      if (differs)
        throw new SluiceError(
          'EXEC_FAILED',
          `work items produced different columns: ${fmtColumns(columns)} vs ${fmtColumns(differs.columns)}`,
        );
      const model = project.models.get(name)!;
      const snapshot = snapshotOf.get(name)!;
      try {
        // A full refresh may change the columns: it need not (and, if damaged, cannot) read the current manifest.
        const previous = opts.fullRefresh ? undefined : await readCurrentSnapshot(ctx.objects, name);
        checkSchemaChange(model, previous, columns, opts.fullRefresh ?? false);
      } catch (err) {
        // Refused: the items' files are in no manifest; remove them so the folder is as it was.
        await ctx.objects.delete(outputs.flatMap((o) => o.files.map((f) => f.key)));
        throw err;
      }
      const first = items.find((i) => i.itemNo === 0) ?? items[0]!;
      const plan = parseItemSpec(first.spec, first.id).publish;
      const files = outputs.flatMap((o) => o.files);
      if (plan?.carry && plan.carry !== 'all') checkReplacedValues(made, outputs, plan.carry.column);
      if (plan?.carry) files.push(...(await carryForward(ctx, name, snapshot, plan.carry, model.partitionBy, columns)));
      const manifest = await commitSnapshot(ctx.objects, {
        model: name,
        snapshot,
        runId,
        partitionBy: model.partitionBy,
        columns,
        files,
        fingerprint: plan?.fingerprint ?? null,
        partitions: plan?.partitions ?? null,
      });
      const endedAt = now();
      return {
        model: name,
        group: group.get(name)!,
        status: 'succeeded',
        startedAt: startedAtMs,
        endedAt,
        durationMs: endedAt - startedAtMs,
        rowsOut: manifest.rows,
        bytesOut: manifest.bytes,
        files: manifest.files.length,
        snapshot: manifest.snapshot,
        error: null,
      };
    } catch (err) {
      return blank(name, 'failed', `publishing failed: ${errorMessage(err)}`, startedAtMs);
    }
  }
}

/**
 * The files of the model's current snapshot kept in the new one: all of them (append), or those
 * outside the partitions this task replaced (an interval, new or changed values). The previous
 * snapshot must be the one this task follows and have the same partitioning and columns.
 */
async function carryForward(
  ctx: CoordinatorContext,
  name: string,
  snapshot: number,
  carry: NonNullable<PublishPlan['carry']>,
  partitionBy: readonly string[],
  columns: ItemOutput['columns'],
): Promise<ManifestFile[]> {
  const current = await readCurrentSnapshot(ctx.objects, name);
  if (!current) return [];
  if (current.snapshot !== snapshot - 1)
    throw new SluiceError('STORE_CONFLICT', `snapshot ${current.snapshot} was published meanwhile`);
  let kept: ManifestFile[] = [...current.files];
  if (carry !== 'all') {
    const type = current.columns.find((c) => c.name === carry.column);
    const replaced = type && (await filesMatching(ctx.conn, current.files, [type], carry.filter));
    if (!replaced)
      throw new SluiceError(
        'EXEC_FAILED',
        `cannot tell which files of snapshot ${current.snapshot} to keep: ${carry.column} ${type ? `does not compare with ${carry.filter}` : 'is not one of its columns'}; run it with --full-refresh`,
      );
    const gone = new Set(replaced.map((f) => f.key));
    kept = kept.filter((f) => !gone.has(f.key));
  }
  if (kept.length === 0) return [];
  const why =
    JSON.stringify(current.partitionBy) !== JSON.stringify(partitionBy)
      ? `its partition_by changed since snapshot ${current.snapshot} (${current.partitionBy.join(', ') || 'none'})`
      : JSON.stringify(current.columns) !== JSON.stringify(columns)
        ? `its columns changed since snapshot ${current.snapshot}`
        : undefined;
  if (why)
    throw new SluiceError(
      'EXEC_FAILED',
      `this build keeps ${kept.length} file(s) it did not rebuild, but ${why}: run it with --full-refresh and without --from/--to`,
    );
  return kept;
}

/**
 * A build that replaces partitions (an interval, incremental replace) relies on each item's rows
 * landing in the output partitions of the values it was given: check it, or nothing is kept.
 */
function checkReplacedValues(items: readonly ItemRecord[], outputs: readonly ItemOutput[], column: string): void {
  items.forEach((item, n) => {
    const slice = parseItemSpec(item.spec, item.id).slice;
    if (!slice) return;
    const allowed = new Set(slice.values);
    const stray = outputs[n]!.files.find((f) => !allowed.has(f.partition[column] ?? '__HIVE_DEFAULT_PARTITION__'));
    if (stray) {
      throw new SluiceError(
        'EXEC_FAILED',
        `the work item for ${column} ${slice.values.join(', ')} wrote rows to ${column}=${stray.partition[column] ?? 'NULL'}: a build that replaces partitions (--from/--to, incremental: replace) needs the rows of each ${column} value to keep that value in the output`,
      );
    }
  });
}

function groupItems(items: readonly ItemRecord[]): Map<string, ItemRecord[]> {
  const out = new Map<string, ItemRecord[]>();
  for (const i of items) out.set(i.model, [...(out.get(i.model) ?? []), i]);
  return out;
}

function fmtColumns(cols: ItemOutput['columns']): string {
  return cols.map((c) => `${c.name} ${c.type}`).join(', ');
}
