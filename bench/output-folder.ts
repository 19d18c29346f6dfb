import { join } from 'node:path';
import { quoteLiteral } from '../src/engine/sql-quote.js';

/**
 * Where a contender other than sluice writes a model: `<outDir>/<model>/`, hive folders below
 * it when the model is partitioned, else one `part-0.parquet`. Sluice itself writes through its
 * object store and is read through its manifests.
 */
export function modelOutputDir(outDir: string, model: string): string {
  return join(outDir, model);
}

/** The COPY target for a model: the folder when partitioned, else a single file in it. */
export function copyTarget(outDir: string, model: string, partitioned: boolean): string {
  return partitioned ? modelOutputDir(outDir, model) : join(modelOutputDir(outDir, model), 'part-0.parquet');
}

/** A DuckDB table expression over a model's output folder (partition columns from the folder names). */
export function folderRelationSql(outDir: string, model: string, partitioned: boolean): string {
  if (!partitioned) return `read_parquet(${quoteLiteral(copyTarget(outDir, model, false))})`;
  return `read_parquet(${quoteLiteral(join(modelOutputDir(outDir, model), '**', '*.parquet'))}, hive_partitioning = true)`;
}
