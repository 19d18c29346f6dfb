import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { snapshotRelationSql } from '../../src/engine/relation-sql.js';
import { readCurrentSnapshot } from '../../src/snapshot/read-snapshot.js';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { query } from './duckdb-query.js';

/** Every file under `dir` (relative path -> sha256), to prove bytes did not change. */
export function fileDigests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/**
 * Row count and an order-independent content checksum of a model's current snapshot, computed
 * by DuckDB over the published files (partition columns included, from the folder names).
 */
export async function modelDigest(
  warehouse: string | ObjectStore,
  model: string,
): Promise<{ rows: number; checksum: string }> {
  const objects = typeof warehouse === 'string' ? new LocalObjectStore(warehouse) : warehouse;
  const manifest = await readCurrentSnapshot(objects, model);
  if (!manifest) throw new Error(`model ${model} has no snapshot in ${warehouse}`);
  if (manifest.files.length === 0) return { rows: 0, checksum: 'empty' };
  const paths = await objects.localPaths(manifest.files.map((f) => f.key));
  const cols = manifest.columns.map((c) => `"${c.name.replaceAll('"', '""')}"`).join(', ');
  const relation = snapshotRelationSql(paths, manifest.columns, manifest.partitionBy);
  const [row] = await query(
    `SELECT count(*) AS n, coalesce(md5(string_agg(r, '|' ORDER BY r)), 'empty') AS h FROM (SELECT CAST(ROW(${cols}) AS VARCHAR) AS r FROM (${relation}))`,
  );
  return { rows: Number(row!.n), checksum: String(row!.h) };
}
