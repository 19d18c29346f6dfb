import type { ObjectStore } from '../storage/object-store.js';
import { manifestPrefix, parseManifest, type Manifest } from './manifest.js';

/**
 * The model's current snapshot (its newest manifest), or undefined if it was never published.
 * A publish that lands between our list and get deletes the manifest we listed: list again.
 */
export async function readCurrentSnapshot(objects: ObjectStore, model: string): Promise<Manifest | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const manifests = (await objects.list(manifestPrefix(model))).filter((o) => o.key.endsWith('.json'));
    const newest = manifests.at(-1);
    if (!newest) return undefined;
    const bytes = await objects.get(newest.key);
    if (bytes) return parseManifest(bytes, newest.key);
  }
  return undefined;
}
