import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../catalog/defaults.js';
import type { Project, ProjectSettings } from '../core/types.js';
import { DuckDbEngine } from '../engine/duckdb-engine.js';
import { resolveEngineSettings } from '../engine/engine-settings.js';
import type { SandboxAccess } from '../engine/sandbox.js';
import { createObjectStore } from '../storage/create-object-store.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { S3ObjectStoreOptions } from '../storage/s3/s3-object-store.js';
import { createMetadataStore } from '../store/create-metadata-store.js';
import type { MetadataStore } from '../store/metadata-store.js';

/** Where a project keeps its state: metadata store, spill files, run lock. */
export function stateDir(project: Pick<Project, 'root' | 'config'>): string {
  return resolve(project.root, project.config.paths.state);
}

/**
 * A DuckDB engine configured from the project's settings. `shareOf`: engines running at once
 * on this machine, which share the memory limit; `machineBytes`: the memory they have (default RAM). `sandbox`: `project` (the default: the
 * coordinator's engine, locked to `projectAccess`) or `per-run` (a worker's: each model run locked
 * to what its work item reads and writes); docs/adr/0014-sandbox.md.
 */
export async function openEngine(
  project: ProjectSettings,
  opts: { threads?: number; shareOf?: number; machineBytes?: number; sandbox?: 'project' | 'per-run' } = {},
): Promise<DuckDbEngine> {
  const exec = project.config.execution;
  const settings = resolveEngineSettings({
    threads: opts.threads ?? exec.threads,
    memoryLimit: exec.memoryLimit,
    tempDirectory: join(stateDir(project), 'tmp'),
    shareOf: opts.shareOf ?? 1,
    ...(opts.machineBytes !== undefined && { machineBytes: opts.machineBytes }),
  });
  return DuckDbEngine.create(settings, opts.sandbox === 'per-run' ? 'per-run' : projectAccess(project));
}

/**
 * What the coordinator's DuckDB (bind check, compile, explain) may read and write: the project
 * folder (sources must be inside it), `paths.allowed_roots`, the state folder and the object
 * store's local folders (a local store's root; an s3:// store's cache and staging folders).
 */
export function projectAccess(project: ProjectSettings): SandboxAccess {
  const objects = storageLocations(project).objects;
  const local = objectStoreFolder(objects, project.root);
  const s3 = /^s3:\/\//i.test(objects) ? s3StoreOptions(project) : undefined;
  const directories = [
    project.root,
    stateDir(project),
    ...project.config.paths.allowedRoots.map((r) => resolve(project.root, r)),
  ];
  if (local !== undefined) directories.push(local);
  if (s3?.cacheDir !== undefined) directories.push(s3.cacheDir);
  if (s3?.stagingDir !== undefined) directories.push(s3.stagingDir);
  return { directories, files: [] };
}

/** A local object store's folder (a path or file:// URI), or undefined for a remote one. */
function objectStoreFolder(uri: string, projectRoot: string): string | undefined {
  if (/^file:\/\//i.test(uri)) {
    try {
      return fileURLToPath(uri);
    } catch {
      return undefined; // createObjectStore reports it
    }
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? undefined : resolve(projectRoot, uri);
}

export interface Stores {
  readonly objects: ObjectStore;
  readonly store: MetadataStore;
  close(): Promise<void>;
}

/** Environment variables that override `storage.metadata` and `storage.objects`. */
export const STORE_ENV = 'SLUICE_STORE';
export const OBJECTS_ENV = 'SLUICE_OBJECTS';

/**
 * Where the stores are: `storage` in sluice.yaml, overridden by SLUICE_STORE and SLUICE_OBJECTS
 * (the CLI's `--store` and `--objects` set them, so the worker processes a run starts inherit
 * them). An empty variable counts as unset.
 */
export function storageLocations(
  project: ProjectSettings,
  env: NodeJS.ProcessEnv = process.env,
): { readonly metadata: string; readonly objects: string } {
  return {
    metadata: env[STORE_ENV] || project.config.storage.metadata,
    objects: env[OBJECTS_ENV] || project.config.storage.objects,
  };
}

/** Settings for an s3:// object store: sluice.yaml's `storage.s3`, folders under the state folder by default. */
export function s3StoreOptions(project: ProjectSettings): S3ObjectStoreOptions {
  const s3 = project.config.storage.s3 ?? {};
  const defaults = DEFAULTS.storage.s3;
  return {
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.region === undefined ? {} : { region: s3.region }),
    ...(s3.forcePathStyle === undefined ? {} : { forcePathStyle: s3.forcePathStyle }),
    cacheDir:
      s3.cacheDir === undefined ? join(stateDir(project), defaults.cacheFolder) : resolve(project.root, s3.cacheDir),
    cacheMaxBytes: s3.cacheMaxBytes ?? defaults.cacheMaxBytes,
    stagingDir: join(stateDir(project), defaults.stagingFolder),
  };
}

export async function openStores(project: ProjectSettings): Promise<Stores> {
  const where = storageLocations(project);
  const objects = createObjectStore(where.objects, project.root, {
    durable: project.config.storage.durable,
    s3: s3StoreOptions(project),
  });
  const store = createMetadataStore(where.metadata, project.root);
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
