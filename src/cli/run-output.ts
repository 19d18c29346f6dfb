import type { RunEvent, RunResult, TaskOutcome } from '../executor/run-result.js';
import { formatBytes, formatCount, formatDuration } from './format.js';

/** Per-task progress lines while a run goes on. */
export function progressPrinter(out: NodeJS.WritableStream) {
  let width = 24;
  return {
    onPlanned(info: { models: number; groups: number; workers: number; longestName: number }) {
      width = Math.max(width, info.longestName);
      out.write(`planned ${info.models} model(s) in ${info.groups} group(s); ${info.workers} worker slot(s)\n`);
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
  if (t.status === 'failed') return `  ✗ ${name}  ${formatDuration(t.durationMs).padStart(7)}  FAILED: ${firstLine(t.error)}`;
  return `  - ${name}  not run: ${t.error ?? ''}`;
}

function firstLine(s: string | null): string {
  return (s ?? '').split('\n')[0] ?? '';
}

export function renderRunSummary(r: RunResult): string {
  const ok = r.tasks.filter((t) => t.status === 'succeeded');
  const skipped = r.counts.skipped ? `, ${r.counts.skipped} skipped (unchanged)` : '';
  const rows = ok.reduce((s, t) => s + (t.rowsOut ?? 0), 0);
  const bytes = ok.reduce((s, t) => s + (t.bytesOut ?? 0), 0);
  const lines = [
    '',
    `run ${r.runId} ${r.status.toUpperCase()} in ${formatDuration(r.durationMs)}: ${r.counts.succeeded} succeeded${skipped}, ${r.counts.failed} failed, ${r.counts.not_run} not run`,
    `  wrote ${formatCount(rows)} rows, ${formatBytes(bytes)}`,
  ];
  const slowest = [...ok].sort((a, b) => (b.durationMs ?? 0) - (a.durationMs ?? 0)).slice(0, 3);
  if (slowest.length > 0) lines.push(`  slowest: ${slowest.map((t) => `${t.model} ${formatDuration(t.durationMs)}`).join(', ')}`);
  for (const t of r.tasks.filter((x) => x.status === 'failed')) {
    lines.push('', `failed: ${t.model}`, ...(t.error ?? '').split('\n').map((l) => `  ${l}`));
  }
  const notRun = r.tasks.filter((x) => x.status === 'not_run');
  if (notRun.length > 0) lines.push('', `not run (upstream failed): ${notRun.map((t) => t.model).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
