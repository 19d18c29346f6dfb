import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError, errorMessage } from '../core/errors.js';
import { LocalObjectStore } from './local/local-object-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3/s3-object-store.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * The object store `uri` names (`storage.objects` in sluice.yaml):
 * - a local folder, relative to `projectRoot` or absolute, or a `file:///abs/path` URI;
 * - `s3://bucket/prefix`: a bucket (AWS or S3-compatible); `s3` holds its settings (endpoint,
 *   region, cache and staging folders), unset ones come from the environment or defaults.
 */
export function createObjectStore(
  uri: string,
  projectRoot: string,
  options: { durable?: boolean; s3?: S3ObjectStoreOptions } = {},
): ObjectStore {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw new SluiceError(
      'CONFIG_INVALID',
      'storage.objects: the object store location is empty; give a folder (e.g. ".sluice/objects") or a file:// URI',
    );
  }
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined)
    return new LocalObjectStore(isAbsolute(uri) ? resolve(uri) : resolve(projectRoot, uri), options);
  if (scheme === 'file') {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch (err) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `storage.objects: "${uri}" is not a valid file URI (use file:///absolute/path): ${errorMessage(err)}`,
        { cause: err },
      );
    }
    return new LocalObjectStore(path, options);
  }
  if (scheme === 's3') return new S3ObjectStore(uri, options.s3);
  throw new SluiceError(
    'CONFIG_INVALID',
    `storage.objects: "${redact(uri)}": unsupported object store scheme "${scheme}://" (use a local folder, a file:// URI or s3://bucket/prefix)`,
  );
}

/** Drop `user:password@` from a URI so credentials never reach a message. */
function redact(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
