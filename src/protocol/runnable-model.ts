import { z } from 'zod';
import type { ModelDef } from '../core/types.js';

/** What the engine needs of a model (a work item carries exactly this, not the project). */
export const runnableModelSchema = z
  .object({
    name: z.string(),
    file: z.string(),
    sql: z.string(),
    sqlLine: z.number().int(),
    partitionBy: z.array(z.string()).readonly(),
    location: z.object({ file: z.string(), line: z.number().int() }).readonly(),
    /** The model's `timeout` (docs/adr/0014-sandbox.md); absent in specs queued before it existed: no limit. */
    timeoutMs: z.number().int().positive().optional(),
  })
  .readonly();
export type RunnableModel = z.infer<typeof runnableModelSchema>;

/** The schema describes exactly these fields of a model (a compile error if ModelDef changes them). */
type Fields = Pick<ModelDef, 'name' | 'file' | 'sql' | 'sqlLine' | 'partitionBy' | 'location'> & {
  readonly timeoutMs?: number;
};
export const sameAsModelFields: [RunnableModel, Fields] extends [Fields, RunnableModel] ? true : never = true;
