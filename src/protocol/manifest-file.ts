import { z } from 'zod';

/** A data file of a snapshot, as a manifest and a work item's output list it. */
export const manifestFileSchema = z
  .object({
    key: z.string(),
    rows: z.number(),
    bytes: z.number(),
    /** Partition values decoded from the hive folders (null for NULL). */
    partition: z.record(z.string(), z.string().nullable()).readonly(),
  })
  .readonly();
export type ManifestFile = z.infer<typeof manifestFileSchema>;
