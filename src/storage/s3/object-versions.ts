import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { ObjectVersion } from './download-cache.js';
import type { S3Api } from './s3-api.js';
import { SluiceError } from '../../core/errors.js';

/**
 * The current version (size, ETag) of each key, `concurrency` HEADs at a time. `prefix` is the
 * store's key prefix; the versions carry the store's keys. A missing object is an error naming it.
 */
export async function headVersions(
  api: S3Api,
  bucket: string,
  prefix: string,
  keys: readonly string[],
  concurrency: number,
): Promise<ObjectVersion[]> {
  const out: ObjectVersion[] = [];
  for (let i = 0; i < keys.length; i += concurrency) {
    const batch = keys.slice(i, i + concurrency);
    const heads = await Promise.all(batch.map((key) => api.headObject({ bucket, key: prefix + key })));
    heads.forEach((h, j) => {
      if (h === undefined) throw new SluiceError('STORAGE_IO', `there is no object ${JSON.stringify(batch[j])}`);
      out.push({ key: batch[j]!, size: h.size, etag: h.etag });
    });
  }
  return out;
}

/** Download exactly this version (`If-Match` its ETag) to the new file `dest`, checking the size. */
export async function downloadVersion(
  api: S3Api,
  bucket: string,
  prefix: string,
  v: ObjectVersion,
  dest: string,
): Promise<void> {
  const out = await api.getObject({ bucket, key: prefix + v.key, ifMatch: v.etag });
  if (out === undefined)
    throw new SluiceError('STORAGE_IO', `${JSON.stringify(v.key)} was deleted while it was being read`);
  await pipeline(out.body, createWriteStream(dest, { flags: 'wx' }));
  const { size } = await stat(dest);
  if (size !== v.size)
    throw new SluiceError('STORAGE_IO', `downloaded ${size} bytes of ${JSON.stringify(v.key)}, expected ${v.size}`);
}
