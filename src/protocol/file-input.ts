import { z } from 'zod';
import { SOURCE_FORMATS } from '../core/types.js';

/** Files to read as one relation: a source's files (all, or one partition's). */
export const fileInputSchema = z
  .object({
    format: z.enum(SOURCE_FORMATS),
    /** Absolute paths or globs. */
    paths: z.array(z.string()).readonly(),
    hivePartitioning: z.boolean(),
    delimiter: z.string().optional(),
    header: z.boolean().optional(),
    columns: z.record(z.string(), z.string()).readonly().optional(),
  })
  .readonly();
export type FileInput = z.infer<typeof fileInputSchema>;
