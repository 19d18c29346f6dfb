import { SluiceError, errorMessage } from '../core/errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { manifestPrefix, parseManifest, type Manifest } from './manifest.js';

/** What a model's manifests say: its newest intact snapshot, and any newer manifest that is damaged. */
export interface SnapshotState {
  /** The newest manifest that parses and whose files are all there (undefined: none). */
  readonly current: Manifest | undefined;
  /** Manifests newer than `current` that cannot be read (truncated, corrupt), newest first. */
  readonly corrupt: readonly { readonly key: string; readonly why: string }[];
  /** The highest snapshot number among the manifests' keys (0: none): the next publish comes after it. */
  readonly newest: number;
}

/**
 * The model's manifests, newest first, down to the first intact one. A manifest that does not
 * parse is skipped (and reported); so is an older one whose files are gone (a publish that
 * died while collecting garbage). A publish that lands between our list and get deletes the
 * manifest we listed: list again.
 */
export async function readSnapshotState(objects: ObjectStore, model: string): Promise<SnapshotState> {
  relist: for (let attempt = 0; attempt < 5; attempt++) {
    const keys = (await objects.list(manifestPrefix(model))).map((o) => o.key).filter((k) => k.endsWith('.json'));
    const newest = keys.length === 0 ? 0 : snapshotOfManifestKey(keys.at(-1)!);
    const corrupt: { key: string; why: string }[] = [];
    for (const key of [...keys].reverse()) {
      const bytes = await objects.get(key);
      if (!bytes) continue relist;
      let manifest: Manifest;
      try {
        manifest = parseManifest(bytes, key);
      } catch (err) {
        corrupt.push({ key, why: errorMessage(err).replace(`manifest ${key} `, 'it ') });
        continue;
      }
      const missing = corrupt.length === 0 ? undefined : await firstMissingFile(objects, model, manifest);
      if (missing === undefined) return { current: manifest, corrupt, newest };
      corrupt.push({ key, why: `it lists ${missing}, which is gone` });
    }
    return { current: undefined, corrupt, newest };
  }
  return { current: undefined, corrupt: [], newest: 0 };
}

/**
 * The model's current snapshot (its newest manifest), or undefined if it was never published.
 * Readers keep the last good snapshot while a newer manifest is damaged; if none is intact the
 * model cannot be read: STORAGE_CORRUPT, naming the manifest and the way out (--full-refresh).
 */
export async function readCurrentSnapshot(objects: ObjectStore, model: string): Promise<Manifest | undefined> {
  const state = await readSnapshotState(objects, model);
  if (state.current === undefined && state.corrupt.length > 0) throw corruptManifest(model, state);
  return state.current;
}

/**
 * The snapshot a new build of `model` follows (`previous`), and the number it publishes as.
 * A damaged newest manifest stops the build (STORAGE_CORRUPT, naming it) unless `fullRefresh`:
 * then the model is rebuilt from nothing, numbered past the damaged manifest, whose publish
 * removes it like any superseded one.
 */
export async function snapshotToFollow(
  objects: ObjectStore,
  model: string,
  fullRefresh: boolean,
): Promise<{ previous: Manifest | undefined; snapshot: number }> {
  const state = await readSnapshotState(objects, model);
  if (state.corrupt.length === 0) return { previous: state.current, snapshot: (state.current?.snapshot ?? 0) + 1 };
  if (!fullRefresh) throw corruptManifest(model, state);
  return { previous: undefined, snapshot: state.newest + 1 };
}

function corruptManifest(model: string, state: SnapshotState): SluiceError {
  const [first] = state.corrupt;
  const meanwhile = state.current
    ? `readers keep snapshot ${state.current.snapshot} meanwhile`
    : 'no earlier snapshot is intact, so the model cannot be read until then';
  return new SluiceError(
    'STORAGE_CORRUPT',
    `model ${model}: manifest ${first!.key} cannot be read (${first!.why}); ` +
      `run \`sluice run --full-refresh --select ${model}\` to rebuild the model (${meanwhile})`,
  );
}

/** A file the manifest lists that the object store no longer has, or undefined. */
async function firstMissingFile(objects: ObjectStore, model: string, manifest: Manifest): Promise<string | undefined> {
  const present = new Set((await objects.list(`${model}/`)).map((o) => o.key));
  return manifest.files.find((f) => !present.has(f.key))?.key;
}

/** `<model>/_sluice/manifests/0000000007.json` -> 7 (0 for a key that is not numbered). */
function snapshotOfManifestKey(key: string): number {
  const m = /(\d+)\.json$/.exec(key);
  return m ? Number(m[1]) : 0;
}
