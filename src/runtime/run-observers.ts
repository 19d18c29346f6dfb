import { join } from 'node:path';
import type { Project } from '../core/types.js';
import type { RunResult } from '../protocol/run-result.js';
import type { Delivery } from '../observability/alerts/deliver-webhook.js';
import { logRunEvent } from '../observability/logs/log-events.js';
import { createLogger } from '../observability/logs/logger.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { stateDir } from './open-runtime.js';
import { startRunAlerts } from './run-alerts.js';
import { startRunLineage } from './run-lineage.js';
import type { RunEvent } from '../protocol/run-event.js';

export interface RunObservers {
  /** Every coordinator event of the run, first to the log, alerts and lineage, then to `next`. */
  onEvent(event: RunEvent): void;
  /** After the workers stopped: end-of-run alerts and the last lineage events. Never throws. */
  finish(result: RunResult): Promise<void>;
}

/** What watches a run besides the caller: the run's log file, alerts, OpenLineage. */
export function startRunObservers(
  project: Project,
  store: MetadataStore,
  objectsUri: string,
  opts: { resume?: string; next?: (e: RunEvent) => void; onAlert?: (d: Delivery) => void },
): RunObservers {
  const alerts = startRunAlerts(project, store, opts.onAlert);
  const lineage = startRunLineage(project, objectsUri);
  const log = createLogger({ logDir: join(stateDir(project), 'logs'), component: 'coordinator' });
  let runId = opts.resume ?? '';
  return {
    onEvent(e) {
      if (e.kind === 'run_started') runId = e.runId;
      logRunEvent(log, runId, e);
      alerts?.onEvent(e);
      lineage?.onEvent(e);
      opts.next?.(e);
    },
    async finish(result) {
      await alerts?.finish(result);
      for (const failure of (await lineage?.flush()) ?? [])
        log.warn({ runId: result.runId, failure }, 'OpenLineage event not delivered');
    },
  };
}
