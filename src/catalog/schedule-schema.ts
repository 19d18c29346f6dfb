import { Cron } from 'croner';
import { z } from 'zod';
import type { ScheduleConfig } from '../core/types.js';
import { isTimeZone, parseZoned } from '../core/zoned-time.js';
import { DEFAULTS } from './defaults.js';
import { durationMs, durationSchema } from './duration.js';
import { identifierSchema } from './identifier.js';

/** A cron expression croner accepts (5 or 6 fields, or `@daily`, `@hourly`, `@weekly`, ...). */
function isCron(value: string): boolean {
  try {
    new Cron(value, { paused: true });
    return true;
  } catch {
    return false;
  }
}

const dateSchema = z.union(
  [
    z.string().refine((v) => parseZoned(v, 'UTC') !== undefined),
    z.date().transform((d) => d.toISOString().replace(/T00:00:00\.000Z$/, '')),
  ],
  { error: 'expected a date such as 2024-01-31 or a time such as "2024-01-31 06:00" (in the schedule time zone)' },
);

/** Keys a schedule shares with `defaults.schedule`. */
const scheduleSettings = {
  timezone: z
    .string({ error: 'expected an IANA time zone such as "Europe/Paris" or "UTC"' })
    .refine(isTimeZone, { error: 'is not a time zone this platform knows (e.g. "Europe/Paris", "UTC")' })
    .optional(),
  catchup: z.boolean({ error: 'expected true or false' }).optional(),
  max_active_runs: z
    .int({ error: 'expected an integer from 1 to 1000' })
    .min(1, { error: 'must be from 1 to 1000' })
    .max(1000, { error: 'must be from 1 to 1000' })
    .optional(),
  priority: z.int({ error: 'expected an integer' }).min(-1000).max(1000).optional(),
  execution_timeout: durationSchema.optional(),
  retries: z
    .strictObject({
      code: z.int({ error: 'expected an integer from 0 to 100' }).min(0).max(100).optional(),
      infra: z.int({ error: 'expected an integer from 0 to 100' }).min(0).max(100).optional(),
    })
    .nullish(),
  retry_backoff: durationSchema.optional(),
  max_retry_backoff: durationSchema.optional(),
  deadline: durationSchema.optional(),
};

/** `defaults.schedule`: settings every schedule inherits. */
export const scheduleDefaultsSchema = z.strictObject(scheduleSettings);

/** One entry of `schedules:`. */
export const scheduleSchema = z
  .strictObject({
    name: identifierSchema,
    /** Group names, as `sluice plan` lists them. */
    groups: z
      .array(z.string({ error: 'expected a group name' }).min(1), { error: 'expected a list of groups' })
      .optional(),
    /** Model selectors, as `sluice run --select`. */
    select: z
      .array(z.string({ error: 'expected a selector' }).min(1), { error: 'expected a list of selectors' })
      .optional(),
    cron: z
      .string({ error: 'expected a cron expression such as "0 6 * * *" or "@daily"' })
      .refine(isCron, { error: 'is not a cron expression (e.g. "0 6 * * *", "@hourly", "@weekly")' }),
    start_date: dateSchema.optional(),
    end_date: dateSchema.optional(),
    ...scheduleSettings,
  })
  .refine((s) => (s.groups?.length ?? 0) + (s.select?.length ?? 0) > 0, {
    error: 'a schedule needs groups or select (or both)',
  });

export const schedulesSchema = z
  .array(scheduleSchema, { error: 'expected a list of schedules' })
  .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
    error: 'schedule names must be unique',
  });

/** `deadlines:`: group or model name -> duration after the interval end. */
export const deadlinesSchema = z.record(z.string().min(1), durationSchema);

type RawSchedule = z.output<typeof scheduleSchema>;
type RawDefaults = z.output<typeof scheduleDefaultsSchema>;

/** A validated `schedules:` entry with `defaults.schedule` and DEFAULTS.schedule applied. */
export function toScheduleConfig(raw: RawSchedule, defaults: RawDefaults | null | undefined): ScheduleConfig {
  const d = DEFAULTS.schedule;
  const pick = <K extends keyof RawDefaults>(key: K): RawDefaults[K] => raw[key] ?? defaults?.[key];
  const timezone = pick('timezone') ?? d.timezone;
  const ms = (v: string | undefined): number | null => (v === undefined ? null : durationMs(v)!);
  return {
    name: raw.name,
    groups: raw.groups ?? [],
    select: raw.select ?? [],
    cron: raw.cron,
    timezone,
    startDate: raw.start_date === undefined ? null : parseZoned(raw.start_date, timezone)!,
    endDate: raw.end_date === undefined ? null : parseZoned(raw.end_date, timezone)!,
    catchup: pick('catchup') ?? d.catchup,
    maxActiveRuns: pick('max_active_runs') ?? d.maxActiveRuns,
    priority: pick('priority') ?? d.priority,
    executionTimeoutMs: ms(pick('execution_timeout')),
    retry: {
      code: raw.retries?.code ?? defaults?.retries?.code ?? d.retries.code,
      infra: raw.retries?.infra ?? defaults?.retries?.infra ?? d.retries.infra,
      backoffMs: durationMs(pick('retry_backoff') ?? d.retryBackoff)!,
      maxBackoffMs: durationMs(pick('max_retry_backoff') ?? d.maxRetryBackoff)!,
    },
    deadlineMs: ms(pick('deadline')),
  };
}
