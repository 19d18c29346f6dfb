import type { Logger } from './logger.js';
import type { RunEvent } from '../../protocol/run-event.js';
import type { WorkerEvent } from '../../protocol/worker-event.js';

/** Log a coordinator event of run `runId` (the run id comes from `run_started`). */
export function logRunEvent(log: Logger, runId: string, e: RunEvent): void {
  switch (e.kind) {
    case 'run_started':
      log.info({ runId: e.runId, tasks: e.tasks, groups: e.groups }, 'run started');
      break;
    case 'task_started':
      log.info({ runId, model: e.model, group: e.group }, 'task started');
      break;
    case 'task_finished': {
      const t = e.task;
      const fields = {
        runId,
        model: t.model,
        group: t.group,
        status: t.status,
        durationMs: t.durationMs,
        rowsOut: t.rowsOut,
        bytesOut: t.bytesOut,
        snapshot: t.snapshot,
        error: t.error,
      };
      if (t.status === 'failed') log.error(fields, 'task failed');
      else if (t.status === 'not_run') log.warn(fields, 'task not run');
      else log.info(fields, 'task published');
      break;
    }
    case 'run_finished': {
      const r = e.result;
      (r.status === 'succeeded' ? log.info.bind(log) : log.error.bind(log))(
        { runId: r.runId, status: r.status, durationMs: r.durationMs, counts: r.counts },
        `run ${r.status}`,
      );
      break;
    }
  }
}

/**
 * A worker's event logger; run, model and item come from the item id (`<runId>/<model>/<n>`).
 * The attempt's measurements (wall, CPU, rows) are logged with its outcome, on one line.
 */
export function workerEventLogger(log: Logger): (e: WorkerEvent) => void {
  let measured: { key: string; fields: Record<string, unknown> } | undefined;
  return (e) => {
    if (e.kind === 'store_error') {
      log.warn({ error: e.error, retryInMs: e.retryInMs }, 'metadata store unreachable; retrying');
      return;
    }
    const [runId, model] = e.itemId.split('/');
    const where = { runId, model, itemId: e.itemId, attempt: e.attempt };
    switch (e.kind) {
      case 'item_started':
        log.info(where, 'attempt started');
        break;
      case 'item_measured':
        measured = {
          key: `${e.itemId}#${e.attempt}`,
          fields: { wallMs: e.wallMs, cpuMs: e.cpuMs, rowsOut: e.rowsOut },
        };
        if (!e.recorded) log.warn(where, 'attempt metrics could not be recorded in the metadata store');
        break;
      case 'item_finished': {
        const usage = measured?.key === `${e.itemId}#${e.attempt}` ? measured.fields : {};
        const fields = { ...where, outcome: e.outcome, ...usage, ...(e.error !== undefined && { error: e.error }) };
        if (e.outcome === 'dead') log.error(fields, 'attempt failed; item is dead');
        else if (e.outcome === 'retry') log.warn(fields, 'attempt failed; item will be retried');
        else if (e.outcome === 'fenced') log.warn(fields, 'attempt fenced: the lease was lost, output discarded');
        else if (e.outcome === 'released') log.info(fields, 'attempt handed back (worker stopping)');
        else log.info(fields, 'attempt succeeded');
        break;
      }
    }
  };
}
