import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A project declared inline: `files` maps paths relative to the project root to contents.
 * Returns the root and a cleanup function.
 */
export function writeProject(files: Record<string, string>): {
  root: string;
  cleanup: () => void;
  write: (rel: string, content: string) => void;
} {
  const root = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  for (const [rel, content] of Object.entries(files)) writeFile(root, rel, content);
  return {
    root,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
    write: (rel: string, content: string) => writeFile(root, rel, content),
  };
}

export function writeFile(root: string, rel: string, content: string): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** A model file with a header. */
export function model(header: Record<string, unknown>, sql: string): string {
  const lines = Object.entries(header).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `/*---\n${lines.join('\n')}\n---*/\n${sql}\n`;
}
