import { SluiceError } from '../core/errors.js';
import type { NewRun, NewTask, TaskResult } from './metadata-store.js';

const TASK_RESULT_STATUSES = new Set(['succeeded', 'failed', 'not_run']);

/** createRun's tasks, checked the same way by every store: unique models, concurrency >= 1. */
export function checkNewTasks(run: NewRun, tasks: readonly NewTask[]): void {
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.model)) throw new SluiceError('STORE_CONFLICT', `run ${run.id}: model ${t.model} is listed twice`);
    seen.add(t.model);
    if (!Number.isSafeInteger(t.concurrency) || t.concurrency < 1) {
      throw new SluiceError(
        'STORE_CONFLICT',
        `run ${run.id}: task ${t.model} (group ${t.group}): concurrency must be an integer >= 1, got ${String(t.concurrency)}`,
      );
    }
  }
}

/** finishTask's result: a final status. Returns the status the task must be in now. */
export function checkTaskResult(runId: string, model: string, result: TaskResult): 'pending' | 'running' {
  if (!TASK_RESULT_STATUSES.has(result.status)) {
    throw new SluiceError(
      'STORE_CONFLICT',
      `task ${model} of run ${runId}: "${String(result.status)}" is not a final status (succeeded, failed, not_run)`,
    );
  }
  return result.status === 'not_run' ? 'pending' : 'running';
}
