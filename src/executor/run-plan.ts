import { randomBytes } from 'node:crypto';
import { errorMessage } from '../core/errors.js';
import type { TaskStatus } from '../core/types.js';
import type { Plan } from '../planner/build-plan.js';
import { Admission } from '../scheduler/admission.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { executeTask, type TaskContext } from './execute-task.js';
import { countStatuses, RUN_RESULT_SCHEMA, type RunEvent, type RunResult, type TaskOutcome } from './run-result.js';

export interface RunContext extends TaskContext {
  readonly store: MetadataStore;
  readonly now?: () => number;
}

export interface RunOptions {
  /** Tasks running at once across the run. */
  readonly workers: number;
  readonly runId?: string;
  /** Aborting stops new tasks, interrupts running ones and marks the rest not run. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
}

/** `20261125T120301Z-3f9a1c`: sorts by start time, unique across processes. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Run a plan: dispatch tasks in dependency order as admission allows, record every transition
 * in the metadata store, and return every task's outcome. A failed task marks everything
 * downstream of it `not_run`; independent branches go on.
 */
export async function runPlan(ctx: RunContext, plan: Plan, opts: RunOptions): Promise<RunResult> {
  const now = ctx.now ?? Date.now;
  const runId = opts.runId ?? newRunId(new Date(now()));
  const startedAt = now();
  const emit = opts.onEvent ?? (() => {});
  const concurrency = new Map(plan.groups.map((g) => [g.name, g.concurrency] as const));
  const admission = new Admission(opts.workers, (g) => concurrency.get(g) ?? 1);
  const status = new Map<string, TaskStatus>(plan.models.map((m) => [m.name, 'pending'] as const));
  const outcomes = new Map<string, TaskOutcome>();

  await ctx.store.createRun(
    { id: runId, project: plan.project, selector: plan.selector, startedAt },
    plan.models.map((m) => ({ model: m.name, group: m.group })),
  );
  emit({ kind: 'run_started', runId, tasks: plan.models.length, groups: plan.groups.length });

  const record = async (outcome: TaskOutcome): Promise<void> => {
    status.set(outcome.model, outcome.status);
    outcomes.set(outcome.model, outcome);
    await ctx.store.finishTask(runId, outcome.model, {
      status: outcome.status as 'succeeded' | 'failed' | 'not_run',
      endedAt: outcome.endedAt ?? now(),
      ...(outcome.rowsOut !== null && { rowsOut: outcome.rowsOut }),
      ...(outcome.bytesOut !== null && { bytesOut: outcome.bytesOut }),
      ...(outcome.files !== null && { files: outcome.files }),
      ...(outcome.snapshot !== null && { snapshot: outcome.snapshot }),
      ...(outcome.error !== null && { error: outcome.error }),
    });
    emit({ kind: 'task_finished', task: outcome });
  };

  const runTask = async (name: string, group: string): Promise<void> => {
    const model = ctx.project.models.get(name)!;
    const begun = now();
    await ctx.store.startTask(runId, name, begun);
    emit({ kind: 'task_started', model: name, group });
    const base = { model: name, group, startedAt: begun };
    try {
      const manifest = await executeTask(ctx, runId, model, opts.signal);
      const endedAt = now();
      await record({ ...base, status: 'succeeded', endedAt, durationMs: endedAt - begun, rowsOut: manifest.rows, bytesOut: manifest.bytes, files: manifest.files.length, snapshot: manifest.snapshot, error: null });
    } catch (err) {
      const endedAt = now();
      await record({ ...base, status: 'failed', endedAt, durationMs: endedAt - begun, rowsOut: null, bytesOut: null, files: null, snapshot: null, error: errorMessage(err) });
    }
  };

  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let pumping = false;
    let again = false;
    // One sweep over pending tasks in dependency order: mark the blocked not_run, start the ready.
    const sweep = async (): Promise<void> => {
      for (const m of plan.models) {
        if (status.get(m.name) !== 'pending') continue;
        const blocker = m.waitsFor.find((u) => status.get(u) === 'failed' || status.get(u) === 'not_run');
        if (blocker || opts.signal?.aborted) {
          const why = blocker ? `upstream model ${blocker} ${status.get(blocker) === 'failed' ? 'failed' : 'did not run'}` : 'run interrupted';
          await record({ model: m.name, group: m.group, status: 'not_run', startedAt: null, endedAt: now(), durationMs: null, rowsOut: null, bytesOut: null, files: null, snapshot: null, error: why });
          continue;
        }
        if (!m.waitsFor.every((u) => status.get(u) === 'succeeded')) continue;
        if (!admission.canStart(m.group)) continue;
        admission.start(m.group);
        status.set(m.name, 'running');
        active++;
        void runTask(m.name, m.group)
          .catch(reject)
          .finally(() => {
            admission.finish(m.group);
            active--;
            void pump().catch(reject);
          });
      }
    };
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      try {
        do {
          again = false;
          await sweep();
        } while (again);
      } finally {
        pumping = false;
      }
      if (active === 0 && [...status.values()].every((s) => s !== 'pending' && s !== 'running')) resolve();
    };
    opts.signal?.addEventListener('abort', () => void pump().catch(reject), { once: true });
    void pump().catch(reject);
  });

  const endedAt = now();
  const tasks = plan.models.map((m) => outcomes.get(m.name)!);
  const failed = tasks.filter((t) => t.status === 'failed');
  const runStatus = failed.length === 0 && !opts.signal?.aborted ? 'succeeded' : 'failed';
  const error = opts.signal?.aborted ? 'run interrupted' : failed.length > 0 ? `${failed.length} task(s) failed: ${failed.map((t) => t.model).join(', ')}` : undefined;
  await ctx.store.finishRun(runId, runStatus, endedAt, error);
  const result: RunResult = {
    schema: RUN_RESULT_SCHEMA,
    runId,
    project: plan.project,
    selector: plan.selector,
    status: runStatus,
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    tasks,
    counts: countStatuses(tasks),
  };
  emit({ kind: 'run_finished', result });
  return result;
}
