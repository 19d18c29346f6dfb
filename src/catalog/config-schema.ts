import { z } from 'zod';
import type { ProjectConfig, S3StorageConfig } from '../core/types.js';
import { DEFAULTS, defaultMetadataUrl } from './defaults.js';
import { identifierSchema } from './identifier.js';
import { durationMs, durationSchema } from './duration.js';
import { onSchemaChangeSchema } from './model-header.js';
import { isMemoryLimit, isMemorySize } from './memory-size.js';
import { alertsSchema, lineageSchema, toAlertsConfig, toLineageConfig } from './alerts-schema.js';
import { deadlinesSchema, scheduleDefaultsSchema, schedulesSchema, toScheduleConfig } from './schedule-schema.js';
import { budgetsSchema, costSchema, toBudgets, toPriceCatalogue } from './cost-schema.js';

const pathSchema = z.string({ error: 'expected a path (string)' }).min(1, { error: 'must not be empty' });

/** An integer within [min, max]. */
export function intSchema(min: number, max = Number.MAX_SAFE_INTEGER): z.ZodInt {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return z
    .int({ error: `expected an integer ${range}` })
    .min(min, { error: `must be ${range}` })
    .max(max, { error: `must be ${range}` });
}

/**
 * `sluice.yaml`, the project settings at the project root. Only `name` is required; every other
 * key has a default in `DEFAULTS`; unknown keys at any level are errors.
 */
