import { Cron } from 'croner';
import { SluiceError } from '../core/errors.js';
import { formatZoned } from '../core/zoned-time.js';
import type { DataInterval } from '../core/types.js';

/**
 * Data intervals of a cron schedule, Airflow's way: consecutive cron ticks t0 < t1 < ... give the
 * intervals [t0, t1), [t1, t2), ...; the run for [start, end) is due once `end` has passed. Ticks
 * come from croner in the schedule's time zone, so a daily interval across a DST change is 23 or
 * 25 hours long and still runs from local midnight to local midnight. Pure: time is a parameter.
 */
export interface Interval {
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
}

export interface IntervalSpec {
  readonly cron: string;
  readonly timezone: string;
  /** No interval starts before this. */
  readonly startDate: number | null;
  /** No interval ends after this. */
  readonly endDate: number | null;
}

const crons = new Map<string, Cron>();

function cronOf(spec: IntervalSpec): Cron {
  const id = `${spec.timezone}\u0000${spec.cron}`;
  let c = crons.get(id);
  if (c === undefined) {
    try {
      c = new Cron(spec.cron, { timezone: spec.timezone, paused: true });
    } catch (err) {
      throw new SluiceError('CONFIG_INVALID', `cron "${spec.cron}" (${spec.timezone}): ${String(err)}`, { cause: err });
    }
    crons.set(id, c);
  }
  return c;
}

/** The first cron tick strictly after `t`, or null when there is none. */
export function nextTick(spec: IntervalSpec, t: number): number | null {
  const next = cronOf(spec).nextRun(new Date(t));
  return next === null ? null : next.getTime();
}

/** The first tick at or after `t`. */
function tickAtOrAfter(spec: IntervalSpec, t: number): number | null {
  return nextTick(spec, t - 1);
}

/**
 * The intervals whose end is at or before `now`, oldest first: those starting at or after
 * `after` (an interval start already handled; exclusive) or else at `startDate`, at most `limit`
 * of them (the oldest). Without `after` or `startDate`, none: a schedule with no start begins at
 * the first tick the scheduler sees (`latestDue`).
 */
export function dueIntervals(
  spec: IntervalSpec,
  now: number,
  opts: { after?: number | null; limit?: number } = {},
): Interval[] {
  const limit = opts.limit ?? 10_000;
  let start =
    opts.after !== undefined && opts.after !== null
      ? nextTick(spec, opts.after)
      : spec.startDate === null
        ? null
        : tickAtOrAfter(spec, spec.startDate);
  const out: Interval[] = [];
  while (start !== null && out.length < limit) {
    const end = nextTick(spec, start);
    if (end === null || end > now || (spec.endDate !== null && end > spec.endDate)) break;
    out.push({ start, end });
    start = end;
  }
  return out;
}

/** The latest interval whose end is at or before `now` (and within start/end dates), or null. */
export function latestDue(spec: IntervalSpec, now: number): Interval | null {
  const bound = spec.endDate === null ? now : Math.min(now, spec.endDate);
  const prev = cronOf(spec).previousRuns(2, new Date(bound + 1));
  if (prev.length < 2) return null;
  const [end, start] = prev.map((d) => d.getTime()) as [number, number];
  if (spec.startDate !== null && start < spec.startDate) return null;
  return { start, end };
}

/** The next interval to become due after `now`: its start and end (it is due at `end`), or null. */
export function nextInterval(spec: IntervalSpec, now: number): Interval | null {
  const last = latestDue(spec, now);
  const start =
    last?.end ?? (spec.startDate === null ? prevTickAtOrBefore(spec, now) : tickAtOrAfter(spec, spec.startDate));
  if (start === null) return null;
  const end = nextTick(spec, start);
  if (end === null || (spec.endDate !== null && end > spec.endDate)) return null;
  return { start, end };
}

function prevTickAtOrBefore(spec: IntervalSpec, t: number): number | null {
  const [p] = cronOf(spec).previousRuns(1, new Date(t + 1));
  return p === undefined ? null : p.getTime();
}

/** The intervals of `spec` that overlap [from, to), oldest first (for backfills and data-aware waits). */
export function intervalsBetween(spec: IntervalSpec, from: number, to: number, limit = 100_000): Interval[] {
  const out: Interval[] = [];
  let start = prevTickAtOrBefore(spec, from) ?? tickAtOrAfter(spec, from);
  while (start !== null && start < to && out.length < limit) {
    const end = nextTick(spec, start);
    if (end === null) break;
    if (end > from) out.push({ start, end });
    start = end;
  }
  return out;
}

/** An interval as a run's data interval over partition values: local dates or times in `timezone`. */
export function toDataInterval(interval: Interval, timezone: string): DataInterval {
  return { from: formatZoned(interval.start, timezone), to: formatZoned(interval.end, timezone) };
}

/** ISO 8601 (UTC) of an interval start: the stable part of an interval run's key. */
export function intervalId(interval: Interval): string {
  return new Date(interval.start).toISOString();
}
