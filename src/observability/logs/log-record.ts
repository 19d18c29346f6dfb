/**
 * sluice's structured log records (pino's JSON lines): pino's `level` (number), `time` (epoch
 * ms) and `msg`, plus the ids that say where a line comes from.
 */
export interface LogRecord {
  readonly level: number;
  readonly time: number;
  readonly msg: string;
  readonly component?: 'coordinator' | 'worker';
  readonly runId?: string;
  readonly model?: string;
  readonly itemId?: string;
  readonly attempt?: number;
  readonly workerId?: string;
  readonly [key: string]: unknown;
}

export const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

const SHOWN_ELSEWHERE = new Set([
  'level',
  'time',
  'msg',
  'component',
  'runId',
  'model',
  'itemId',
  'attempt',
  'workerId',
  'pid',
  'hostname',
]);

/** One line for people: time, level, component, where (model, item, attempt), message, other fields. */
export function formatLogRecord(r: LogRecord): string {
  const time = new Date(r.time).toISOString().replace('T', ' ');
  const level = (LEVEL_NAMES[r.level] ?? String(r.level)).padEnd(5);
  const item = r.itemId ? ` #${Number(r.itemId.split('/').pop())}` : '';
  const where = [
    r.model ? `${r.model}${item}` : '',
    r.attempt !== undefined ? `a${r.attempt}` : '',
    r.workerId ? `@${r.workerId}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const extra = Object.entries(r)
    .filter(([k, v]) => !SHOWN_ELSEWHERE.has(k) && v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? quoteFirstLine(v) : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} ${(r.component ?? '').padEnd(11)} ${where ? `${where}  ` : ''}${r.msg}${extra ? `  ${extra}` : ''}`;
}

/** The run a record belongs to, from `runId` or from an item id (`<runId>/<model>/<n>`). */
export function runOfRecord(r: Partial<LogRecord>): string | undefined {
  return r.runId ?? (typeof r.itemId === 'string' ? r.itemId.split('/')[0] : undefined);
}

/** A string field on one line: its first line, quoted when it has spaces. */
function quoteFirstLine(v: string): string {
  const first = v.split('\n')[0] ?? '';
  return /\s/.test(first) ? JSON.stringify(first) : first;
}
