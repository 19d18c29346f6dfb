import { join } from 'node:path';
import { catalogKey } from '../../src/snapshot/reader-catalog.js';
import { query } from './duckdb-query.js';

/**
 * Query a published model the documented way (docs/guide.md "Where data goes"): ATTACH its
 * catalog read-only and call its macro. `{model}` in `sql` stands for the model's rows.
 */
export async function catalogQuery(warehouse: string, model: string, sql: string): Promise<Record<string, unknown>[]> {
  const file = join(warehouse, ...catalogKey(model).split('/')).replaceAll("'", "''");
  const rows = `sluice_read."${model.replaceAll('"', '""')}"()`;
  return query(`ATTACH '${file}' AS sluice_read (READ_ONLY); ${sql.replaceAll('{model}', rows)}`);
}
