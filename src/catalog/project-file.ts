import { readFileSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve } from 'node:path';
import type { Problem } from '../core/types.js';
import { errorMessage } from '../core/errors.js';
import { PROBLEM } from './problem-codes.js';

/** `abs` relative to the project root with `/` separators, as problems name files. */
export function projectRelative(root: string, abs: string): string {
  return relative(root, abs).split('\\').join('/');
}

/** Resolves a configured path against the project root (absolute paths stay as they are). */
export function resolveInRoot(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** True when a relative path leaves the project root (`../x`, `data/../../x`). */
export function escapesRoot(path: string): boolean {
  if (isAbsolute(path)) return false;
  const normalized = posix.normalize(path.replace(/\\/g, '/'));
  return normalized === '..' || normalized.startsWith('../');
}

/** Reads a project file as UTF-8, or records a problem and returns undefined. */
export function readProjectFile(abs: string, file: string, problems: Problem[]): string | undefined {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    problems.push({ code: PROBLEM.readFailed, file, line: 1, message: `cannot read file: ${errorMessage(err)}` });
    return undefined;
  }
}
