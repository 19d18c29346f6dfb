import { z } from 'zod';

/** Which input partitions each value of an incremental model was built from. */
export const partitionFingerprintsSchema = z
  .object({
    column: z.string(),
    /** Value (`__HIVE_DEFAULT_PARTITION__` for NULL) -> fingerprint of the inputs it was built from. */
    fingerprints: z.record(z.string(), z.string()).readonly(),
  })
  .readonly();
export type PartitionFingerprints = z.infer<typeof partitionFingerprintsSchema>;

/** How the task's snapshot is to be published (docs/adr/0010-pruning-fingerprints-incremental.md). */
export const publishPlanSchema = z
  .object({
    /** Recorded in the manifest: the task's fingerprint when its output equals a whole build, else null. */
    fingerprint: z.string().nullable(),
    /**
     * Files of the current snapshot kept in the new one: none (a whole build), all (append), or
     * those whose `column` value does not satisfy `filter` (the partitions this task replaced).
     */
    carry: z.union([z.null(), z.literal('all'), z.object({ column: z.string(), filter: z.string() }).readonly()]),
    /** Recorded in the manifest: per value of the split column, the fingerprint it was built from. */
    partitions: partitionFingerprintsSchema.nullable(),
  })
  .readonly();
export type PublishPlan = z.infer<typeof publishPlanSchema>;
