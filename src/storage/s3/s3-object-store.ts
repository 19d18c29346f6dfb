import { createHash, randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ObjectInfo, ObjectStore } from '../object-store.js';
import {
  BOOKKEEPING_SEGMENT,
  assertListPrefix,
  assertObjectKey,
  assertStagingId,
  compareKeys,
  isReservedKey,
} from '../keys.js';
import { DEFAULT_CLAIM_OPTIONS, claimPut } from './claim-put.js';
import { conditionalPut, probeConditionalPut } from './conditional-put.js';
import { createS3Api } from './create-s3-api.js';
import { DownloadCache } from './download-cache.js';
import { listAllObjects } from './list-all-objects.js';
import { uploadFile } from './multipart-upload.js';
import { downloadVersion, headVersions } from './object-versions.js';
import type { S3Api } from './s3-api.js';
import { type ErrorContext, s3Failure } from './s3-errors.js';
import { type S3Location, endpointForMessages, parseS3Uri, resolveClientSettings } from './s3-settings.js';
import { S3_STORE_DEFAULTS, type S3ObjectStoreOptions } from './s3-store-options.js';
import { createStagingFolder, listStagingFolders, removeStagingFolder } from './staging-folders.js';
import { SluiceError } from '../../core/errors.js';

export type { S3ObjectStoreOptions } from './s3-store-options.js';

/**
 * The object store in an S3 bucket (AWS or S3-compatible): object `k` of `s3://bucket/prefix`
 * is the S3 object `prefix/k`. See ADR 0008.
 *
 * - `putIfAbsent` is a PUT with `If-None-Match: *` when the server honours it (probed on first
 *   use), else the claim protocol of `claim-put.ts`. Its bookkeeping lives under `.sluice/`,
 *   a reserved first segment that `list` never shows.
 * - DuckDB reads local files only: `localPaths` downloads into a bounded cache.
 * - Staging folders are local; `putFile` uploads (in parts above a threshold) and deletes the file.
 * - The SDK is loaded, and the bucket checked, on first use; `close` releases both and the cache.
 */
