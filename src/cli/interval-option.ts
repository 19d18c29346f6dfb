import { SluiceError } from '../core/errors.js';
import type { DataInterval } from '../core/types.js';

/** `--from`/`--to` as a run's data interval (`{}` when neither is given). */
export function intervalOption(opts: { from?: string; to?: string }): { interval?: DataInterval } {
  if (opts.from === undefined && opts.to === undefined) return {};
  return { interval: interval(opts.from, opts.to) };
}

export function interval(from: string | undefined, to: string | undefined): DataInterval {
  for (const [flag, v] of [['--from', from], ['--to', to]] as const) {
    if (v !== undefined && v.trim() === '') throw new SluiceError('CLI_USAGE', `${flag} needs a partition value such as 2024-01-31`);
  }
  if (from !== undefined && to !== undefined && from >= to && /^\d{4}-\d\d-\d\d/.test(from) && /^\d{4}-\d\d-\d\d/.test(to)) {
    throw new SluiceError('CLI_USAGE', `--from ${from} is not before --to ${to} (the interval is [from, to): --to is exclusive)`);
  }
  return { ...(from !== undefined && { from }), ...(to !== undefined && { to }) };
}

