import type { Readable } from 'node:stream';
import { SluiceError, errorMessage } from '../../core/errors.js';
import { isNotFound } from './s3-errors.js';
import type { S3Api } from './s3-api.js';
import type { S3ClientSettings } from './s3-settings.js';

/** Sockets: fail fast when the endpoint is unreachable, but let big transfers take their time. */
const CONNECTION_TIMEOUT_MS = 5_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/**
 * `S3Api` on `@aws-sdk/client-s3`, loaded on first use so that projects on a local folder never
 * load the SDK. Retries are the SDK's "standard" strategy, set explicitly: `maxAttempts`
 * attempts per request, exponential backoff with full jitter, on 5xx, throttling (SlowDown,
 * 503, 429) and transient network errors. Checksums only where S3 requires them, which
 * S3-compatible servers understand.
 */
export async function createS3Api(settings: S3ClientSettings): Promise<S3Api> {
  let sdk: typeof import('@aws-sdk/client-s3');
  // The SDK warns on every process start that releases after January 2027 need Node 22; sluice
  // pins a release that supports Node 20 (package.json), so the warning is only noise in every
  // worker's output. Set the variable to "false" to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    sdk = await import('@aws-sdk/client-s3');
  } catch (err) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `an s3:// object store needs the @aws-sdk/client-s3 package (npm install @aws-sdk/client-s3): ${errorMessage(err)}`,
      { cause: err },
    );
  }
  const client = new sdk.S3Client({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: SOCKET_IDLE_TIMEOUT_MS },
  });
  const orUndefined = async <T>(op: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await op();
    } catch (err) {
      if (isNotFound(err) && !isNoSuchBucket(err)) return undefined;
      throw err;
    }
  };

  return {
    async putObject({ bucket, key, body, ifNoneMatch }) {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ...(ifNoneMatch === undefined ? {} : { IfNoneMatch: ifNoneMatch }),
        }),
      );
    },
    getObject: ({ bucket, key, ifMatch }) =>
      orUndefined(async () => {
        const out = await client.send(
          new sdk.GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
          }),
        );
        return { body: out.Body as Readable, size: out.ContentLength ?? 0, etag: out.ETag ?? '' };
      }),
    headObject: ({ bucket, key }) =>
      orUndefined(async () => {
        const out = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, size: out.ContentLength ?? 0, etag: out.ETag ?? '' };
      }),
    async listObjects({ bucket, prefix, continuation, maxKeys }) {
      const out = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(continuation === undefined ? {} : { ContinuationToken: continuation }),
          ...(maxKeys === undefined ? {} : { MaxKeys: maxKeys }),
        }),
      );
      const objects = (out.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, etag: o.ETag ?? '' }));
      return out.IsTruncated === true && out.NextContinuationToken !== undefined
        ? { objects, next: out.NextContinuationToken }
        : { objects };
    },
    async deleteObjects({ bucket, keys }) {
      const out = await client.send(
        new sdk.DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      return (out.Errors ?? []).map((e) => ({ key: e.Key ?? '', reason: `${e.Code ?? 'Error'}: ${e.Message ?? ''}` }));
    },
    async createMultipartUpload({ bucket, key }) {
      const out = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      if (out.UploadId === undefined) throw new SluiceError('STORAGE_IO', 'the server returned no UploadId');
      return { uploadId: out.UploadId };
    },
    async uploadPart({ bucket, key, uploadId, partNumber, body }) {
      const out = await client.send(
        new sdk.UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      );
      if (out.ETag === undefined)
        throw new SluiceError('STORAGE_IO', `the server returned no ETag for part ${partNumber}`);
      return { etag: out.ETag };
    },
    async completeMultipartUpload({ bucket, key, uploadId, parts }) {
      await client.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    },
    async abortMultipartUpload({ bucket, key, uploadId }) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    },
    destroy: () => client.destroy(),
  };
}

function isNoSuchBucket(err: unknown): boolean {
  return (
    (err as { name?: unknown } | undefined)?.name === 'NoSuchBucket' ||
    (err as { Code?: unknown } | undefined)?.Code === 'NoSuchBucket'
  );
}
