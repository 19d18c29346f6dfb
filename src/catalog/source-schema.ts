import { z } from 'zod';
import { SOURCE_FORMATS } from '../core/types.js';

/**
 * One source declaration (raw input data sluice reads but does not build), keyed by its name
 * under `sources:` in any `*.yml`/`*.yaml` file below the sources folder.
 */
export const sourceEntrySchema = z.strictObject({
  /** `csv`, `parquet` or `json`. */
  format: z.enum(SOURCE_FORMATS, { error: `expected one of ${SOURCE_FORMATS.join(', ')}` }),
  /** A file, a glob or a folder; relative to the project root (inside it) or absolute. */
  path: z.string({ error: 'expected a path (string)' }).min(1, { error: 'must not be empty' }),
  /** Read `key=value/` folders as columns; default false. */
  hive_partitioning: z.boolean({ error: 'expected true or false' }).optional(),
  description: z.string({ error: 'expected a string' }).optional(),
  /** Optional contract: column name -> DuckDB type. Names are checked separately (identifiers). */
  columns: z
    .record(
      z.string(),
      z.string({ error: 'expected a DuckDB type name (string)' }).min(1, { error: 'must not be empty' }),
      {
        error: 'expected a map of column name -> DuckDB type',
      },
    )
    .optional(),
  /** CSV only. */
  delimiter: z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }).optional(),
  /** CSV only; default true. */
  header: z.boolean({ error: 'expected true or false' }).optional(),
});

export type SourceEntry = z.output<typeof sourceEntrySchema>;

/** A sources file: `sources:` mapping source names to declarations (an empty file declares none). */
export const sourceFileSchema = z.strictObject({
  sources: z.record(z.string(), z.unknown(), { error: 'expected a map of source name -> declaration' }).nullable(),
});
