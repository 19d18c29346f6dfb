import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files below `dir` whose names end with one of `extensions`, as paths relative to `dir` with
 * `/` separators, sorted. Folders whose names start with `.` (`.git`, `.sluice`, editor state) are
 * skipped; hidden files are not (a stray `.x.sql` is reported, not ignored). Symbolic links to
 * files are followed, to folders are not, and dangling links (editor lock files) are skipped.
 */
export function listFiles(dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (abs: string, rel: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const childAbs = join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.')) visit(childAbs, childRel);
      } else if (extensions.some((e) => entry.name.endsWith(e)) && (entry.isFile() || isFileLink(childAbs)))
        out.push(childRel);
    }
  };
  visit(dir, '');
  return out.sort();
}

function isFileLink(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
