/**
 * The staleness rule, one for coordinators and workers alike: something that heartbeats every
 * `heartbeatMs` and has not shown life for `STALE_HEARTBEATS` heartbeats is presumed gone. A run
 * whose coordinator is stale was abandoned (`sluice run` recovers it); a worker that is stale
 * holds no claim slot and its staging folders are garbage.
 */
export const STALE_HEARTBEATS = 3;

/** The oldest sign of life that still counts as live at `now`: anything older is stale. */
export function staleBefore(now: number, heartbeatMs: number): number {
  return now - STALE_HEARTBEATS * heartbeatMs;
}

/** Whether `lastSign` (the last heartbeat, epoch ms) is too old at `now` to count as live. */
export function isStale(lastSign: number, now: number, heartbeatMs: number): boolean {
  return lastSign < staleBefore(now, heartbeatMs);
}
