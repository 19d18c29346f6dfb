import { isAbsolute, resolve } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { MetadataStore } from './metadata-store.js';
import { SqliteMetadataStore } from './sqlite/sqlite-metadata-store.js';

/**
 * The metadata store `url` names (`storage.metadata` in sluice.yaml):
 * - `sqlite:<path>`: a SQLite file, relative to `projectRoot` or absolute (`sqlite::memory:` too);
 * - `postgres://...` / `postgresql://...`: not available yet (a clear error).
 * The store is not migrated: call `migrate()` before using it.
 */
export function createMetadataStore(url: string, projectRoot: string): MetadataStore {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new SluiceError('CONFIG_INVALID', 'storage.metadata: the metadata store URL is empty; use sqlite:<path>, e.g. "sqlite:.sluice/metadata.db"');
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''); // also accept sqlite:///abs/path
    if (path === '') throw new SluiceError('CONFIG_INVALID', `storage.metadata: "${url}" names no file; use sqlite:<path>`);
    if (path === ':memory:') return new SqliteMetadataStore(path);
    return new SqliteMetadataStore(isAbsolute(path) ? path : resolve(projectRoot, path));
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new SluiceError('CONFIG_INVALID', `storage.metadata: "${redact(url)}": PostgreSQL support is not available yet; use sqlite:<path>`);
  }
  throw new SluiceError('CONFIG_INVALID', `storage.metadata: "${redact(url)}" is not a supported metadata store URL; use sqlite:<path>, e.g. "sqlite:.sluice/metadata.db"`);
}

/** Drop `user:password@` so credentials never reach a message. */
function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
