import type { Readable } from 'node:stream';

/**
 * The subset of S3 that the S3 object store uses, typed structurally (as Kysely types its
 * drivers), so sluice compiles and its other tests run without `@aws-sdk/client-s3`.
 * `create-s3-api.ts` is the only file that imports the SDK; it adapts `S3Client` to this.
 *
 * Every call takes the bucket and a full object key (store prefix included). Errors are the
 * SDK's, passed through: `s3-errors.ts` reads `name`, `Code` and `$metadata.httpStatusCode`.
 */
export interface S3Object {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

export interface S3ListPage {
  readonly objects: readonly S3Object[];
  /** Set when there are more keys: pass it to the next call. */
  readonly next?: string;
}

export interface S3Api {
  /** Bodies are in memory so the SDK can retry them (files above the multipart threshold go in parts). */
  putObject(input: { bucket: string; key: string; body: Uint8Array; ifNoneMatch?: '*' }): Promise<void>;
  /** Undefined when the key does not exist (404). */
  getObject(input: {
    bucket: string;
    key: string;
    ifMatch?: string;
  }): Promise<{ body: Readable; size: number; etag: string } | undefined>;
  /** Undefined when the key does not exist (404). */
  headObject(input: { bucket: string; key: string }): Promise<S3Object | undefined>;
  listObjects(input: { bucket: string; prefix: string; continuation?: string; maxKeys?: number }): Promise<S3ListPage>;
  /** Deletes up to 1000 keys; returns the keys that could not be deleted with the reason. */
  deleteObjects(input: { bucket: string; keys: readonly string[] }): Promise<Array<{ key: string; reason: string }>>;
  createMultipartUpload(input: { bucket: string; key: string }): Promise<{ uploadId: string }>;
  uploadPart(input: {
    bucket: string;
    key: string;
    uploadId: string;
    partNumber: number;
    body: Uint8Array;
  }): Promise<{ etag: string }>;
  completeMultipartUpload(input: {
    bucket: string;
    key: string;
    uploadId: string;
    parts: ReadonlyArray<{ partNumber: number; etag: string }>;
  }): Promise<void>;
  abortMultipartUpload(input: { bucket: string; key: string; uploadId: string }): Promise<void>;
  /** Release sockets. */
  destroy(): void;
}
