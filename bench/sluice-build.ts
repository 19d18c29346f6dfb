import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './contenders/naive-task.js';

/**
 * Which sluice the bench runs. Users run the compiled package (bin/sluice.js imports dist/), and
 * its worker processes start from compiled JavaScript; under tsx every worker would compile
 * TypeScript while it boots, inside the timed run. So the bench compiles src/ with the project's
 * own build settings into node_modules/.cache/sluice-bench/dist (never touching dist/, which
 * others may be running) and runs that. If the build fails (work in progress), it falls back to
 * src/ under tsx and says so.
 */
export interface SluiceBuild {
  /** Folder holding runtime/run-project.js (compiled, or src/ resolved by tsx). */
  readonly dir: string;
  readonly compiled: boolean;
  readonly note: string;
}

export function buildSluice(log: (line: string) => void = () => {}): SluiceBuild {
  const out = join(REPO_ROOT, 'node_modules', '.cache', 'sluice-bench', 'dist');
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(REPO_ROOT, 'tsconfig.build.json'),
      '--outDir',
      out,
      '--declaration',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (r.status === 0) {
    log(`  sluice compiled from src/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { dir: out, compiled: true, note: 'compiled JavaScript (tsconfig.build.json), as bin/sluice.js runs it' };
  }
  const why = (r.stdout || r.stderr).split('\n').filter(Boolean).slice(0, 3).join(' | ');
  log(`  sluice does not compile (${why}); running src/ under tsx instead`);
  return {
    dir: join(REPO_ROOT, 'src'),
    compiled: false,
    note: `src/ under tsx: the build failed (${why}); worker processes compile TypeScript while they start`,
  };
}