export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly location: S3Location;
  private readonly ctx: ErrorContext;
  private readonly opts: S3ObjectStoreOptions;
  private readonly stagingRoot: string;
  private readonly cache: DownloadCache;
  private api: Promise<S3Api> | undefined;
  private conditional: Promise<boolean> | undefined;
  private readonly connect: () => Promise<S3Api>;

  constructor(uri: string, options: S3ObjectStoreOptions = {}) {
    this.location = parseS3Uri(uri);
    this.uri = this.location.uri;
    this.opts = options;
    const settings = resolveClientSettings(options, options.env);
    const secrets = [settings.credentials?.secretAccessKey, settings.credentials?.sessionToken].filter(
      (s): s is string => s !== undefined,
    );
    this.ctx = {
      uri: this.uri,
      bucket: this.location.bucket,
      endpoint: endpointForMessages(settings.endpoint),
      secrets,
    };
    const uriHash = createHash('sha256').update(this.uri).digest('hex').slice(0, 12);
    this.stagingRoot = resolve(options.stagingDir ?? join(tmpdir(), `sluice-s3-staging-${uriHash}`));
    const cacheRoot = join(
      resolve(options.cacheDir ?? join(tmpdir(), 'sluice-s3-cache')),
      `${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    this.cache = new DownloadCache(
      cacheRoot,
      options.cacheMaxBytes ?? S3_STORE_DEFAULTS.cacheMaxBytes,
      options.transferConcurrency ?? S3_STORE_DEFAULTS.transferConcurrency,
      async (v, dest) => downloadVersion(await this.client(), this.location.bucket, this.location.prefix, v, dest),
    );
    this.connect = () => createS3Api(settings);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const full = this.full(key);
    await this.call('write', key, (api) =>
      api.putObject({ bucket: this.location.bucket, key: full, body: toBytes(body) }),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const full = this.full(key);
    return this.call('write', key, async (api) => {
      const bucket = this.location.bucket;
      if (await this.conditionalPutHonoured(api)) return conditionalPut(api, bucket, full, toBytes(body));
      const claims = `${this.location.prefix}${BOOKKEEPING_SEGMENT}/claims/${createHash('sha256').update(key).digest('hex')}/`;
      return claimPut(api, bucket, full, toBytes(body), claims, this.opts.claims ?? DEFAULT_CLAIM_OPTIONS);
    });
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const full = this.full(key);
    const source = resolve(localPath);
    await this.call(`upload local file ${source} to`, key, async (api) => {
      if (!(await stat(source)).isFile()) throw new SluiceError('STORAGE_IO', `${source} is not a regular file`);
      await uploadFile(api, this.location.bucket, full, source, {
        thresholdBytes: this.opts.multipartThresholdBytes ?? S3_STORE_DEFAULTS.multipartThresholdBytes,
        partBytes: this.opts.partBytes ?? S3_STORE_DEFAULTS.partBytes,
        concurrency: this.opts.transferConcurrency ?? S3_STORE_DEFAULTS.transferConcurrency,
      });
      await rm(source, { force: true });
    });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const full = this.full(key);
    return this.call('read', key, async (api) => {
      const out = await api.getObject({ bucket: this.location.bucket, key: full });
      if (out === undefined) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of out.body) chunks.push(Buffer.from(chunk as Uint8Array));
      const buf = Buffer.concat(chunks);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const full = this.full(key);
    return this.call('stat', key, async (api) => {
      const out = await api.headObject({ bucket: this.location.bucket, key: full });
      return out === undefined ? undefined : { key, size: out.size };
    });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertListPrefix(prefix);
    return this.call('list prefix', prefix, async (api) => {
      const all = await listAllObjects(
        api,
        this.location.bucket,
        this.location.prefix + prefix,
        this.opts.listPageSize ?? S3_STORE_DEFAULTS.listPageSize,
      );
      const strip = this.location.prefix.length;
      return all
        .map((o) => ({ key: o.key.slice(strip), size: o.size }))
        .filter((o) => !isReservedKey(o.key))
        .sort((a, b) => compareKeys(a.key, b.key));
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    const full = [...new Set(keys.map((key) => this.full(key)))];
    const size = Math.min(1000, this.opts.deleteBatchSize ?? S3_STORE_DEFAULTS.deleteBatchSize);
    for (let i = 0; i < full.length; i += size) {
      const batch = full.slice(i, i + size);
      const first = batch[0]!.slice(this.location.prefix.length);
      await this.call(
        batch.length === 1 ? 'delete' : `delete ${batch.length} objects, the first`,
        first,
        async (api) => {
          const failed = await api.deleteObjects({ bucket: this.location.bucket, keys: batch });
          if (failed.length > 0)
            throw new SluiceError(
              'STORAGE_IO',
              `${failed.length} key(s) not deleted, first ${JSON.stringify(failed[0]!.key)}: ${failed[0]!.reason}`,
            );
        },
      );
    }
  }

  async localPaths(keys: readonly string[]): Promise<string[]> {
    keys.forEach((key) => this.full(key));
    if (keys.length === 0) return [];
    return this.call(
      keys.length === 1 ? 'download' : `download ${keys.length} objects, the first`,
      keys[0]!,
      async (api) => {
        const concurrency = this.opts.transferConcurrency ?? S3_STORE_DEFAULTS.transferConcurrency;
        return this.cache.paths(
          await headVersions(api, this.location.bucket, this.location.prefix, keys, concurrency * 4),
        );
      },
    );
  }

  async createStaging(id: string): Promise<string> {
    return createStagingFolder(this.stagingRoot, assertStagingId(id), this.uri);
  }

  async removeStaging(id: string): Promise<void> {
    return removeStagingFolder(this.stagingRoot, assertStagingId(id), this.uri);
  }

  async listStaging(): Promise<string[]> {
    return listStagingFolders(this.stagingRoot, this.uri);
  }

  async close(): Promise<void> {
    const api = this.api;
    this.api = undefined;
    this.conditional = undefined;
    await this.cache.clear();
    if (api !== undefined) (await api.catch(() => undefined))?.destroy();
  }

  /** Folder of downloaded copies (for tests and diagnostics). */
  get cacheRoot(): string {
    return this.cache.root;
  }

  private full(key: string): string {
    return this.location.prefix + assertObjectKey(key);
  }

  /** The SDK client, created and the bucket checked on first use (retried after a failure). */
  private async client(): Promise<S3Api> {
    if (this.api === undefined) {
      this.api = (async () => {
        const api = await this.connect();
        try {
          await api.listObjects({ bucket: this.location.bucket, prefix: this.location.prefix, maxKeys: 1 });
        } catch (err) {
          api.destroy();
          throw err;
        }
        return api;
      })();
      this.api.catch(() => {
        this.api = undefined;
      });
    }
    return this.api;
  }

  private conditionalPutHonoured(api: S3Api): Promise<boolean> {
    const mode = this.opts.conditionalPut ?? S3_STORE_DEFAULTS.conditionalPut;
    if (mode !== 'probe') return Promise.resolve(mode === 'always');
    if (this.conditional === undefined) {
      this.conditional = probeConditionalPut(
        api,
        this.location.bucket,
        `${this.location.prefix}${BOOKKEEPING_SEGMENT}/probe/`,
      );
      this.conditional.catch(() => {
        this.conditional = undefined;
      });
    }
    return this.conditional;
  }

  /** Whether the probe found conditional PUTs honoured (probing now if needed). */
  async usesConditionalPut(): Promise<boolean> {
    return this.call('probe conditional writes in', '', (api) => this.conditionalPutHonoured(api));
  }

  private async call<T>(action: string, key: string, op: (api: S3Api) => Promise<T>): Promise<T> {
    try {
      return await op(await this.client());
    } catch (err) {
      throw s3Failure(this.ctx, action, key, err);
    }
  }
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
