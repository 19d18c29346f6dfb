import { SluiceError } from '../core/errors.js';

/** Options of the clinic data generator, as a caller passes them. */
export interface GenerateOptions {
  /** Number of daily partitions to generate (1..3650). */
  readonly days: number;
  /** Multiplies entity counts and daily volumes linearly (> 0, at most 1000). */
  readonly scale: number;
  /** Integer seed; the same seed always generates the same data. */
  readonly seed: number;
  /** First day, `YYYY-MM-DD` (default 2024-01-01). */
  readonly startDate?: string;
  /** DuckDB threads for the generator (default: one per core). The data does not depend on it. */
  readonly threads?: number;
}

/** Validated, complete generator options. */
export interface ResolvedGenerateOptions {
  readonly days: number;
  readonly scale: number;
  readonly seed: number;
  readonly startDate: string;
  readonly threads: number | undefined;
}

export const GENERATE_DEFAULTS = Object.freeze({ days: 30, scale: 1, seed: 42, startDate: '2024-01-01' });

export const MAX_DAYS = 3650;
export const MAX_SCALE = 1000;

/** Checks generator options and fills in the start date; throws SluiceError('CLI_USAGE') naming the option. */
export function resolveGenerateOptions(opts: GenerateOptions): ResolvedGenerateOptions {
  const { days, scale, seed } = opts;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw usage(`option "days" must be an integer from 1 to ${MAX_DAYS}, got ${show(days)}`);
  }
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) {
    throw usage(`option "scale" must be a number greater than 0 and at most ${MAX_SCALE}, got ${show(scale)}`);
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw usage(`option "seed" must be an integer, got ${show(seed)}`);
  }
  const startDate = opts.startDate ?? GENERATE_DEFAULTS.startDate;
  if (!isIsoDate(startDate)) {
    throw usage(`option "startDate" must be a calendar date written YYYY-MM-DD, got ${show(startDate)}`);
  }
  const threads = opts.threads;
  if (
    threads !== undefined &&
    (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 1024)
  ) {
    throw usage(`option "threads" must be an integer from 1 to 1024, got ${show(threads)}`);
  }
  return Object.freeze({ days, scale, seed, startDate, threads });
}

function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && d.getUTCFullYear() >= 1900;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function usage(message: string): SluiceError {
  return new SluiceError('CLI_USAGE', message);
}
