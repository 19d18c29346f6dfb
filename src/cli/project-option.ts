import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { findProjectRoot } from '../catalog/find-project-root.js';
import { SluiceError } from '../core/errors.js';

/** Adds `-p, --project <dir>` to a command. */
export function withProject(cmd: Command): Command {
  return cmd.option(
    '-p, --project <dir>',
    'project folder (default: the folder holding sluice.yaml, from the current one up)',
  );
}

/**
 * Adds `--store <url>` and `--objects <uri>` to a command that opens the stores: they override
 * `storage.metadata` and `storage.objects` for this process and the workers it starts (through
 * SLUICE_STORE and SLUICE_OBJECTS, which `buildProgram`'s hook sets before the action runs).
 */
export function withStores(cmd: Command): Command {
  return cmd
    .option(
      '--store <url>',
      'metadata store and queue, e.g. postgres://host/db (default: storage.metadata, or $SLUICE_STORE)',
    )
    .option(
      '--objects <uri>',
      'object store, e.g. s3://bucket/prefix or a folder (default: storage.objects, or $SLUICE_OBJECTS)',
    );
}

/** The project folder: `--project` must exist (then sluice.yaml is looked for there and above it). */
export function projectRoot(opts: { project?: string }): string {
  if (opts.project === undefined) return findProjectRoot(process.cwd());
  const dir = resolve(opts.project);
  if (!existsSync(dir)) throw new SluiceError('CONFIG_NOT_FOUND', `--project ${opts.project}: no such folder`);
  return findProjectRoot(dir);
}

/** `--select a b` and `--select a,b` both work; repeated flags add up. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
