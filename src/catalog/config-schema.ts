import { z } from 'zod';
import type { ProjectConfig } from '../core/types.js';
import { DEFAULTS, defaultMetadataUrl } from './defaults.js';
import { identifierSchema } from './identifier.js';
import { isMemoryLimit } from './memory-size.js';

const pathSchema = z.string({ error: 'expected a path (string)' }).min(1, { error: 'must not be empty' });

/** An integer within [min, max]. */
export function intSchema(min: number, max = Number.MAX_SAFE_INTEGER): z.ZodInt {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return z.int({ error: `expected an integer ${range}` }).min(min, { error: `must be ${range}` }).max(max, { error: `must be ${range}` });
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
    .strictObject({ models: pathSchema.optional(), sources: pathSchema.optional(), state: pathSchema.optional() })
    .nullish(),
  storage: z
    .strictObject({
      /** Object store: a local folder. */
      objects: pathSchema.optional(),
      /** Metadata store URL; only `sqlite:<file>` for now. */
      metadata: z
        .string({ error: 'expected a metadata store URL such as "sqlite:.sluice/sluice.db"' })
        .regex(/^sqlite:.+/, { error: 'must be "sqlite:<file>" (the only metadata store supported for now)' })
        .optional(),
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
      /** Tasks running at once; 0 = one per core. */
      workers: intSchema(0).optional(),
    })
    .nullish(),
  defaults: z
    .strictObject({
      max_tasks_per_group: intSchema(1, 1000).optional(),
      step_concurrency: intSchema(1, 256).optional(),
      queue: identifierSchema.optional(),
    })
    .nullish(),
});

export type ConfigFile = z.output<typeof configFileSchema>;

/** Applies `DEFAULTS` to a validated `sluice.yaml`. */
export function toProjectConfig(raw: ConfigFile): ProjectConfig {
  const state = raw.paths?.state ?? DEFAULTS.paths.state;
  return {
    name: raw.name,
    paths: {
      models: raw.paths?.models ?? DEFAULTS.paths.models,
      sources: raw.paths?.sources ?? DEFAULTS.paths.sources,
      state,
    },
    storage: {
      objects: raw.storage?.objects ?? DEFAULTS.storage.objects,
      metadata: raw.storage?.metadata ?? defaultMetadataUrl(state),
    },
    execution: {
      threads: raw.execution?.threads ?? DEFAULTS.execution.threads,
      memoryLimit: raw.execution?.memory_limit ?? DEFAULTS.execution.memoryLimit,
      workers: raw.execution?.workers ?? DEFAULTS.execution.workers,
    },
    defaults: {
      maxTasksPerGroup: raw.defaults?.max_tasks_per_group ?? DEFAULTS.defaults.maxTasksPerGroup,
      stepConcurrency: raw.defaults?.step_concurrency ?? DEFAULTS.defaults.stepConcurrency,
      queue: raw.defaults?.queue ?? DEFAULTS.defaults.queue,
    },
  };
}
