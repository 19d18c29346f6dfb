/**
 * Wall-clock times in an IANA time zone, with the platform's Intl data (no library): parse a
 * local date or date-time to epoch milliseconds, and format epoch milliseconds as local time.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when `timezone` is a time zone Intl knows (e.g. `Europe/Paris`, `UTC`). */
export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The local wall time of `epochMs` in `timezone`. */
export function wallTime(epochMs: number, timezone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The offset of `timezone` from UTC at `epochMs`, in ms (Paris in winter: +3600000). */
function offsetMs(epochMs: number, timezone: string): number {
  const w = wallTime(epochMs, timezone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Epoch ms of a local wall time in `timezone` (a time skipped by a DST change maps to the later offset). */
export function zonedToEpoch(w: WallTime, timezone: string): number {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const first = guess - offsetMs(guess, timezone);
  const second = guess - offsetMs(first, timezone);
  return second;
}

const LOCAL = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?$/;

/** `2024-01-31` or `2024-01-31 06:00` in `timezone` (or an ISO instant with Z/offset) → epoch ms; undefined if not one. */
export function parseZoned(value: string, timezone: string): number | undefined {
  const v = value.trim();
  const m = LOCAL.exec(v);
  if (m === null) {
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(v)) return undefined;
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const w = { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second! };
  const check = new Date(Date.UTC(w.year, w.month - 1, w.day));
  if (check.getUTCMonth() !== w.month - 1 || check.getUTCDate() !== w.day || w.hour > 23 || w.minute > 59) {
    return undefined;
  }
  return zonedToEpoch(w, timezone);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2024-01-31` at local midnight, else `2024-01-31 06:00` (`:SS` when not whole minutes): a partition value. */
export function formatZoned(epochMs: number, timezone: string): string {
  const w = wallTime(epochMs, timezone);
  const date = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
  if (w.hour === 0 && w.minute === 0 && w.second === 0) return date;
  return `${date} ${pad(w.hour)}:${pad(w.minute)}${w.second === 0 ? '' : `:${pad(w.second)}`}`;
}
