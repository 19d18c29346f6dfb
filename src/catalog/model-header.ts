import { z } from 'zod';
import { INCREMENTAL_STRATEGIES, ON_SCHEMA_CHANGE_POLICIES, TABLE_TYPES } from '../core/types.js';
import { durationSchema } from './duration.js';
import { identifierSchema } from './identifier.js';
import { isMemorySize } from './memory-size.js';
import { stripTrailingSemicolons } from './sql-scan.js';

/** `on_schema_change` (header key and sluice.yaml `defaults.on_schema_change`). */
export const onSchemaChangeSchema = z.enum(ON_SCHEMA_CHANGE_POLICIES, {
  error: `expected one of ${ON_SCHEMA_CHANGE_POLICIES.join(', ')}`,
});

/**
 * The YAML header of a model file, between `/*---` and `---*\/` at the top of the `.sql` file.
 * `type` and `business_unit` are required; unknown keys are errors.
 */
export const modelHeaderSchema = z
  .strictObject({
    /** `dimension`, `fact` or `report`. */
    type: z.enum(TABLE_TYPES, { error: `expected one of ${TABLE_TYPES.join(', ')}` }),
    business_unit: identifierSchema,
    /** Output partition columns; default none. */
    partition_by: z.array(identifierSchema, { error: 'expected a list of column names' }).optional(),
    /** Capacity queue; default: the model's type. */
    queue: identifierSchema.optional(),
    tags: z.array(identifierSchema, { error: 'expected a list of tags' }).optional(),
    description: z.string({ error: 'expected a string' }).optional(),
    /** Split into one work item per value of this partition column of the inputs. */
    split_by: identifierSchema.optional(),
    /**
     * Build only what changed: `replace` rebuilds the values of `split_by` whose input partitions
     * are new or changed and keeps the others; `append` builds only values never built before.
     */
    incremental: z
      .enum(INCREMENTAL_STRATEGIES, { error: `expected one of ${INCREMENTAL_STRATEGIES.join(', ')}` })
      .optional(),
    /** `merge` only: the column(s) identifying a row. */
    unique_key: z
      .union([identifierSchema, z.array(identifierSchema).min(1)], {
        error: 'expected a column name or a list of column names',
      })
      .optional(),
    /** How long one work item may run, e.g. `30m`; default `execution.timeout`. */
    timeout: durationSchema.optional(),
    /** What one work item of this model needs. */
    resources: z
      .strictObject({
        cpus: z.number({ error: 'expected a number of CPUs > 0' }).positive({ error: 'must be > 0' }).optional(),
        memory: z
          .string({ error: 'expected a memory size such as "2GB"' })
          .refine(isMemorySize, { error: 'must be a memory size such as "2GB" or "512MB"' })
          .optional(),
      })
      .optional(),
    /**
     * When the published columns change: `fail` (default: defaults.on_schema_change), or
     * `append_new_columns` / `sync_all_columns` (docs/adr/0015-schema-evolution.md).
     */
    on_schema_change: onSchemaChangeSchema.optional(),
  })
  .superRefine((h, ctx) => {
    if ((h.incremental === 'merge') !== (h.unique_key !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [h.unique_key !== undefined ? 'unique_key' : 'incremental'],
        message:
          h.unique_key !== undefined
            ? 'unique_key applies to incremental: merge only'
            : 'incremental: merge needs unique_key: the column(s) that identify a row',
      });
    }
    if (h.incremental === undefined) return;
    if (h.split_by === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['incremental'],
        message: `incremental: ${h.incremental} needs split_by: the partition column of the inputs whose values are built one by one`,
      });
    } else if (h.incremental === 'replace' && !(h.partition_by ?? []).includes(h.split_by)) {
      ctx.addIssue({
        code: 'custom',
        path: ['incremental'],
        message: `incremental: replace replaces output partitions: partition_by must include the split_by column ${h.split_by}`,
      });
    }
  });

export type ModelHeader = z.output<typeof modelHeaderSchema>;

export type SplitModelFile =
  | {
      readonly ok: true;
      /** The YAML between the markers. */
      readonly header: string;
      /** Line of `/*---` (1-based); the YAML starts on the next line. */
      readonly headerLine: number;
      /** The SQL body: leading blank lines, trailing whitespace and trailing `;` removed. */
      readonly sql: string;
      /** Line of the file on which `sql` starts (the closing marker's line when `sql` is empty). */
      readonly sqlLine: number;
    }
  | { readonly ok: false; readonly message: string; readonly line: number };

const OPEN = '/*---';
const CLOSE = '---*/';

/** Splits a model file into its YAML header and SQL body. Line endings are normalized to `\n`. */
export function splitModelFile(text: string): SplitModelFile {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const first = lines[i]?.trim() ?? '';
  if (first !== OPEN) {
    if (first.startsWith(OPEN)) {
      return {
        ok: false,
        line: i + 1,
        message: `the header opener '${OPEN}' must be alone on its line; put the YAML on the next lines`,
      };
    }
    return {
      ok: false,
      line: i + 1,
      message: `missing model header: the file must start with '${OPEN}', YAML keys (type, business_unit, ...), then '${CLOSE}'`,
    };
  }
  const open = i;
  let close = open + 1;
  while (close < lines.length && lines[close]!.trim() !== CLOSE) close++;
  if (close >= lines.length) {
    return {
      ok: false,
      line: open + 1,
      message: `the model header opened here is never closed with a line '${CLOSE}'`,
    };
  }
  return { ok: true, header: lines.slice(open + 1, close).join('\n'), headerLine: open + 1, ...body(lines, close + 1) };
}

function body(lines: readonly string[], from: number): { sql: string; sqlLine: number } {
  let start = from;
  while (start < lines.length && lines[start]!.trim() === '') start++;
  const sql = stripTrailingSemicolons(lines.slice(start).join('\n').trimEnd());
  // An empty body points at the closing marker's line (`from` is the 1-based line of `---*/`).
  return { sql, sqlLine: start < lines.length ? start + 1 : from };
}
