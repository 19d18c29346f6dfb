import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** At most a week: a longer timeout is a mistake, not a limit. */
const MAX_MS = 7 * 86_400_000;

/** A duration such as `90s`, `30m`, `1h` or `1.5h`, above zero and at most `7d`. */
export function isDuration(value: string): boolean {
  const ms = durationMs(value);
  return ms !== undefined && ms > 0 && ms <= MAX_MS;
}

/** `30m` -> 1800000; undefined when it is not a duration. */
export function durationMs(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!) : undefined;
}

export const DURATION_HINT = 'a duration such as "90s", "30m" or "1h" (above 0, at most 7d)';

/** A duration such as `30m` or `1h` in sluice.yaml or a model header. */
export const durationSchema = z
  .string({ error: `expected ${DURATION_HINT}` })
  .refine(isDuration, { error: `must be ${DURATION_HINT}` });
