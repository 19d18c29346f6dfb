import type { Project } from '../core/types.js';
import type { RunResult } from '../protocol/run-result.js';
import { AlertDispatcher } from '../observability/alerts/alert-dispatcher.js';
import type { Delivery } from '../observability/alerts/deliver-webhook.js';
import { runEndAlerts, taskFailedAlert, type RunHistory } from '../observability/alerts/run-alerts.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { costOfRun } from './run-cost.js';
import type { RunEvent } from '../protocol/run-event.js';

/** How many earlier runs of the same selection anomaly detection looks at. */
const HISTORY = 10;

export interface RunAlerts {
  onEvent(event: RunEvent): void;
  /** Send the end-of-run alerts and wait for every delivery (retries included). Never throws. */
  finish(result: RunResult): Promise<Delivery[]>;
}

/**
 * A run's alerts, when `alerts.webhooks` lists any: a failed task as it happens; at the end,
 * a failed run, a missed SLA, budgets exceeded and anomalies (runEndAlerts). Undefined when no
 * webhook is configured.
 */
export function startRunAlerts(
  project: Pick<Project, 'config'>,
  store: MetadataStore,
  onDelivery?: (d: Delivery) => void,
): RunAlerts | undefined {
  const config = project.config.alerts;
  if (!config || config.webhooks.length === 0) return undefined;
  const dispatcher = new AlertDispatcher(config, onDelivery);
  let runId = '';
  return {
    onEvent(event) {
      if (event.kind === 'run_started') runId = event.runId;
      if (event.kind === 'task_finished' && event.task.status === 'failed')
        dispatcher.send(taskFailedAlert(project.config.name, runId, event.task));
    },
    async finish(result) {
      try {
        const cost = await costOfRun(store, project.config, result.runId).catch(() => undefined);
        for (const alert of runEndAlerts(result, cost, await history(store, project.config, result), config))
          dispatcher.send(alert);
      } catch {
        // alerts never fail a run
      }
      return dispatcher.flush();
    },
  };
}

async function history(store: MetadataStore, config: Project['config'], result: RunResult): Promise<RunHistory[]> {
  const earlier = (await store.listRuns({ limit: 200 }))
    .filter(
      (r) =>
        r.id !== result.runId &&
        r.selector === result.selector &&
        r.status === 'succeeded' &&
        r.endedAt !== null &&
        r.startedAt <= result.startedAt,
    )
    .slice(0, HISTORY);
  return Promise.all(
    earlier.map(async (r) => ({
      runId: r.id,
      durationMs: r.endedAt! - r.startedAt,
      cost: (await costOfRun(store, config, r.id)).total.total,
    })),
  );
}
