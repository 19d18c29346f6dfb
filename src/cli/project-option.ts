import { resolve } from 'node:path';
import type { Command } from 'commander';
import { findProjectRoot } from '../catalog/find-project-root.js';

/** Adds `-p, --project <dir>` to a command. */
export function withProject(cmd: Command): Command {
  return cmd.option('-p, --project <dir>', 'project folder (default: the folder holding sluice.yaml, from the current one up)');
}

export function projectRoot(opts: { project?: string }): string {
  return opts.project ? findProjectRoot(resolve(opts.project)) : findProjectRoot(process.cwd());
}

/** `--select a b` and `--select a,b` both work; repeated flags add up. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
