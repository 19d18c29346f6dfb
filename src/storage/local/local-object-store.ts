import { mkdirSync } from 'node:fs';
import { link, lstat, mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SluiceError, errorMessage } from '../../core/errors.js';
import type { ObjectInfo, ObjectStore } from '../object-store.js';
import { STAGING_SEGMENT, assertListPrefix, assertObjectKey, assertStagingId, compareKeys } from '../keys.js';
import {
  copyToTempFile,
  errorCode,
  fsyncPath,
  isTempName,
  removeEmptyFolders,
  withParentFolder,
  writeTempFile,
} from './atomic-file.js';
import { listFiles } from './list-files.js';

/**
 * The object store as a local folder: object `a/b/c` is the file `<root>/a/b/c`.
 *
 * - Writes go to a temp file in the target folder (`.sluice-tmp-<random>`), are fsynced and then
 *   renamed (`put`) or hard-linked (`putIfAbsent`) into place, so readers never see partial
 *   objects and a crash leaves at most a temp file, which `list` skips.
 * - Staging folders live in `<root>/_staging/<id>/`, on the same file system, so `putFile` from
 *   them is a rename. Keys under `_staging/` are reserved.
 * - The store never creates symlinks; `list` reports regular files only.
 */
export class LocalObjectStore implements ObjectStore {
  readonly uri: string;
  readonly root: string;
  private readonly stagingRoot: string;
  private readonly durable: boolean;

  /**
   * `durable` (default true): fsync files and folders before a write counts as done, so that a
   * published snapshot survives power loss. Without it, publishing is still atomic against
   * process crashes (kill -9), which the page cache survives, but not against a machine crash.
   */
  constructor(root: string, options: { durable?: boolean } = {}) {
    this.durable = options.durable ?? true;
    if (!isAbsolute(root)) {
      throw new SluiceError('STORAGE_IO', `local object store root "${root}" must be an absolute path`);
    }
    this.root = resolve(root);
    this.stagingRoot = join(this.root, STAGING_SEGMENT);
    this.uri = pathToFileURL(this.root).href;
    try {
      mkdirSync(this.root, { recursive: true });
    } catch (err) {
      throw new SluiceError('STORAGE_IO', `cannot create object store folder ${this.root}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  private async sync(path: string): Promise<void> {
    if (this.durable) await fsyncPath(path);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const file = this.pathOf(key);
    const bytes = toBytes(body);
    await this.io('write', key, async () => {
      await withParentFolder(file, async () => {
        const temp = await writeTempFile(dirname(file), bytes, this.durable);
        try {
          await rename(temp, file);
        } catch (err) {
          await unlink(temp).catch(() => undefined);
          throw err;
        }
      });
      await this.sync(dirname(file));
    });
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const file = this.pathOf(key);
    const bytes = toBytes(body);
    return this.io('write', key, async () => {
      const created = await withParentFolder(file, async () => {
        const temp = await writeTempFile(dirname(file), bytes, this.durable);
        try {
          await link(temp, file); // atomic: fails with EEXIST when the key exists
          return true;
        } catch (err) {
          if (errorCode(err) !== 'EEXIST') throw err;
          if ((await lstat(file)).isDirectory())
            throw new SluiceError('STORAGE_IO', `${file}: a folder of objects has this name`);
          return false;
        } finally {
          await unlink(temp).catch(() => undefined);
        }
      });
      if (created) await this.sync(dirname(file));
      return created;
    });
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const file = this.pathOf(key);
    const source = resolve(localPath);
    await this.io(`move local file ${source} to`, key, async () => {
      if (!(await stat(source)).isFile()) throw new SluiceError('STORAGE_IO', `${source} is not a regular file`);
      await this.sync(source);
      await withParentFolder(file, async () => {
        try {
          await rename(source, file);
        } catch (err) {
          if (errorCode(err) !== 'EXDEV') throw err;
          const temp = await copyToTempFile(source, dirname(file), this.durable);
          try {
            await rename(temp, file);
          } catch (renameErr) {
            await unlink(temp).catch(() => undefined);
            throw renameErr;
          }
          await unlink(source).catch(() => undefined);
        }
      });
      await this.sync(dirname(file));
    });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const file = this.pathOf(key);
    return this.io('read', key, async () => {
      try {
        const buf = await readFile(file);
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (err) {
        if (isMissing(err) || errorCode(err) === 'EISDIR') return undefined; // a folder is not an object
        throw err;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(key);
    return this.io('stat', key, async () => {
      try {
        const st = await stat(file);
        return st.isFile() ? { key, size: st.size } : undefined;
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw err;
      }
    });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    assertListPrefix(prefix);
    return this.io('list prefix', prefix, () => listFiles(this.root, prefix));
  }

  async delete(keys: readonly string[]): Promise<void> {
    const files = keys.map((key) => this.pathOf(key));
    for (const [i, file] of files.entries()) {
      await this.io('delete', keys[i] ?? '', async () => {
        try {
          await unlink(file);
        } catch (err) {
          if (isMissing(err)) return;
          // A folder of objects is not an object: nothing to delete under this key.
          if ((errorCode(err) === 'EISDIR' || errorCode(err) === 'EPERM') && (await lstat(file)).isDirectory()) return;
          throw err;
        }
        await removeEmptyFolders(dirname(file), this.root);
      });
    }
  }

  /** The files of these keys (no check that they exist: a missing object is a missing file). */
  async localPaths(keys: readonly string[]): Promise<string[]> {
    return keys.map((key) => this.pathOf(key));
  }

  async createStaging(id: string): Promise<string> {
    const dir = join(this.stagingRoot, assertStagingId(id));
    try {
      await mkdir(this.stagingRoot, { recursive: true });
      await mkdir(dir);
    } catch (err) {
      const reason = errorCode(err) === 'EEXIST' ? 'it already exists' : errorMessage(err);
      throw new SluiceError('STORAGE_IO', `cannot create staging folder "${id}" in ${this.uri}: ${reason}`, {
        cause: err,
      });
    }
    return dir;
  }

  async removeStaging(id: string): Promise<void> {
    const dir = join(this.stagingRoot, assertStagingId(id));
    await this.io('remove staging folder', id, () => rm(dir, { recursive: true, force: true }));
  }

  async listStaging(): Promise<string[]> {
    return this.io('list staging folders', STAGING_SEGMENT, async () => {
      try {
        const entries = await readdir(this.stagingRoot, { withFileTypes: true });
        return entries
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort(compareKeys);
      } catch (err) {
        if (isMissing(err)) return [];
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  /** Validated key -> absolute file path, provably under root. */
  private pathOf(key: string): string {
    assertObjectKey(key);
    const segments = key.split('/');
    if (segments.some(isTempName)) {
      throw new SluiceError(
        'STORAGE_KEY',
        `invalid object key ${JSON.stringify(key)}: names starting with ".sluice-tmp-" are reserved for temp files`,
      );
    }
    const file = join(this.root, ...segments);
    if (!file.startsWith(this.root + sep)) {
      throw new SluiceError(
        'STORAGE_KEY',
        `invalid object key ${JSON.stringify(key)}: it resolves outside ${this.uri}`,
      );
    }
    return file;
  }

  private async io<T>(action: string, key: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof SluiceError) throw err;
      throw new SluiceError(
        'STORAGE_IO',
        `object store ${this.uri}: cannot ${action} ${JSON.stringify(key)}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
