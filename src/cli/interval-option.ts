import { InvalidArgumentError } from 'commander';
import { SluiceError } from '../core/errors.js';
import type { DataInterval } from '../core/types.js';

const DATE = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;

/**
 * `--from`/`--to` values (commander's argParser): a date (2024-01-31), a timestamp
 * (2024-01-31 06:00) or a number; anything else is a usage error naming the option.
 */
export function partitionValueOption(value: string): string {
  const v = value.trim();
  if (v !== '' && Number.isFinite(Number(v))) return v;
  const m = DATE.exec(v);
  if (m && validDate(m)) return v;
  const examples = 'a date such as 2024-01-31, a timestamp such as 2024-01-31 06:00, or a number';
  throw new InvalidArgumentError(`Expected a partition value: ${examples}.`);
}

function validDate(m: RegExpExecArray): boolean {
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const date = new Date(Date.UTC(y, mo - 1, d));
  const sameDay = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  return sameDay && h < 24 && mi < 60 && s < 60;
}

/** `--from`/`--to` as a run's data interval (`{}` when neither is given). */
export function intervalOption(opts: { from?: string; to?: string }): { interval?: DataInterval } {
  if (opts.from === undefined && opts.to === undefined) return {};
  return { interval: interval(opts.from, opts.to) };
}

export function interval(from: string | undefined, to: string | undefined): DataInterval {
  for (const [flag, v] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (v !== undefined && v.trim() === '')
      throw new SluiceError('CLI_USAGE', `${flag} needs a partition value such as 2024-01-31`);
  }
  if (
    from !== undefined &&
    to !== undefined &&
    from >= to &&
    /^\d{4}-\d\d-\d\d/.test(from) &&
    /^\d{4}-\d\d-\d\d/.test(to)
  ) {
    throw new SluiceError(
      'CLI_USAGE',
      `--from ${from} is not before --to ${to} (the interval is [from, to): --to is exclusive)`,
    );
  }
  return { ...(from !== undefined && { from }), ...(to !== undefined && { to }) };
}
