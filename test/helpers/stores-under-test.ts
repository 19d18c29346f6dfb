import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectStore } from '../../src/storage/create-object-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { createMetadataStore } from '../../src/store/create-metadata-store.js';
import type { MetadataStore } from '../../src/store/metadata-store.js';

/**
 * A metadata store and an object store that sluice processes reach by URL (`--store`,
 * `--objects`), as workers on other machines would, with a way for the test to open them.
 */
export interface StoresUnderTest {
  readonly label: string;
  readonly store: string;
  readonly objects: string;
  /** Environment the sluice processes need (credentials, endpoints). */
  readonly env: NodeJS.ProcessEnv;
  openStore(): Promise<MetadataStore>;
  openObjects(): ObjectStore;
  cleanup(): Promise<void>;
}

/** The embedded default reached by URL: a SQLite file and a local folder in a fresh temp folder. */
export async function localStores(): Promise<StoresUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-stores-'));
  const store = `sqlite:${join(dir, 'shared.db')}`;
  const objects = join(dir, 'objects');
  return {
    label: 'SQLite + local folder',
    store,
    objects,
    env: {},
    async openStore() {
      const s = createMetadataStore(store, dir);
      await s.migrate();
      return s;
    },
    openObjects: () => createObjectStore(objects, dir),
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
