import { z } from 'zod';
import { SluiceError } from '../core/errors.js';
import { columnDefSchema } from './column-def.js';
import { manifestFileSchema } from './manifest-file.js';
import { parseJsonMessage } from './parse-message.js';

/** What a succeeded attempt produced: files already at their final keys, not yet published. */
export const itemOutputSchema = z
  .object({
    columns: z.array(columnDefSchema).readonly(),
    rows: z.number(),
    bytes: z.number(),
    files: z.array(manifestFileSchema).readonly(),
  })
  .readonly();
export type ItemOutput = z.infer<typeof itemOutputSchema>;

/** A succeeded item's output as the worker stored it (null: it stored none, which is an error). */
export function parseItemOutput(json: string | null, itemId: string): ItemOutput {
  if (json === null) throw new SluiceError('PROTOCOL_INVALID', `work item ${itemId} succeeded without an output`);
  return parseJsonMessage(itemOutputSchema, json, `work item ${itemId}: output`);
}
