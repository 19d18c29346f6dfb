import type { AttemptMetricsRecord } from '../store/metrics-store.js';

/**
 * Data skew of a task: its largest work item ÷ the median item, by rows and by time. 1 means
 * even; 10 means one item had ten times the typical work (and the task waited for it). Null
 * when the task has no measured items or its median is 0.
 */
export interface Skew {
  readonly byRows: number | null;
  readonly byTime: number | null;
}

export function largestOverMedian(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  if (median <= 0) return null;
  return sorted[sorted.length - 1]! / median;
}

/**
 * Per item, its final attempt (the succeeded one, else the latest); rows are rows read when
 * every item knows them (Parquet inputs), else rows written.
 */
export function taskSkew(attempts: readonly AttemptMetricsRecord[]): Skew {
  const final = new Map<string, AttemptMetricsRecord>();
  for (const a of attempts) {
    const seen = final.get(a.itemId);
    if (!seen || (seen.outcome !== 'succeeded' && (a.outcome === 'succeeded' || a.attempt > seen.attempt)))
      final.set(a.itemId, a);
  }
  const items = [...final.values()];
  const rowsKnown = items.every((a) => a.rowsIn !== null);
  return {
    byRows: largestOverMedian(items.map((a) => (rowsKnown ? a.rowsIn! : a.rowsOut))),
    byTime: largestOverMedian(items.map((a) => a.wallMs)),
  };
}
