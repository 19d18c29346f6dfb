import { SluiceError } from '../core/errors.js';
import type { ModelOutput } from '../engine/engine.js';
import type { ObjectStore } from '../storage/object-store.js';
import { dataKey, manifestKey, manifestPrefix, MANIFEST_SCHEMA, snapshotOfDataKey, type Manifest } from './manifest.js';

export interface PublishRequest {
  readonly model: string;
  readonly runId: string;
  /** Unique to this attempt; part of every data file's name. */
  readonly attempt: string;
  readonly partitionBy: readonly string[];
  readonly output: ModelOutput;
  /** The snapshot the output replaces (undefined on first publish). */
  readonly previous: Manifest | undefined;
  readonly now?: () => Date;
}

/**
 * Publish a model's output as its next snapshot:
 * 1. move every data file to its final, never-before-used key (invisible to readers: no
 *    manifest lists it yet);
 * 2. create the manifest with create-if-absent: this single write is the commit point. If
 *    another writer created that snapshot first, ours is abandoned and its files deleted;
 * 3. delete files and manifests the new snapshot superseded (garbage collection).
 * A crash before step 2 leaves the previous snapshot current and untouched.
 */
export async function publishSnapshot(objects: ObjectStore, req: PublishRequest): Promise<Manifest> {
  const snapshot = (req.previous?.snapshot ?? 0) + 1;
  const files = [];
  for (const f of req.output.files) {
    const key = dataKey(req.model, snapshot, req.attempt, f.relativePath);
    await objects.putFile(key, f.path);
    files.push({ key, rows: f.rows, bytes: f.bytes, partition: f.partition });
  }
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    model: req.model,
    snapshot,
    runId: req.runId,
    createdAt: (req.now?.() ?? new Date()).toISOString(),
    partitionBy: req.partitionBy,
    columns: req.output.columns,
    rows: req.output.rows,
    bytes: req.output.bytes,
    files,
  };
  const committed = await objects.putIfAbsent(manifestKey(req.model, snapshot), JSON.stringify(manifest, null, 1));
  if (!committed) {
    await objects.delete(files.map((f) => f.key));
    throw new SluiceError('STORE_CONFLICT', `model ${req.model}: snapshot ${snapshot} was published by another writer first; this attempt's output was discarded`);
  }
  await collectGarbage(objects, manifest);
  return manifest;
}

/**
 * Delete what `current` superseded: data files of older snapshots (including orphans of crashed
 * attempts) and older manifests. Files of newer snapshots (a concurrent writer) are left alone.
 */
export async function collectGarbage(objects: ObjectStore, current: Manifest): Promise<number> {
  const keep = new Set(current.files.map((f) => f.key));
  const stale: string[] = [];
  for (const o of await objects.list(`${current.model}/`)) {
    if (keep.has(o.key)) continue;
    if (o.key.startsWith(manifestPrefix(current.model))) {
      if (o.key < manifestKey(current.model, current.snapshot)) stale.push(o.key);
      continue;
    }
    const n = snapshotOfDataKey(o.key);
    if (n !== undefined && n <= current.snapshot) stale.push(o.key);
  }
  await objects.delete(stale);
  return stale.length;
}
