import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectInfo } from '../object-store.js';
import { STAGING_SEGMENT, compareKeys, prefixFolder } from '../keys.js';
import { errorCode, isTempName } from './atomic-file.js';

/**
 * Every regular file under `root` whose key starts with `prefix` (already validated), sorted by
 * key. Skips the staging area, temp files and symlinks; only folders that can hold matching keys
 * are read. Files or folders removed while listing are skipped, not errors.
 */
export async function listFiles(root: string, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  await walk(root, prefixFolder(prefix), prefix, out);
  return out.sort((a, b) => compareKeys(a.key, b.key));
}

/** `folder` is a folder key: '' or `a/b/`. */
async function walk(root: string, folder: string, prefix: string, out: ObjectInfo[]): Promise<void> {
  const dir = folder === '' ? root : join(root, ...folder.slice(0, -1).split('/'));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return;
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (isTempName(entry.name) || (folder === '' && entry.name === STAGING_SEGMENT)) continue;
    const key = folder + entry.name;
    if (entry.isDirectory()) {
      const sub = `${key}/`;
      if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(root, sub, prefix, out);
    } else if (entry.isFile() && key.startsWith(prefix)) {
      files.push(key);
    }
  }
  const sizes = await Promise.all(
    files.map((key) =>
      stat(join(dir, key.slice(folder.length))).then(
        (s) => s.size,
        () => undefined,
      ),
    ),
  );
  files.forEach((key, i) => {
    const size = sizes[i];
    if (size !== undefined) out.push({ key, size });
  });
}
