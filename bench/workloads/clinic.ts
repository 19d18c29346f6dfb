import { DuckDBInstance } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadProject } from '../../src/catalog/load-project.js';
import { sourceRelationSql } from '../../src/engine/relation-sql.js';
import { quoteIdent, quoteLiteral } from '../../src/engine/sql-quote.js';
import { clinicExampleDir, initExample } from '../../src/example/init-example.js';

/** A size of the clinic example (`sluice init --days --scale`), always with seed 42. */
export interface ClinicSize {
  readonly days: number;
  readonly scale: number;
}

export const CLINIC_SEED = 42;
/** The quick suite must finish in under 5 minutes on a 2-core machine, three runs of everything. */
export const QUICK_CLINIC: readonly ClinicSize[] = [
  { days: 30, scale: 1 },
  { days: 60, scale: 1 },
];
/** About 20 minutes with five runs; bigger sizes with --sizes (365x3 takes minutes per run). */
export const FULL_CLINIC: readonly ClinicSize[] = [
  { days: 30, scale: 1 },
  { days: 90, scale: 2 },
  { days: 365, scale: 1 },
];

/** `30x1,365x3` -> sizes; throws on anything else. */
export function parseSizes(text: string): ClinicSize[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+)x(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new Error(`--sizes: '${part}' is not DAYSxSCALE (e.g. 365x3)`);
    return { days: Number(m[1]), scale: Number(m[2]) };
  });
}

export function clinicLabel(size: ClinicSize): string {
  return `clinic ${size.days}d x${size.scale}`;
}

/** A raw source converted to one CSV file, with the column types it had (for the naive contender). */
export interface CsvSource {
  readonly name: string;
  readonly path: string;
  /** Column name -> DuckDB type, in file order. */
  readonly columns: Readonly<Record<string, string>>;
}

export interface ClinicWorkload {
  readonly size: ClinicSize;
  readonly label: string;
  /** The generated project (raw data in data/). */
  readonly root: string;
  /** Rows over all raw sources. */
  readonly rawRows: number;
  readonly rawBytes: number;
  /** The raw sources as CSV, written outside any timing. */
  readonly csv: readonly CsvSource[];
}

/**
 * Generates the clinic project of `size` under `workDir` and converts its raw sources to CSV for
 * the naive contender. A project left there by an earlier bench run is reused when it was made
 * from the same example files (models, sources, generator) with the same options.
 */
export async function prepareClinic(workDir: string, size: ClinicSize): Promise<ClinicWorkload> {
  const root = join(workDir, `clinic-d${size.days}-s${size.scale}`);
  const marker = join(root, '.bench-ready.json');
  const fingerprint = exampleFingerprint(size);
  let ready = readMarker(marker);
  if (ready?.fingerprint !== fingerprint) {
    rmSync(root, { recursive: true, force: true });
    const summary = await initExample(root, { days: size.days, scale: size.scale, seed: CLINIC_SEED });
    const csv = await writeCsvSources(root, join(root, 'csv'));
    const rawRows = summary.data.tables.reduce((s, t) => s + t.rows, 0);
    ready = { fingerprint, rawRows, rawBytes: summary.data.bytes, csv };
    writeFileSync(marker, JSON.stringify(ready));
  }
  return { size, label: clinicLabel(size), root, rawRows: ready.rawRows, rawBytes: ready.rawBytes, csv: ready.csv };
}

interface Marker {
  readonly fingerprint: string;
  readonly rawRows: number;
  readonly rawBytes: number;
  readonly csv: CsvSource[];
}

function readMarker(path: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** A hash of the example's project files and the generator's source, with the options. */
function exampleFingerprint(size: ClinicSize): string {
  const hash = createHash('sha256').update(JSON.stringify({ ...size, seed: CLINIC_SEED }));
  const generator = new URL('../../src/example/', import.meta.url).pathname;
  for (const dir of [clinicExampleDir(), generator]) {
    const files = (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
      .filter((f) => !f.startsWith('data') && !f.startsWith('.sluice') && !f.endsWith('.test.ts'))
      .sort();
    for (const f of files) {
      const path = join(dir, f);
      try {
        hash.update(relative(dir, path)).update(readFileSync(path));
      } catch {
        // A folder.
      }
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Writes every source of the project as `<csvDir>/<source>.csv` (header, comma) and records its types. */
export async function writeCsvSources(root: string, csvDir: string): Promise<CsvSource[]> {
  const project = await loadProject(root);
  mkdirSync(csvDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  const out: CsvSource[] = [];
  try {
    for (const source of project.sources.values()) {
      const relation = sourceRelationSql(project.root, source);
      const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
      const columns = Object.fromEntries(
        described.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)] as const),
      );
      const path = join(csvDir, `${source.name}.csv`);
      const projection = Object.keys(columns).map(quoteIdent).join(', ');
      await conn.run(`COPY (SELECT ${projection} FROM ${relation}) TO ${quoteLiteral(path)} (FORMAT csv, HEADER true)`);
      out.push({ name: source.name, path, columns });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return out;
}
