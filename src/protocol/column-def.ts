import { z } from 'zod';

/** A column of a published model: name and DuckDB type. */
export const columnDefSchema = z.object({ name: z.string(), type: z.string() }).readonly();
export type ColumnDef = z.infer<typeof columnDefSchema>;