export const configFileSchema = z.strictObject({
  /** Project name: a lowercase letter, then lowercase letters, digits, `_` or `-`. */
  name: z
    .string({ error: 'expected a project name (string)' })
    .regex(/^[a-z][a-z0-9_-]*$/, { error: 'must start with a lowercase letter and contain only a-z, 0-9, _ and -' }),
  /** Folders, relative to the project root or absolute. */
  paths: z
    .strictObject({
      models: pathSchema.optional(),
      sources: pathSchema.optional(),
      state: pathSchema.optional(),
      /** Folders outside the project that sources may read (docs/adr/0014-sandbox.md). */
      allowed_roots: z.array(pathSchema, { error: 'expected a list of folders' }).optional(),
    })
    .nullish(),
  storage: z
    .strictObject({
      /** Object store: a local folder, a file:// URI or s3://bucket/prefix. */
      objects: pathSchema.optional(),
      /** Metadata store URL: `sqlite:<file>` or `postgres://user@host:5432/database?schema=name`. */
      metadata: z
        .string({ error: 'expected a metadata store URL such as "sqlite:.sluice/sluice.db"' })
        .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)/i, {
          error: 'must be "sqlite:<file>" or "postgres://user@host:5432/database"',
        })
        .optional(),
      /** fsync files and folders when publishing (default true). */
      durable: z.boolean({ error: 'expected true or false' }).optional(),
      /** For an s3:// object store; credentials only ever come from the environment. */
      s3: z
        .strictObject({
          endpoint: z
            .string({ error: 'expected an endpoint URL such as "http://127.0.0.1:9000"' })
            .refine(isHttpUrl, { error: 'must be an http:// or https:// URL without credentials' })
            .optional(),
          region: z
            .string({ error: 'expected a region such as "eu-west-1"' })
            .min(1, { error: 'must not be empty' })
            .optional(),
          force_path_style: z.boolean({ error: 'expected true or false' }).optional(),
          /** Downloaded copies for DuckDB; relative to the project root or absolute. */
          cache_dir: pathSchema.optional(),
          cache_max_bytes: intSchema(0).optional(),
        })
        .nullish(),
    })
    .nullish(),
  execution: z
    .strictObject({
      /** DuckDB threads per worker; 0 = one per core. */
      threads: intSchema(0).optional(),
      /** `NN%` of RAM (1-95) or a DuckDB size like `4GB`. */
      memory_limit: z
        .string({ error: 'expected a memory limit such as "60%" or "4GB"' })
        .refine(isMemoryLimit, { error: 'must be a share of RAM from 1% to 95% or a size such as "4GB" or "512MB"' })
        .optional(),
      /** Worker processes `sluice run` starts; 0 = one per core. */
      workers: intSchema(0).optional(),
      /** A work item's lease, in seconds; heartbeats renew it. */
      lease_seconds: z
        .number({ error: 'expected a number of seconds' })
        .min(0.5, { error: 'must be >= 0.5' })
        .max(43200, { error: 'must be <= 43200' })
        .optional(),
      heartbeat_seconds: z
        .number({ error: 'expected a number of seconds' })
        .min(0.1, { error: 'must be >= 0.1' })
        .optional(),
      max_items_per_task: intSchema(1, 100000).optional(),
      /** Input bytes a split task's work item aims at, e.g. `64MB`; 0 = one item per partition value. */
      target_item_size: z
        .union([z.literal(0), z.string().refine(isMemorySize)], {
          error: 'expected a size such as "64MB", or 0 (one work item per partition value)',
        })
        .optional(),
      /**
       * An input at most this big is read whole by every work item of a model that joins it with
       * a bigger one (broadcast); bigger inputs are split, or shuffled by the join key. 0: never split.
       */
      broadcast_threshold: z
        .union([z.literal(0), z.string().refine(isMemorySize)], {
          error: 'expected a size such as "64MB", or 0 (never split a model that has no split_by)',
        })
        .optional(),
      retries: z.strictObject({ code: intSchema(1, 100).optional(), infra: intSchema(1, 100).optional() }).nullish(),
      backoff_seconds: z.number({ error: 'expected a number of seconds' }).min(0, { error: 'must be >= 0' }).optional(),
      max_backoff_seconds: z
        .number({ error: 'expected a number of seconds' })
        .min(0, { error: 'must be >= 0' })
        .optional(),
      /** A work item running longer is interrupted and fails; models override it with `timeout`. */
      timeout: durationSchema.optional(),
    })
    .refine(
      (e) =>
        e.heartbeat_seconds === undefined || e.heartbeat_seconds < (e.lease_seconds ?? DEFAULTS.execution.leaseSeconds),
      {
        error: 'heartbeat_seconds must be shorter than lease_seconds',
      },
    )
    .nullish(),
  /** Capacity-share queues: name -> { share, max_share } in percent; shares sum to 100. */
  queues: z
    .record(
      identifierSchema,
      z.strictObject({
        share: z
          .number({ error: 'expected a share in percent' })
          .gt(0, { error: 'must be > 0' })
          .max(100, { error: 'must be <= 100' }),
        max_share: z
          .number({ error: 'expected a share in percent' })
          .gt(0, { error: 'must be > 0' })
          .max(100, { error: 'must be <= 100' })
          .optional(),
      }),
    )
    .refine((q) => Math.abs(Object.values(q).reduce((sum, x) => sum + x.share, 0) - 100) < 1e-9, {
      error: 'queue shares must add up to 100',
    })
    .refine((q) => Object.values(q).every((x) => x.max_share === undefined || x.max_share >= x.share), {
      error: 'a queue max_share must be at least its share',
    })
    .nullish(),
  defaults: z
    .strictObject({
      max_tasks_per_group: intSchema(1, 1000).optional(),
      step_concurrency: intSchema(1, 256).optional(),
      queue: identifierSchema.optional(),
      /** Default of the model header key `on_schema_change`. */
      on_schema_change: onSchemaChangeSchema.optional(),
      /** Settings every entry of `schedules:` inherits. */
      schedule: scheduleDefaultsSchema.nullish(),
    })
    .nullish(),
  /** When groups run: cron, time zone, data intervals, catch-up, retries, deadline (docs/guide.md#schedules). */
  schedules: schedulesSchema.nullish(),
  /** Deadlines per group or model name, after the interval end, e.g. `fct_orders: 6h`. */
  deadlines: deadlinesSchema.nullish(),
  /** The price catalogue (defaults: DEFAULTS.cost). */
  cost: costSchema.nullish(),
  /** Cost budgets: per run, and per group by name. */
  budgets: budgetsSchema.nullish(),
  /** Alerts to webhooks. */
  alerts: alertsSchema.nullish(),
  /** OpenLineage events per task. */
  lineage: lineageSchema.nullish(),
});

