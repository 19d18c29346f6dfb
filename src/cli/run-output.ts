import type { RunResult, TaskOutcome } from '../protocol/run-result.js';
import type { Delivery } from '../observability/alerts/deliver-webhook.js';
import { formatMoney, type CostReport } from '../observability/cost-report.js';
import { formatBytes, formatCount, formatDuration } from './format.js';
import type { RunEvent } from '../protocol/run-event.js';

/** Per-task progress lines while a run goes on. */
export function progressPrinter(out: NodeJS.WritableStream) {
  let width = 24;
  return {
    onPlanned(info: { models: number; groups: number; workers: number; longestName: number }) {
      width = Math.max(width, info.longestName);
      out.write(
        `planned ${info.models} model(s) in ${info.groups} group(s); ${info.workers === 0 ? 'no local workers: waiting for `sluice worker` processes on the same stores' : `${info.workers} worker slot(s)`}\n`,
      );
    },
    onEvent(event: RunEvent) {
      switch (event.kind) {
        case 'run_started':
          out.write(`run ${event.runId}\n`);
          break;
        case 'task_started':
          width = Math.max(width, event.model.length);
          out.write(`  → ${event.model.padEnd(width)}  ${event.group}\n`);
          break;
        case 'task_finished':
          width = Math.max(width, event.task.model.length);
          out.write(`${taskLine(event.task, width)}\n`);
          break;
        case 'run_finished':
          break;
      }
    },
  };
}

function taskLine(t: TaskOutcome, width: number): string {
  const name = t.model.padEnd(width);
  if (t.status === 'succeeded') {
    return `  ✓ ${name}  ${formatDuration(t.durationMs).padStart(7)}  ${formatCount(t.rowsOut).padStart(11)} rows  ${formatBytes(t.bytesOut).padStart(10)}  ${t.files} file(s)`;
  }
  if (t.status === 'skipped') return `  = ${name}  skipped: ${t.reason ?? 'unchanged'}`;
  if (t.status === 'failed')
    return `  ✗ ${name}  ${formatDuration(t.durationMs).padStart(7)}  FAILED: ${firstLine(t.error)}`;
  return `  - ${name}  not run: ${t.error ?? ''}`;
}

function firstLine(s: string | null): string {
  return (s ?? '').split('\n')[0] ?? '';
}

/** The summary after a run: time, counts, output, cost (when known), the 3 slowest models, failures. */
export function renderRunSummary(r: RunResult, cost?: CostReport): string {
  const ok = r.tasks.filter((t) => t.status === 'succeeded');
  const skipped = r.counts.skipped ? `, ${r.counts.skipped} skipped (unchanged)` : '';
  const rows = ok.reduce((s, t) => s + (t.rowsOut ?? 0), 0);
  const bytes = ok.reduce((s, t) => s + (t.bytesOut ?? 0), 0);
  const lines = [
    '',
    `run ${r.runId} ${r.status.toUpperCase()} in ${formatDuration(r.durationMs)}: ${r.counts.succeeded} succeeded${skipped}, ${r.counts.failed} failed, ${r.counts.not_run} not run`,
    `  wrote ${formatCount(rows)} rows, ${formatBytes(bytes)}`,
  ];
  if (cost) lines.push(...costSummary(cost));
  const slowest = [...ok].sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0)).slice(0, 3);
  if (slowest.length > 0)
    lines.push(`  slowest: ${slowest.map((t) => `${t.model} ${formatDuration(t.durationMs)}`).join(', ')}`);
  for (const t of r.tasks.filter((x) => x.status === 'failed')) {
    lines.push('', `failed: ${t.model}`, ...(t.error ?? '').split('\n').map((l) => `  ${l}`));
  }
  const notRun = r.tasks.filter((x) => x.status === 'not_run');
  if (notRun.length > 0) lines.push('', `not run (upstream failed): ${notRun.map((t) => t.model).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `cost $… at on-demand prices (…)`, then one line per budget exceeded. */
export function costSummary(cost: CostReport): string[] {
  const m = (x: number) => formatMoney(x, cost.currency);
  const t = cost.total;
  const out = [
    `  cost ${m(t.total)} at ${cost.pricing.replace('_', '-')} prices (all on-demand ${m(t.onDemand)}, on a managed cluster ${m(t.managed)}; sluice cost shows the breakdown)`,
  ];
  for (const b of cost.budgets.filter((x) => x.over))
    out.push(
      `  OVER BUDGET: ${b.scope === 'run' ? 'the run' : `group ${b.key}`} cost ${m(b.cost)}, budget ${m(b.budget)}`,
    );
  return out;
}

/** A warning on stderr for an alert that could not be delivered (alerts never fail a run). */
export function warnUndelivered(d: Delivery): void {
  if (!d.ok)
    process.stderr.write(
      `warning: alert ${d.kind} to ${d.url} not delivered after ${d.attempts} attempt(s): ${d.error}\n`,
    );
}
