import { SluiceError } from '../core/errors.js';
import type { ColumnDef } from '../protocol/column-def.js';
import type { ManifestFile } from '../protocol/manifest-file.js';
import type { PartitionFingerprints } from '../protocol/publish-plan.js';

/**
 * A snapshot manifest: the published state of a model. The model IS its current manifest:
 * readers read exactly the files it lists, so they never see a half-written model
 * (docs/adr/0001-atomic-publish.md). Versioned JSON; fields are only added within a version.
 */
export const MANIFEST_SCHEMA = 'sluice.manifest/v1';

export interface Manifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly model: string;
  readonly snapshot: number;
  readonly runId: string;
  readonly createdAt: string;
  readonly partitionBy: readonly string[];
  readonly columns: readonly ColumnDef[];
  readonly rows: number;
  readonly bytes: number;
  readonly files: readonly ManifestFile[];
  /**
   * Fingerprint of the model and inputs this snapshot was built from (optimizer/fingerprint.ts),
   * when one build produced all of it; absent or null otherwise (then the next run rebuilds).
   * Added in issue 5; older manifests have none.
   */
  readonly fingerprint?: string | null;
  /** Incremental models: per value of the split column, the fingerprint of its inputs (issue 5). */
  readonly partitions?: PartitionFingerprints | null;
}

/** `<model>/_sluice/manifests/0000000007.json`: sorts by snapshot number. */
export function manifestPrefix(model: string): string {
  return `${model}/_sluice/manifests/`;
}

export function manifestKey(model: string, snapshot: number): string {
  return `${manifestPrefix(model)}${String(snapshot).padStart(10, '0')}.json`;
}

/**
 * Where a data file of a snapshot lives: the hive folders DuckDB wrote, and a file name unique
 * to (snapshot, attempt), e.g. `fct_orders/order_date=2024-01-01/part-000007-3f9a1c2b-0.parquet`.
 */
export function dataKey(model: string, snapshot: number, attempt: string, relativePath: string): string {
  const slash = relativePath.lastIndexOf('/');
  const folder = slash >= 0 ? relativePath.slice(0, slash + 1) : '';
  const file = relativePath.slice(slash + 1).replace(/^part-/, '');
  return `${model}/${folder}part-${String(snapshot).padStart(6, '0')}-${attempt}-${file}`;
}

/**
 * Where the map items of a shuffle write one large input of a model, hash-partitioned by the
 * join key: `fct_x/_sluice/shuffle/events/__sluice_bucket=3/part-000007-….parquet`. Named like
 * data files of the snapshot being built, so publishing it (or any later one) removes them.
 */
export function shufflePrefix(model: string, input: string): string {
  return `${model}/_sluice/shuffle/${input}`;
}

/** The snapshot number in a data file's name, or undefined for files sluice did not write. */
export function snapshotOfDataKey(key: string): number | undefined {
  const m = /\/part-(\d{6,})-[^/]*\.parquet$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

export function parseManifest(bytes: Uint8Array, key: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new SluiceError('STORAGE_CORRUPT', `manifest ${key} is not valid JSON; the object store may be damaged`, {
      cause: err,
    });
  }
  const m = doc as Partial<Manifest>;
  if (
    m?.schema !== MANIFEST_SCHEMA ||
    typeof m.snapshot !== 'number' ||
    !Array.isArray(m.files) ||
    !Array.isArray(m.columns)
  ) {
    throw new SluiceError('STORAGE_CORRUPT', `manifest ${key} is not a ${MANIFEST_SCHEMA} document`);
  }
  return m as Manifest;
}