export type ConfigFile = z.output<typeof configFileSchema>;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/** Applies `DEFAULTS` to a validated `sluice.yaml`. */
export function toProjectConfig(raw: ConfigFile): ProjectConfig {
  const state = raw.paths?.state ?? DEFAULTS.paths.state;
  return {
    name: raw.name,
    paths: {
      models: raw.paths?.models ?? DEFAULTS.paths.models,
      sources: raw.paths?.sources ?? DEFAULTS.paths.sources,
      state,
      allowedRoots: raw.paths?.allowed_roots ?? [...DEFAULTS.paths.allowedRoots],
    },
    storage: {
      objects: raw.storage?.objects ?? DEFAULTS.storage.objects,
      metadata: raw.storage?.metadata ?? defaultMetadataUrl(state),
      durable: raw.storage?.durable ?? true,
      ...(raw.storage?.s3 ? { s3: s3Settings(raw.storage.s3) } : {}),
    },
    execution: {
      threads: raw.execution?.threads ?? DEFAULTS.execution.threads,
      memoryLimit: raw.execution?.memory_limit ?? DEFAULTS.execution.memoryLimit,
      workers: raw.execution?.workers ?? DEFAULTS.execution.workers,
      leaseMs: Math.round((raw.execution?.lease_seconds ?? DEFAULTS.execution.leaseSeconds) * 1000),
      heartbeatMs: Math.round(
        (raw.execution?.heartbeat_seconds ??
          Math.min(
            DEFAULTS.execution.heartbeatSeconds,
            (raw.execution?.lease_seconds ?? DEFAULTS.execution.leaseSeconds) / 3,
          )) * 1000,
      ),
      maxItemsPerTask: raw.execution?.max_items_per_task ?? DEFAULTS.execution.maxItemsPerTask,
      targetItemBytes: sizeBytes(raw.execution?.target_item_size ?? DEFAULTS.execution.targetItemSize),
      broadcastBytes: sizeBytes(raw.execution?.broadcast_threshold ?? DEFAULTS.execution.broadcastThreshold),
      timeoutMs: durationMs(raw.execution?.timeout ?? DEFAULTS.execution.timeout)!,
      retry: {
        codeAttempts: raw.execution?.retries?.code ?? DEFAULTS.execution.retries.code,
        infraAttempts: raw.execution?.retries?.infra ?? DEFAULTS.execution.retries.infra,
        backoffMs: Math.round((raw.execution?.backoff_seconds ?? DEFAULTS.execution.backoffSeconds) * 1000),
        maxBackoffMs: Math.round((raw.execution?.max_backoff_seconds ?? DEFAULTS.execution.maxBackoffSeconds) * 1000),
      },
    },
    queues: Object.entries(
      raw.queues ??
        Object.fromEntries(
          Object.entries(DEFAULTS.queues).map(([k, v]) => [k, { share: v.share, max_share: v.maxShare }]),
        ),
    )
      .map(([name, q]) => ({ name, share: q.share, maxShare: q.max_share ?? 100 }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    defaults: {
      maxTasksPerGroup: raw.defaults?.max_tasks_per_group ?? DEFAULTS.defaults.maxTasksPerGroup,
      stepConcurrency: raw.defaults?.step_concurrency ?? DEFAULTS.defaults.stepConcurrency,
      queue: raw.defaults?.queue ?? DEFAULTS.defaults.queue,
      onSchemaChange: raw.defaults?.on_schema_change ?? DEFAULTS.defaults.onSchemaChange,
    },
    // Absent unless configured (ProjectConfig: absent means the defaults), so configs stay comparable.
    ...(raw.cost && { cost: toPriceCatalogue(raw.cost) }),
    ...(raw.budgets && { budgets: toBudgets(raw.budgets) }),
    ...(raw.alerts && { alerts: toAlertsConfig(raw.alerts) }),
    ...(raw.lineage && { lineage: toLineageConfig(raw.lineage, raw.name) }),
    ...(raw.schedules && { schedules: raw.schedules.map((s) => toScheduleConfig(s, raw.defaults?.schedule)) }),
    ...(raw.deadlines && {
      deadlines: Object.fromEntries(Object.entries(raw.deadlines).map(([k, v]) => [k, durationMs(v)!])),
    }),
  };
}

/** `storage.s3` without unset keys (defaults are applied where the store is opened). */
function s3Settings(raw: NonNullable<NonNullable<ConfigFile['storage']>['s3']>): S3StorageConfig {
  return {
    ...(raw.endpoint === undefined ? {} : { endpoint: raw.endpoint }),
    ...(raw.region === undefined ? {} : { region: raw.region }),
    ...(raw.force_path_style === undefined ? {} : { forcePathStyle: raw.force_path_style }),
    ...(raw.cache_dir === undefined ? {} : { cacheDir: raw.cache_dir }),
    ...(raw.cache_max_bytes === undefined ? {} : { cacheMaxBytes: raw.cache_max_bytes }),
  };
}

/** `64MB` -> bytes (KB = 1000, KiB = 1024, as DuckDB); 0 stays 0. */
function sizeBytes(v: string | 0): number {
  if (v === 0) return 0;
  const units: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 2 ** 10,
    mib: 2 ** 20,
    gib: 2 ** 30,
    tib: 2 ** 40,
  };
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(v.trim())!;
  return Math.round(Number(m[1]) * units[m[2]!.toLowerCase()]!);
}
