import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError, errorMessage } from '../core/errors.js';
import { generateClinicData, type DataSummary } from './generate-data.js';
import { GENERATE_DEFAULTS, resolveGenerateOptions } from './generate-options.js';

export interface InitOptions {
  /** Daily partitions of raw data to generate (default 30, 1..3650). */
  readonly days?: number;
  /** Data volume multiplier (default 1, > 0 and at most 1000). */
  readonly scale?: number;
  /** Integer seed of the generator (default 42). */
  readonly seed?: number;
  /** Write into a folder that is not empty (project files are overwritten). */
  readonly force?: boolean;
}

export interface InitSummary {
  /** Absolute path of the new project. */
  readonly dir: string;
  /** Project files copied from the example, relative to `dir`, sorted. */
  readonly files: readonly string[];
  /** The options the data was generated with. */
  readonly days: number;
  readonly scale: number;
  readonly seed: number;
  readonly data: DataSummary;
}

/**
 * Folders of the example that are never copied: generated data and run state. They exist
 * in the repository's copy only when someone ran the example in place.
 */
const SKIPPED = new Set(['data', '.sluice']);

/** The clinic example's files; resolves from both src/example/ and dist/example/. */
export function clinicExampleDir(): string {
  return fileURLToPath(new URL('../../examples/clinic/', import.meta.url));
}

/**
 * Creates the clinic example project in `dir`: copies examples/clinic/ and generates its raw
 * data under `dir/data/`. Refuses a folder that is not empty unless `force` is set.
 */
export async function initExample(dir: string, opts: InitOptions = {}): Promise<InitSummary> {
  const o = resolveGenerateOptions({
    days: opts.days ?? GENERATE_DEFAULTS.days,
    scale: opts.scale ?? GENERATE_DEFAULTS.scale,
    seed: opts.seed ?? GENERATE_DEFAULTS.seed,
  });
  const target = resolve(dir);
  const st = statSync(target, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) {
    throw new SluiceError('CLI_USAGE', `cannot create the example project in ${target}: it is a file, not a folder`);
  }
  if (st && readdirSync(target).length > 0 && !opts.force) {
    throw new SluiceError(
      'CLI_USAGE',
      `cannot create the example project in ${target}: the folder is not empty (use --force to write into it anyway)`,
    );
  }

  const source = clinicExampleDir();
  if (!statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
    throw new SluiceError('CONFIG_NOT_FOUND', `the clinic example is missing: expected a folder at ${source}`);
  }
  try {
    mkdirSync(target, { recursive: true });
    cpSync(source, target, {
      recursive: true,
      force: true,
      filter: (from) => {
        const rel = relative(source, from);
        return rel === '' || !SKIPPED.has(rel.split(sep)[0] ?? '');
      },
    });
  } catch (cause) {
    throw new SluiceError(
      'CLI_USAGE',
      `cannot copy the clinic example from ${source} to ${target}: ${errorMessage(cause)}`,
      { cause },
    );
  }

  const data = await generateClinicData(target, o);
  return {
    dir: target,
    files: projectFiles(source, source),
    days: o.days,
    scale: o.scale,
    seed: o.seed,
    data,
  };
}

function projectFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = resolve(dir, e.name);
    const rel = relative(root, path);
    if (SKIPPED.has(rel.split(sep)[0] ?? '')) continue;
    if (e.isDirectory()) out.push(...projectFiles(root, path));
    else out.push(rel.split(sep).join('/'));
  }
  return out.sort();
}
