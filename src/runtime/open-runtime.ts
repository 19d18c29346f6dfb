import { join, resolve } from 'node:path';
import { loadProject } from '../catalog/load-project.js';
import type { Project } from '../core/types.js';
import { DuckDbEngine } from '../engine/duckdb-engine.js';
import { resolveEngineSettings } from '../engine/engine-settings.js';
import { createObjectStore } from '../storage/create-object-store.js';
import type { ObjectStore } from '../storage/object-store.js';
import { createMetadataStore } from '../store/create-metadata-store.js';
import type { MetadataStore } from '../store/metadata-store.js';

/** Where a project keeps its state: metadata store, spill files, run lock. */
export function stateDir(project: Project): string {
  return resolve(project.root, project.config.paths.state);
}

export async function openEngine(project: Project): Promise<DuckDbEngine> {
  const exec = project.config.execution;
  return DuckDbEngine.create(resolveEngineSettings({ threads: exec.threads, memoryLimit: exec.memoryLimit, tempDirectory: join(stateDir(project), 'tmp') }));
}

export interface Stores {
  readonly objects: ObjectStore;
  readonly store: MetadataStore;
  close(): Promise<void>;
}

export async function openStores(project: Project): Promise<Stores> {
  const objects = createObjectStore(project.config.storage.objects, project.root);
  const store = createMetadataStore(project.config.storage.metadata, project.root);
  await store.migrate();
  return {
    objects,
    store,
    async close() {
      await store.close();
      await objects.close();
    },
  };
}

export { loadProject };
