import type { ClaimPutOptions } from './claim-put.js';
import type { S3ConfigBlock } from './s3-settings.js';

const MiB = 1024 * 1024;

/** Everything an S3 object store can be told; unset values take `S3_STORE_DEFAULTS`. */
export interface S3ObjectStoreOptions extends S3ConfigBlock {
  /** Environment to read endpoint, region and credentials from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder for downloaded copies; each store instance uses a fresh subfolder, deleted by `close`. */
  readonly cacheDir?: string;
  /** Bound on the bytes of downloaded copies (least recently used go first). */
  readonly cacheMaxBytes?: number;
  /** Local folder holding staging folders (default: one per store URI in the OS temp dir). */
  readonly stagingDir?: string;
  /** `probe`: test the server once; `always`/`never`: skip the probe (known servers, tests). */
  readonly conditionalPut?: 'probe' | 'always' | 'never';
  /** Files of this size or more are uploaded in parts of `partBytes` (at least 5 MiB). */
  readonly multipartThresholdBytes?: number;
  readonly partBytes?: number;
  /** Parts uploaded, or objects downloaded, at once. */
  readonly transferConcurrency?: number;
  /** Keys per list request and per DeleteObjects call (at most 1000, S3's limit). */
  readonly listPageSize?: number;
  readonly deleteBatchSize?: number;
  /** Rounds and backoff of the claim protocol (servers without conditional PUT). */
  readonly claims?: ClaimPutOptions;
}

export const S3_STORE_DEFAULTS = Object.freeze({
  cacheMaxBytes: 10 * 1024 * MiB,
  conditionalPut: 'probe' as const,
  multipartThresholdBytes: 64 * MiB,
  partBytes: 16 * MiB,
  transferConcurrency: 4,
  listPageSize: 1000,
  deleteBatchSize: 1000,
});
