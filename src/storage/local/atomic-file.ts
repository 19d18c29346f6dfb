import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';

/**
 * File-system helpers for the local object store: temp files that are never mistaken for
 * objects, fsync of files and folders, and tidying folders left empty.
 */

const TEMP_PREFIX = '.sluice-tmp-';

/** True for names of temp files the store writes (and never lists or accepts as key segments). */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

export function tempPath(dir: string): string {
  return join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** Write `body` to a new temp file in `dir` and fsync it (unless `sync` is false); the temp file is removed on failure. */
export async function writeTempFile(dir: string, body: Uint8Array, sync = true): Promise<string> {
  const path = tempPath(dir);
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(body);
    if (sync) await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return path;
}

/** Copy `src` to a new, fsynced temp file in `dir` (for moves across file systems). */
export async function copyToTempFile(src: string, dir: string, sync = true): Promise<string> {
  const path = tempPath(dir);
  try {
    await copyFile(src, path, constants.COPYFILE_EXCL);
    if (sync) await fsyncPath(path);
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw err;
  }
  return path;
}

/** fsync a file or folder. Folders cannot be opened on some platforms; that is not an error. */
export async function fsyncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes(errorCode(err) ?? '')) return;
    throw err;
  }
  try {
    await handle.sync();
  } catch (err) {
    if (!['EINVAL', 'EBADF', 'EPERM'].includes(errorCode(err) ?? '')) throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Run `op` after creating `file`'s folder. A concurrent `delete` may remove a folder it just left
 * empty between the two steps; then `op` fails with ENOENT and is retried.
 */
export async function withParentFolder<T>(file: string, op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(file), { recursive: true });
    try {
      return await op();
    } catch (err) {
      if (errorCode(err) !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}

/** Remove `dir` and its parents while they are empty, stopping at (and never removing) `root`. */
export async function removeEmptyFolders(dir: string, root: string): Promise<void> {
  let current = dir;
  while (current.startsWith(root + sep)) {
    try {
      await rmdir(current);
    } catch (err) {
      const code = errorCode(err);
      if (code !== 'ENOENT') return; // ENOTEMPTY, EEXIST, EBUSY, ...: someone still uses it
    }
    current = dirname(current);
  }
}
