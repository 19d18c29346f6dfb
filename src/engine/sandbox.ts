import type { DuckDBConnection } from '@duckdb/node-api';
import { statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { quoteList } from './sql-quote.js';

/**
 * What a DuckDB instance that runs user SQL may touch (docs/adr/0014-sandbox.md): folders (with
 * everything below them) and single files. Everything else is refused by DuckDB itself.
 */
export interface SandboxAccess {
  readonly directories: readonly string[];
  readonly files: readonly string[];
}

export const NO_ACCESS: SandboxAccess = { directories: [], files: [] };

/** Characters that make a path a glob pattern for DuckDB. */
const GLOB_CHARS = /[*?[\]{}]/;

/**
 * The access reading these paths needs: a glob needs the folder before its first pattern
 * character, a folder itself, a file just itself.
 */
export function accessForPaths(paths: readonly string[]): SandboxAccess {
  const directories: string[] = [];
  const files: string[] = [];
  for (const path of paths) {
    const glob = GLOB_CHARS.exec(path);
    if (glob) directories.push(dirname(`${path.slice(0, glob.index)}x`));
    else if (isDirectory(path)) directories.push(path);
    else files.push(path);
  }
  return { directories, files };
}

export function mergeAccess(...parts: readonly SandboxAccess[]): SandboxAccess {
  return {
    directories: [...new Set(parts.flatMap((p) => p.directories).map(asFolder))].sort(),
    files: [...new Set(parts.flatMap((p) => p.files).map((f) => resolve(f)))].sort(),
  };
}

/**
 * The statements that lock an instance to `access`, in the order DuckDB needs: the allowed
 * folders and files, then no other file system access, then no further configuration changes
 * (user SQL cannot SET any of them back). As SET statements: the same options given to
 * `DuckDBInstance.create` fail on 1.5.6.
 */
export function sandboxStatements(access: SandboxAccess): string[] {
  const merged = mergeAccess(access);
  return [
    `SET allowed_directories = ${quoteList(merged.directories)}`,
    `SET allowed_paths = ${quoteList(merged.files)}`,
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}

/** Apply the sandbox to the instance `conn` belongs to (it holds for every connection of it). */
export async function applySandbox(conn: DuckDBConnection, access: SandboxAccess): Promise<void> {
  for (const statement of sandboxStatements(access)) await conn.run(statement);
}

/** With a trailing separator, so `/data/a` does not also allow `/data/ab`. */
function asFolder(path: string): string {
  const abs = resolve(path);
  return abs.endsWith(sep) ? abs : `${abs}${sep}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
