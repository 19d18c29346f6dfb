import { isAbsolute, resolve } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { MetadataStore } from './metadata-store.js';
import { PostgresMetadataStore } from './postgres/postgres-metadata-store.js';
import { redactUrl } from './postgres/postgres-url.js';
import { SqliteMetadataStore } from './sqlite/sqlite-metadata-store.js';

/**
 * The metadata store `url` names (`storage.metadata` in sluice.yaml):
 * - `sqlite:<path>`: a SQLite file, relative to `projectRoot` or absolute (`sqlite::memory:` too);
 * - `postgres://user@host:5432/database?schema=name` (or `postgresql://`): a PostgreSQL database,
 *   the tables in `schema` (default: the server's search_path); `pg` connects on first use.
 * The store is not migrated: call `migrate()` before using it. Messages never show a password.
 */
export function createMetadataStore(url: string, projectRoot: string): MetadataStore {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new SluiceError(
      'CONFIG_INVALID',
      'storage.metadata: the metadata store URL is empty; use sqlite:<path>, e.g. "sqlite:.sluice/metadata.db", or postgres://user@host:5432/database',
    );
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''); // also accept sqlite:///abs/path
    if (path === '')
      throw new SluiceError('CONFIG_INVALID', `storage.metadata: "${url}" names no file; use sqlite:<path>`);
    if (path === ':memory:') return new SqliteMetadataStore(path);
    return new SqliteMetadataStore(isAbsolute(path) ? path : resolve(projectRoot, path));
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return new PostgresMetadataStore(url);
  }
  throw new SluiceError(
    'CONFIG_INVALID',
    `storage.metadata: "${redactUrl(url)}" is not a supported metadata store URL; use sqlite:<path>, e.g. "sqlite:.sluice/metadata.db", or postgres://user@host:5432/database`,
  );
}
