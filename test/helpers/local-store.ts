import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/storage/local/local-object-store.js';

/** Run `fn` with a local object store in a fresh temporary folder, closed and removed afterwards. */
export async function withLocalStore(
  fn: (objects: LocalObjectStore) => Promise<void>,
  options: { durable?: boolean } = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-objects-'));
  const objects = new LocalObjectStore(dir, options);
  try {
    await fn(objects);
  } finally {
    await objects.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
