import { existsSync, readFileSync } from 'node:fs';
import type { LogRecord } from './log-record.js';
import { runLogFile } from './logger.js';

/** A run's log records (optionally one model's), in time order; [] when it has none. */
export function readRunLog(logDir: string, runId: string, model?: string): LogRecord[] {
  const file = runLogFile(logDir, runId);
  if (!existsSync(file)) return [];
  const out: LogRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as LogRecord;
      if (model === undefined || r.model === model) out.push(r);
    } catch {
      // a torn last line (a process killed mid-write) is skipped
    }
  }
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.time - b.r.time || a.i - b.i)
    .map((x) => x.r);
}
