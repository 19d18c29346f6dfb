import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LazyDataFrame } from 'nodejs-polars';
import { childMain } from '../child.js';
import { copyTarget, modelOutputDir } from '../output-folder.js';
import { clinicModels } from './polars-models.js';

/**
 * The peer: nodejs-polars running the clinic example's models (polars-models.ts) with lazy
 * frames, in dependency order, each model reading the raw sources (scanParquet, scanCSV,
 * scanJson) or its own earlier outputs (scanParquet), and writing Parquet (snappy, as DuckDB
 * does) to `<outDir>/<model>/`, hive folders for partitioned models. nodejs-polars has no
 * partitioned sink, so a partitioned model is collected and written one partition at a time.
 * Timed from the first scan to the last write; loading the module happens before.
 */
export interface PolarsJob {
  readonly root: string;
  readonly outDir: string;
}

export interface PolarsResult {
  readonly wallMs: number;
  readonly version: string;
  readonly models: readonly { readonly name: string; readonly ms: number }[];
}

type Polars = typeof import('nodejs-polars').default;

export async function runPolars(job: PolarsJob): Promise<PolarsResult> {
  const mod = (await import('nodejs-polars')) as unknown as { default?: Polars } & Polars;
  const pl: Polars = mod.default ?? mod;
  rmSync(job.outDir, { recursive: true, force: true });
  const data = join(job.root, 'data');
  const models = clinicModels(pl);
  const partitioned = new Map(models.map((m) => [m.name, m.partitionBy] as const));
  const strings = { inferSchemaLength: 0 } as const;
  const date = (column: string) => pl.col(column).str.strptime(pl.Date, '%Y-%m-%d').alias(column);

  const sources: Record<string, () => LazyDataFrame> = {
    orders: () =>
      pl.scanParquet(join(data, 'orders', '**', '*.parquet'), { hivePartitioning: true, tryParseHiveDates: true }),
    appointments: () =>
      pl.scanParquet(join(data, 'appointments', '**', '*.parquet'), {
        hivePartitioning: true,
        tryParseHiveDates: true,
      }),
    patients: () => pl.scanParquet(join(data, 'patients.parquet')),
    pharmacies: () => pl.scanParquet(join(data, 'pharmacies.parquet')),
    cities: () => pl.scanJson(join(data, 'cities.json')),
    consultations: () =>
      pl
        .scanCSV(join(data, 'consultations', '**', '*.csv'), { ...strings, includeFilePaths: 'path' })
        .withColumns(
          pl
            .col('path')
            .str.extract('consultation_date=([0-9-]+)', 1)
            .str.strptime(pl.Date, '%Y-%m-%d')
            .alias('consultation_date'),
        )
        .drop('path'),
    clinics: () =>
      pl
        .scanCSV(join(data, 'clinics.csv'), strings)
        .withColumns(
          pl.col('clinic_id').cast(pl.Int64),
          pl.col('city_id').cast(pl.Int64),
          date('opened_on'),
          pl.col('rooms').cast(pl.Int32),
        ),
    doctors: () =>
      pl
        .scanCSV(join(data, 'doctors.csv'), strings)
        .withColumns(pl.col('doctor_id').cast(pl.Int64), pl.col('clinic_id').cast(pl.Int64), date('hired_on')),
    products: () =>
      pl
        .scanCSV(join(data, 'products.csv'), strings)
        .withColumns(
          pl.col('product_id').cast(pl.Int64),
          pl.col('pack_size').cast(pl.Int32),
          pl.col('unit_price').cast(pl.Float64),
          pl.col('requires_prescription').eq(pl.lit('true')).alias('requires_prescription'),
        ),
  };
  const read = (name: string): LazyDataFrame => {
    const source = sources[name];
    if (source) return source();
    if (!partitioned.has(name)) throw new Error(`polars contender: unknown input ${name}`);
    const key = partitioned.get(name);
    return key
      ? pl.scanParquet(join(modelOutputDir(job.outDir, name), '**', '*.parquet'), {
          hivePartitioning: true,
          tryParseHiveDates: true,
        })
      : pl.scanParquet(copyTarget(job.outDir, name, false));
  };

  const started = performance.now();
  const times: { name: string; ms: number }[] = [];
  for (const model of models) {
    const t = performance.now();
    const frame = model.build(pl, read);
    mkdirSync(modelOutputDir(job.outDir, model.name), { recursive: true });
    if (!model.partitionBy) {
      await frame.sinkParquet(copyTarget(job.outDir, model.name, false), { compression: 'snappy' }).collect();
    } else {
      const key = model.partitionBy;
      const df = await frame.withColumns(pl.col(key).dt.strftime('%Y-%m-%d').alias('__partition')).collect();
      for (const part of df.partitionBy('__partition', false, true)) {
        const value = String(part.getColumn('__partition').get(0));
        const dir = join(modelOutputDir(job.outDir, model.name), `${key}=${value}`);
        mkdirSync(dir, { recursive: true });
        part.drop(['__partition', key]).writeParquet(join(dir, 'part-0.parquet'), { compression: 'snappy' });
      }
    }
    times.push({ name: model.name, ms: performance.now() - t });
  }
  return {
    wallMs: performance.now() - started,
    version: String((pl as unknown as { version?: unknown }).version ?? 'unknown'),
    models: times,
  };
}

childMain(import.meta.url, runPolars);
