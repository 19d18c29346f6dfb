import { z } from 'zod';
import { ALERT_KINDS, type AlertsConfig, type LineageConfig } from '../core/types.js';
import { DEFAULTS } from './defaults.js';

const webhookSchema = z.strictObject({
  url: z.string({ error: 'expected a URL' }).regex(/^https?:\/\/\S+$/, { error: 'must be an http:// or https:// URL' }),
  format: z.enum(['json', 'slack'], { error: 'must be json or slack' }).optional(),
  events: z
    .array(z.enum(ALERT_KINDS, { error: `must be one of ${ALERT_KINDS.join(', ')}` }))
    .min(1, { error: 'list at least one event, or leave events out for all' })
    .optional(),
});

/** `alerts:` in sluice.yaml (and `lineage:`, the other outbound notifications). */
export const alertsSchema = z.strictObject({
  webhooks: z.array(webhookSchema).optional(),
  retries: z
    .int({ error: 'expected a whole number' })
    .min(0, { error: 'must be >= 0' })
    .max(10, { error: 'must be <= 10' })
    .optional(),
  backoff_seconds: z.number({ error: 'expected a number of seconds' }).min(0, { error: 'must be >= 0' }).optional(),
  timeout_seconds: z.number({ error: 'expected a number of seconds' }).gt(0, { error: 'must be > 0' }).optional(),
  run_sla_minutes: z.number({ error: 'expected a number of minutes' }).gt(0, { error: 'must be > 0' }).optional(),
  anomaly: z
    .strictObject({
      factor: z.number({ error: 'expected a number' }).gt(1, { error: 'must be > 1' }).optional(),
      min_runs: z.int({ error: 'expected a whole number' }).min(1, { error: 'must be >= 1' }).optional(),
    })
    .optional(),
});

export function toAlertsConfig(raw: z.output<typeof alertsSchema>): AlertsConfig {
  const d = DEFAULTS.alerts;
  return {
    webhooks: (raw.webhooks ?? []).map((w) => ({
      url: w.url,
      format: w.format ?? 'json',
      events: w.events ?? [...ALERT_KINDS],
    })),
    retries: raw.retries ?? d.retries,
    backoffMs: Math.round((raw.backoff_seconds ?? d.backoffSeconds) * 1000),
    timeoutMs: Math.round((raw.timeout_seconds ?? d.timeoutSeconds) * 1000),
    runSlaMs: raw.run_sla_minutes === undefined ? null : Math.round(raw.run_sla_minutes * 60_000),
    anomaly: { factor: raw.anomaly?.factor ?? d.anomaly.factor, minRuns: raw.anomaly?.min_runs ?? d.anomaly.minRuns },
  };
}

/** `lineage:` in sluice.yaml: OpenLineage events to an HTTP endpoint and/or a file. */
export const lineageSchema = z
  .strictObject({
    url: z
      .string({ error: 'expected a URL' })
      .regex(/^https?:\/\/\S+$/, { error: 'must be an http:// or https:// URL' })
      .optional(),
    file: z.string({ error: 'expected a path' }).min(1, { error: 'must not be empty' }).optional(),
    namespace: z.string({ error: 'expected a namespace' }).min(1, { error: 'must not be empty' }).optional(),
    timeout_seconds: z.number({ error: 'expected a number of seconds' }).gt(0, { error: 'must be > 0' }).optional(),
    retries: z
      .int({ error: 'expected a whole number' })
      .min(0, { error: 'must be >= 0' })
      .max(10, { error: 'must be <= 10' })
      .optional(),
  })
  .refine((l) => l.url !== undefined || l.file !== undefined, { error: 'give url, file or both' });

export function toLineageConfig(raw: z.output<typeof lineageSchema>, project: string): LineageConfig {
  const d = DEFAULTS.alerts;
  return {
    url: raw.url ?? null,
    file: raw.file ?? null,
    namespace: raw.namespace ?? project,
    timeoutMs: Math.round((raw.timeout_seconds ?? d.timeoutSeconds) * 1000),
    retries: raw.retries ?? d.retries,
  };
}
