import { randomUUID } from 'node:crypto';
import type { S3Api } from './s3-api.js';
import { isConditionalConflict, isPreconditionFailed, statusOf } from './s3-errors.js';

/**
 * Create-if-absent with `If-None-Match: *` (AWS S3 since 2024, MinIO, Cloudflare R2, ...).
 * Returns false when the key exists (412). AWS answers 409 ConditionalRequestConflict when
 * conditional writes to one key overlap; the write is then repeated and settles to 200 or 412.
 */
export async function conditionalPut(api: S3Api, bucket: string, key: string, body: Uint8Array): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await api.putObject({ bucket, key, body, ifNoneMatch: '*' });
      return true;
    } catch (err) {
      if (isPreconditionFailed(err)) return false;
      if (!isConditionalConflict(err) || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Does the server honour `If-None-Match: *` on PUT? Writes a fresh probe key twice: a server that
 * honours it refuses the second write (412); one that ignores the header (s3rver, older MinIO
 * and Ceph, some gateways) accepts it, and one that does not know it may reject the first with
 * 400/501. The probe key is deleted afterwards. `probePrefix` is a full key prefix ending in `/`.
 */
export async function probeConditionalPut(api: S3Api, bucket: string, probePrefix: string): Promise<boolean> {
  const key = `${probePrefix}${Date.now()}-${randomUUID()}`;
  const body = new Uint8Array(Buffer.from('sluice conditional-put probe', 'utf8'));
  try {
    try {
      if (!(await conditionalPut(api, bucket, key, body))) return false; // a fresh key cannot exist
    } catch (err) {
      const status = statusOf(err);
      if (status === 400 || status === 501) return false; // the header is not supported
      throw err;
    }
    return !(await conditionalPut(api, bucket, key, body));
  } finally {
    await api.deleteObjects({ bucket, keys: [key] }).catch(() => undefined);
  }
}
