import { SluiceError } from '../core/errors.js';
import type { AttemptMetrics, RollupKey } from './metrics-store.js';

const OUTCOMES = new Set(['succeeded', 'failed', 'fenced', 'released']);
const NUMBERS = [
  'attempt',
  'startedAt',
  'endedAt',
  'queueWaitMs',
  'wallMs',
  'cpuMs',
  'peakRssBytes',
  'cpus',
  'memoryBytes',
  'bytesIn',
  'filesIn',
  'partitionsIn',
  'rowsOut',
  'bytesOut',
  'filesOut',
  'writeRequests',
  'readRequests',
] as const;
const ROLLUPS = new Set<string>(['task', 'group', 'business_unit', 'run']);

/**
 * recordAttempt's input, checked the same way by every store, as the row to write: times,
 * durations and sizes rounded to whole numbers (the stores keep integers).
 */
export function attemptRow(m: AttemptMetrics): Record<string, unknown> {
  const where = `recordAttempt: item ${m.itemId} attempt ${m.attempt}`;
  if (!OUTCOMES.has(m.outcome))
    throw new SluiceError(
      'STORE_CONFLICT',
      `${where}: outcome must be succeeded, failed, fenced or released, got ${String(m.outcome)}`,
    );
  if (!Number.isSafeInteger(m.attempt) || m.attempt < 1)
    throw new SluiceError('STORE_CONFLICT', `${where}: attempt must be an integer >= 1`);
  for (const k of NUMBERS) {
    if (!Number.isFinite(m[k]) || m[k] < 0)
      throw new SluiceError('STORE_CONFLICT', `${where}: ${k} must be a number >= 0, got ${String(m[k])}`);
  }
  const round = (v: number) => Math.round(v);
  return {
    itemId: m.itemId,
    attempt: m.attempt,
    workerId: m.workerId,
    outcome: m.outcome,
    startedAt: round(m.startedAt),
    endedAt: round(m.endedAt),
    queueWaitMs: round(m.queueWaitMs),
    wallMs: round(m.wallMs),
    cpuMs: round(m.cpuMs),
    peakRssBytes: round(m.peakRssBytes),
    cpus: m.cpus,
    memoryBytes: round(m.memoryBytes),
    rowsIn: m.rowsIn === null ? null : round(m.rowsIn),
    bytesIn: round(m.bytesIn),
    filesIn: round(m.filesIn),
    partitionsIn: round(m.partitionsIn),
    rowsOut: round(m.rowsOut),
    bytesOut: round(m.bytesOut),
    filesOut: round(m.filesOut),
    writeRequests: round(m.writeRequests),
    readRequests: round(m.readRequests),
    error: m.error,
  };
}

export function checkRollupKey(by: RollupKey): void {
  if (!ROLLUPS.has(by))
    throw new SluiceError('STORE_CONFLICT', `rollup: by must be task, group, business_unit or run, got ${String(by)}`);
}
