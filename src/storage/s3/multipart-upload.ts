import { open, readFile, stat } from 'node:fs/promises';
import type { S3Api } from './s3-api.js';
import { SluiceError } from '../../core/errors.js';

/** S3's limits: parts of at least 5 MiB (but the last), at most 10,000 parts. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface UploadOptions {
  /** Files of this size or more go up in parts. */
  readonly thresholdBytes: number;
  readonly partBytes: number;
  /** Parts in flight at once (each held in memory). */
  readonly concurrency: number;
}

/**
 * Upload a local file as one object. Below the threshold the file is read into memory and sent
 * in one PUT (a buffer, not a stream, so the SDK can retry it); above it, a multipart upload
 * whose parts are read from the file as they are sent, `concurrency` at a time. The object
 * appears only when the upload completes; a failed upload is aborted (best effort; a bucket
 * lifecycle rule for incomplete uploads catches the rest).
 */
export async function uploadFile(
  api: S3Api,
  bucket: string,
  key: string,
  path: string,
  opts: UploadOptions,
): Promise<void> {
  const { size } = await stat(path);
  if (size < opts.thresholdBytes) {
    await api.putObject({ bucket, key, body: await readFile(path) });
    return;
  }
  const partBytes = Math.max(MIN_PART_BYTES, opts.partBytes, Math.ceil(size / MAX_PARTS));
  const count = Math.max(1, Math.ceil(size / partBytes));
  const { uploadId } = await api.createMultipartUpload({ bucket, key });
  const handle = await open(path, 'r');
  try {
    const etags: string[] = new Array<string>(count);
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < count && !failed) {
        const index = next++;
        const start = index * partBytes;
        const length = Math.min(partBytes, size - start);
        const body = Buffer.alloc(length);
        const { bytesRead } = await handle.read(body, 0, length, start);
        if (bytesRead !== length)
          throw new SluiceError(
            'STORAGE_IO',
            `${path} changed while it was uploaded (short read of part ${index + 1})`,
          );
        etags[index] = (await api.uploadPart({ bucket, key, uploadId, partNumber: index + 1, body })).etag;
      }
    };
    // Wait for every worker (so none reads the file after it is closed), then report the first error.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(opts.concurrency, count) }, () =>
        worker().catch((err: unknown) => {
          failed = true;
          throw err;
        }),
      ),
    );
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected !== undefined) throw rejected.reason;
    await api.completeMultipartUpload({
      bucket,
      key,
      uploadId,
      parts: etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    });
  } catch (err) {
    await api.abortMultipartUpload({ bucket, key, uploadId }).catch(() => undefined);
    throw err;
  } finally {
    await handle.close();
  }
}
