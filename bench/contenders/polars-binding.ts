import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHILD_ENV } from '../child.js';
import { REPO_ROOT } from './naive-task.js';

/**
 * Whether the peer (nodejs-polars) can run here, and the environment its process needs.
 *
 * nodejs-polars loads a native library from a per-platform package (nodejs-polars-linux-x64-gnu,
 * ...) that npm installs as an optional dependency. Version 0.25.2's platform packages declare
 * `engines: { node: ">= 22" }`, and npm silently skips an optional dependency whose engines do
 * not match, so on Node 20 `npm ci` leaves nodejs-polars without its library. In that case this
 * fetches the same package with `npm pack` (the ordinary npm client, the registry the project
 * already uses) into node_modules/.cache/sluice-bench/ and points NODE_PATH at it. Whatever
 * happens is said in the report; a peer that cannot load is reported as unavailable.
 */
export interface PolarsAvailability {
  readonly ok: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** How it was loaded, or why not. */
  readonly note: string;
}

const CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'sluice-bench', 'polars');

function probe(env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(process.execPath, ['-e', "require('nodejs-polars')"], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  if (r.status === 0) return undefined;
  return (
    (r.stderr || r.stdout || `exit code ${r.status}`).split('\n').find((l) => /Error/.test(l)) ??
    'cannot load nodejs-polars'
  );
}

function platformPackage(): { name: string; version: string } | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'nodejs-polars', 'package.json'), 'utf8')) as {
      version: string;
      optionalDependencies?: Record<string, string>;
    };
    const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
      ?.glibcVersionRuntime;
    const abi = process.platform === 'linux' ? (glibc ? '-gnu' : '-musl') : process.platform === 'win32' ? '-msvc' : '';
    const name = `nodejs-polars-${process.platform}-${process.arch}${abi}`;
    const version = pkg.optionalDependencies?.[name];
    return version ? { name, version } : undefined;
  } catch {
    return undefined;
  }
}

export function preparePolars(log: (line: string) => void = () => {}): PolarsAvailability {
  const installed = probe(CHILD_ENV);
  if (installed === undefined)
    return { ok: true, env: CHILD_ENV, note: 'nodejs-polars with its native package, as npm installed them' };
  const pkg = platformPackage();
  if (!pkg)
    return {
      ok: false,
      env: CHILD_ENV,
      note: `nodejs-polars does not load (${installed}) and has no native package for ${process.platform}-${process.arch}`,
    };

  const modules = join(CACHE, 'node_modules');
  const target = join(modules, pkg.name);
  if (!existsSync(join(target, 'package.json'))) {
    log(`  nodejs-polars does not load (${installed}); fetching ${pkg.name}@${pkg.version} with npm pack`);
    rmSync(CACHE, { recursive: true, force: true });
    mkdirSync(modules, { recursive: true });
    const packed = spawnSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--pack-destination', CACHE, '--silent'], {
      cwd: CACHE,
      encoding: 'utf8',
    });
    const tgz = readdirSync(CACHE).find((f) => f.endsWith('.tgz'));
    if (packed.status !== 0 || !tgz)
      return {
        ok: false,
        env: CHILD_ENV,
        note: `nodejs-polars does not load (${installed}) and npm pack ${pkg.name}@${pkg.version} failed: ${packed.stderr.trim()}`,
      };
    const untar = spawnSync('tar', ['xzf', join(CACHE, tgz), '-C', CACHE], { encoding: 'utf8' });
    if (untar.status !== 0) return { ok: false, env: CHILD_ENV, note: `cannot unpack ${tgz}: ${untar.stderr.trim()}` };
    renameSync(join(CACHE, 'package'), target);
    rmSync(join(CACHE, tgz));
  }
  const env = { ...CHILD_ENV, NODE_PATH: modules };
  const fetched = probe(env);
  if (fetched !== undefined)
    return { ok: false, env, note: `nodejs-polars does not load even with ${pkg.name}@${pkg.version}: ${fetched}` };
  const engines = (JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { engines?: { node?: string } })
    .engines?.node;
  return {
    ok: true,
    env,
    note: `npm skipped the optional ${pkg.name}@${pkg.version} (engines: node ${engines ?? '?'}; this is Node ${process.versions.node}); fetched with npm pack into node_modules/.cache/sluice-bench, loads and runs on this Node`,
  };
}
