import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError, errorMessage } from '../../core/errors.js';
import { compareKeys } from '../keys.js';

/**
 * Staging folders of a remote store: local folders `<root>/<id>/` (ids already validated as one
 * safe segment). `storeUri` only names the store in messages.
 */
export async function createStagingFolder(root: string, id: string, storeUri: string): Promise<string> {
  const dir = join(root, id);
  try {
    await mkdir(root, { recursive: true });
    await mkdir(dir);
  } catch (err) {
    const reason = (err as { code?: unknown }).code === 'EEXIST' ? 'it already exists' : errorMessage(err);
    throw new SluiceError(
      'STORAGE_IO',
      `cannot create staging folder "${id}" in ${root} (for ${storeUri}): ${reason}`,
      { cause: err },
    );
  }
  return dir;
}

export async function removeStagingFolder(root: string, id: string, storeUri: string): Promise<void> {
  try {
    await rm(join(root, id), { recursive: true, force: true });
  } catch (err) {
    throw new SluiceError(
      'STORAGE_IO',
      `cannot remove staging folder "${id}" in ${root} (for ${storeUri}): ${errorMessage(err)}`,
      { cause: err },
    );
  }
}

export async function listStagingFolders(root: string, storeUri: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(compareKeys);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw new SluiceError(
      'STORAGE_IO',
      `cannot list staging folders in ${root} (for ${storeUri}): ${errorMessage(err)}`,
      { cause: err },
    );
  }
}
