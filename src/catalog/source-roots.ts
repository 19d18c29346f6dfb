import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Problem, ProjectConfig, SourceDef } from '../core/types.js';
import { PROBLEM } from './problem-codes.js';

/**
 * Sources may only read inside the project folder, the local object store's folder or a folder
 * of `paths.allowed_roots` (docs/adr/0014-sandbox.md): one problem per source outside them,
 * naming the root to add.
 */
export function sourceRootProblems(root: string, config: ProjectConfig, sources: readonly SourceDef[]): Problem[] {
  const roots = allowedRoots(root, config);
  const problems: Problem[] = [];
  for (const source of sources) {
    const path = resolve(root, source.path);
    if (roots.some((r) => inside(r, path))) continue;
    const folder = folderOf(path);
    problems.push({
      code: PROBLEM.sourceOutsideRoots,
      file: source.location.file,
      line: source.location.line,
      key: `sources.${source.name}.path`,
      message:
        `source '${source.name}' reads ${source.path}, outside the project folder and the allowed roots; ` +
        `to allow it, add its folder to sluice.yaml: paths: { allowed_roots: [${folder}] }`,
    });
  }
  return problems;
}

function allowedRoots(root: string, config: ProjectConfig): string[] {
  const roots = [root, ...config.paths.allowedRoots.map((r) => resolve(root, r))];
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(config.storage.objects)) roots.push(resolve(root, config.storage.objects));
  return roots;
}

/** The folder to allow: before a glob's first pattern character, a file's folder, or the folder itself. */
function folderOf(path: string): string {
  const glob = /[*?[]/.exec(path);
  if (glob) return dirname(`${path.slice(0, glob.index)}x`);
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return /\.[a-z0-9]+$/i.test(path) ? dirname(path) : path;
  }
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
