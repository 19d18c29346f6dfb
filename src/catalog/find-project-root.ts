import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SluiceError } from '../core/errors.js';

export const CONFIG_FILE = 'sluice.yaml';

/** The closest folder at or above `start` that holds `sluice.yaml`. */
export function findProjectRoot(start: string): string {
  const first = resolve(start);
  let dir = existsSync(first) && !statSync(first).isDirectory() ? dirname(first) : first;
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SluiceError('CONFIG_NOT_FOUND', `no ${CONFIG_FILE} found in ${first} or any folder above it`);
}
