import { SluiceError } from '../core/errors.js';
import type { ModelOutput } from '../engine/engine.js';
import type { ObjectStore } from '../storage/object-store.js';
import { publishCatalog } from './reader-catalog.js';
import {
  dataKey,
  manifestKey,
  manifestPrefix,
  MANIFEST_SCHEMA,
  parseManifest,
  snapshotOfDataKey,
  type Manifest,
} from './manifest.js';
import type { ManifestFile } from '../protocol/manifest-file.js';

/**
 * Move an attempt's output files from local staging to their final keys. The keys name the
 * snapshot the task will publish and the attempt, so they never collide with published files or
 * with another attempt's; no manifest lists them until the task is committed, so no reader who
 * reads through the catalog (reader-catalog.ts) ever sees them.
 *
 * `signal` (the attempt's lease) is checked before every file: once it is aborted, nothing more
 * is moved, what was moved is deleted, and the call fails with EXEC_INTERRUPTED. A failed move
 * deletes what was moved too: an attempt that did not finish its upload leaves nothing behind.
 */
export async function uploadOutput(
  objects: ObjectStore,
  model: string,
  snapshot: number,
  attempt: string,
  output: ModelOutput,
  signal?: AbortSignal,
): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  try {
    for (const f of output.files) {
      if (signal?.aborted) {
        const done = `after uploading ${files.length} of ${output.files.length} files; they were deleted`;
        const why = 'its lease was lost or the worker is stopping';
        const message = `model ${model}: attempt ${attempt} was interrupted (${why}) ${done}`;
        throw new SluiceError('EXEC_INTERRUPTED', message);
      }
      const key = dataKey(model, snapshot, attempt, f.relativePath);
      files.push({ key, rows: f.rows, bytes: f.bytes, partition: f.partition });
      await objects.putFile(key, f.path);
    }
  } catch (err) {
    // Includes the key whose move failed half-way (a partial upload is never visible, but may exist).
    await objects.delete(files.map((f) => f.key)).catch(() => undefined);
    throw err;
  }
  return files;
}

export interface CommitRequest {
  readonly model: string;
  readonly snapshot: number;
  readonly runId: string;
  readonly partitionBy: readonly string[];
  readonly columns: Manifest['columns'];
  readonly files: readonly ManifestFile[];
  /** Recorded in the manifest: what the snapshot was built from (null: not one whole build). */
  readonly fingerprint?: string | null;
  readonly partitions?: Manifest['partitions'];
  readonly now?: () => Date;
}

/**
 * Publish a snapshot whose files are already in place (uploadOutput): create its manifest with
 * create-if-absent — the single commit point — then point the model's reader catalog at it
 * (reader-catalog.ts) and delete what it superseded. If another
 * writer created that snapshot first, nothing of ours becomes visible: STORE_CONFLICT.
 * A crash before the manifest write leaves the previous snapshot current and untouched.
 */
export async function commitSnapshot(objects: ObjectStore, req: CommitRequest): Promise<Manifest> {
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    model: req.model,
    snapshot: req.snapshot,
    runId: req.runId,
    createdAt: (req.now?.() ?? new Date()).toISOString(),
    partitionBy: req.partitionBy,
    columns: req.columns,
    rows: req.files.reduce((s, f) => s + f.rows, 0),
    bytes: req.files.reduce((s, f) => s + f.bytes, 0),
    files: [...req.files].sort((a, b) => (a.key < b.key ? -1 : 1)),
    fingerprint: req.fingerprint ?? null,
    ...(req.partitions && { partitions: req.partitions }),
  };
  const key = manifestKey(req.model, req.snapshot);
  const committed = await objects.putIfAbsent(key, JSON.stringify(manifest, null, 1));
  if (!committed) {
    // Already there. If it is this very commit (the same run and files: a coordinator killed
    // after its manifest write, resumed), it is published: finish the job. Never delete files
    // a manifest lists.
    const existingBytes = await objects.get(key);
    const existing = existingBytes && parseManifest(existingBytes, key);
    if (existing && sameCommit(existing, manifest)) {
      await publishCatalog(objects, existing);
      await collectGarbage(objects, existing);
      return existing;
    }
    const listed = new Set(existing?.files.map((f) => f.key) ?? []);
    await objects.delete(req.files.map((f) => f.key).filter((k) => !listed.has(k)));
    throw new SluiceError(
      'STORE_CONFLICT',
      `model ${req.model}: snapshot ${req.snapshot} was published by another writer first${existing ? ` (run ${existing.runId})` : ''}; this run's output was discarded`,
    );
  }
  // The catalog first: until it points at the new files, readers keep reading the old ones,
  // which garbage collection must not remove before that (a failure here keeps them).
  await publishCatalog(objects, manifest);
  await collectGarbage(objects, manifest);
  return manifest;
}

/** The same run published the same files: a repeated commit, not a competing one. */
function sameCommit(a: Manifest, b: Manifest): boolean {
  return a.runId === b.runId && a.files.length === b.files.length && a.files.every((f, i) => f.key === b.files[i]!.key);
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
