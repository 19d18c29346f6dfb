import type { AlertsConfig } from '../../core/types.js';
import type { RunResult, TaskOutcome } from '../../protocol/run-result.js';
import { formatMoney, type CostReport } from '../cost-report.js';
import { makeAlert, type Alert } from './alert.js';

/** A task failed (fired as it happens). */
export function taskFailedAlert(project: string, runId: string, task: TaskOutcome, at = new Date()): Alert {
  return makeAlert(
    {
      kind: 'task_failed',
      severity: 'error',
      project,
      runId,
      model: task.model,
      summary: `${task.model} failed: ${(task.error ?? '').split('\n')[0]}`,
      details: { group: task.group, error: task.error, durationMs: task.durationMs },
    },
    at,
  );
}

/** A previous run of the same selection, for anomaly detection. */
export interface RunHistory {
  readonly runId: string;
  readonly durationMs: number;
  readonly cost: number;
}

/**
 * Alerts at the end of a run: failed, SLA missed (took longer than `runSlaMs`), over budget (run
 * or group), and anomaly (cost or duration above `anomaly.factor` × the median of at least
 * `anomaly.minRuns` previous succeeded runs of the same selection).
 */
export function runEndAlerts(
  result: RunResult,
  cost: CostReport | undefined,
  history: readonly RunHistory[],
  config: AlertsConfig,
  at = new Date(),
): Alert[] {
  const base = { project: result.project, runId: result.runId };
  const out: Alert[] = [];
  if (result.status === 'failed') {
    const failed = result.tasks.filter((t) => t.status === 'failed').map((t) => t.model);
    out.push(
      makeAlert(
        {
          ...base,
          kind: 'run_failed',
          severity: 'error',
          summary: `run ${result.runId} failed: ${failed.length} task(s) failed (${failed.join(', ') || 'interrupted'}), ${result.counts.not_run} not run`,
          details: { counts: result.counts, failed, durationMs: result.durationMs },
        },
        at,
      ),
    );
  }
  if (config.runSlaMs !== null && result.durationMs > config.runSlaMs) {
    out.push(
      makeAlert(
        {
          ...base,
          kind: 'sla_missed',
          severity: 'warning',
          summary: `run ${result.runId} took ${Math.round(result.durationMs / 1000)} s, over its SLA of ${Math.round(config.runSlaMs / 1000)} s`,
          details: { durationMs: result.durationMs, slaMs: config.runSlaMs },
        },
        at,
      ),
    );
  }
  for (const b of cost?.budgets.filter((x) => x.over) ?? []) {
    const m = (x: number) => formatMoney(x, cost!.currency);
    const what = b.scope === 'run' ? 'the run' : `group ${b.key}`;
    out.push(
      makeAlert(
        {
          ...base,
          kind: 'over_budget',
          severity: 'warning',
          summary: `${what} cost ${m(b.cost)}, over its budget of ${m(b.budget)}`,
          details: { scope: b.scope, key: b.key, cost: b.cost, budget: b.budget, currency: cost!.currency },
        },
        at,
      ),
    );
  }
  if (history.length >= config.anomaly.minRuns && result.status === 'succeeded') {
    const checks: [string, number, number[]][] = [
      ['duration', result.durationMs, history.map((h) => h.durationMs)],
      ...(cost ? [['cost', cost.total.total, history.map((h) => h.cost)] as [string, number, number[]]] : []),
    ];
    for (const [what, value, past] of checks) {
      const typical = median(past);
      const ratio = typical > 0 ? value / typical : null;
      if (ratio !== null && ratio > config.anomaly.factor) {
        out.push(
          makeAlert(
            {
              ...base,
              kind: 'anomaly',
              severity: 'warning',
              summary: `run ${result.runId}: ${what} is ${ratio.toFixed(1)}× the median of the last ${past.length} run(s) of '${result.selector}'`,
              details: {
                metric: what,
                value,
                median: typical,
                factor: config.anomaly.factor,
                runs: history.map((h) => h.runId),
              },
            },
            at,
          ),
        );
      }
    }
  }
  return out;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
