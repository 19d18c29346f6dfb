import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { duckdbApi } from '../engine/duckdb-api.js';
import { SluiceError, errorMessage } from '../core/errors.js';
import { clinicSizes } from './clinic-sizes.js';
import { eventViewsSql } from './clinic-events-sql.js';
import { lit, referenceViewsSql } from './clinic-reference-sql.js';
import { resolveGenerateOptions, type GenerateOptions } from './generate-options.js';
import { randomMacrosSql } from './random-macros-sql.js';

export type { GenerateOptions } from './generate-options.js';

export interface DataSummary {
  /** One entry per source table, in the order written. */
  readonly tables: readonly { readonly name: string; readonly rows: number; readonly files: number }[];
  /** Total size of the files written. */
  readonly bytes: number;
}

interface Output {
  /** Source name, also the `gen_<name>` view that produces it. */
  readonly name: string;
  /** Path under `data/`: a file, or a folder for hive-partitioned outputs. */
  readonly path: string;
  readonly options: string;
  /** Hive partition column, for folders. */
  readonly partitionBy?: string;
  /** Column that orders the rows in the files, so reruns write them in the same order. */
  readonly orderBy: string;
}

/** What the generator writes, relative to `<project>/data/`; sources/*.yml declares the same paths. */
export const CLINIC_OUTPUTS: readonly Output[] = [
  { name: 'cities', path: 'cities.json', options: 'FORMAT json', orderBy: 'city_id' },
  { name: 'clinics', path: 'clinics.csv', options: 'FORMAT csv, HEADER true', orderBy: 'clinic_id' },
  { name: 'doctors', path: 'doctors.csv', options: 'FORMAT csv, HEADER true', orderBy: 'doctor_id' },
  { name: 'products', path: 'products.csv', options: 'FORMAT csv, HEADER true', orderBy: 'product_id' },
  { name: 'patients', path: 'patients.parquet', options: 'FORMAT parquet', orderBy: 'patient_id' },
  { name: 'pharmacies', path: 'pharmacies.parquet', options: 'FORMAT parquet', orderBy: 'pharmacy_id' },
  {
    name: 'consultations',
    path: 'consultations',
    options: 'FORMAT csv, HEADER true',
    partitionBy: 'consultation_date',
    orderBy: 'consultation_id',
  },
  { name: 'orders', path: 'orders', options: 'FORMAT parquet', partitionBy: 'order_date', orderBy: 'order_id' },
  {
    name: 'appointments',
    path: 'appointments',
    options: 'FORMAT parquet',
    partitionBy: 'appointment_date',
    orderBy: 'appointment_id',
  },
];

/**
 * Writes the clinic example's raw sources under `<projectDir>/data/` with one in-memory DuckDB:
 * every value comes from `hash(seed, row id, column salt)`, so a seed always yields the same
 * data. Replaces earlier outputs of the generator and leaves other files in `data/` alone.
 */
export async function generateClinicData(projectDir: string, opts: GenerateOptions): Promise<DataSummary> {
  const o = resolveGenerateOptions(opts);
  const dataDir = resolve(projectDir, 'data');
  const sizes = clinicSizes(o.scale);
  const statements = [
    ...randomMacrosSql(o.seed),
    ...referenceViewsSql(sizes, o.startDate),
    ...eventViewsSql(sizes, o.startDate, o.days),
  ];

  let instance: DuckDBInstance;
  try {
    instance = await duckdbApi.DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      ...(o.threads === undefined ? {} : { threads: String(o.threads) }),
    });
  } catch (cause) {
    throw new SluiceError('EXEC_FAILED', `cannot start DuckDB to generate ${dataDir}: ${errorMessage(cause)}`, {
      cause,
    });
  }
  const conn = await instance.connect();
  try {
    for (const sql of statements) await runOrThrow(conn, sql, 'define the generator views', dataDir);
    mkdirSync(dataDir, { recursive: true });
    const tables: { name: string; rows: number; files: number }[] = [];
    let bytes = 0;
    for (const out of CLINIC_OUTPUTS) {
      const target = join(dataDir, out.path);
      rmSync(target, { recursive: true, force: true });
      const partition = out.partitionBy ? `, PARTITION_BY (${out.partitionBy})` : '';
      const sql = `COPY (select * from gen_${out.name} order by ${out.orderBy}) TO ${lit(target)} (${out.options}${partition})`;
      const reader = await runOrThrow(conn, sql, `write ${target}`, dataDir);
      const rows = Number(reader.getRowsJS()[0]?.[0] ?? 0);
      const files = listFiles(target);
      bytes += files.reduce((sum, f) => sum + statSync(f).size, 0);
      tables.push({ name: out.name, rows, files: files.length });
    }
    return { tables, bytes };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

type Conn = Awaited<ReturnType<DuckDBInstance['connect']>>;

async function runOrThrow(conn: Conn, sql: string, what: string, dataDir: string) {
  try {
    return await conn.runAndReadAll(sql);
  } catch (cause) {
    throw new SluiceError(
      'EXEC_SQL',
      `clinic data generator could not ${what} (data folder ${dataDir}): ${errorMessage(cause)}`,
      { cause },
    );
  }
}

/** All files at `path` (a file or a folder, recursively), sorted. */
function listFiles(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((e) => listFiles(join(path, e.name)))
    .sort();
}
