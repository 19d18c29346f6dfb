import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/run-cli.js';
import { shopProject } from '../../helpers/shop-project.js';
import { writeFile } from '../../helpers/temp-project.js';
import type { BadInputProject } from './case.js';

/**
 * The shop project (test/helpers/shop-project.ts), built once; `reset()` puts the built state
 * back at the same path before each case, so every case starts from a published warehouse.
 */
export interface BaseProject extends BadInputProject {
  reset(): void;
  cleanup(): void;
}

export async function buildBaseProject(): Promise<BaseProject> {
  const shop = await shopProject({ days: 3, perDay: 40 });
  const built = await runCli(['run', '-p', shop.root, '--workers', '1']);
  if (built.code !== 0) throw new Error(`the base project did not build:\n${built.stderr}${built.stdout}`);
  const pristine = mkdtempSync(join(tmpdir(), 'sluice-bad-input-pristine-'));
  copyExact(shop.root, pristine);
  return {
    root: shop.root,
    warehouse: shop.warehouse,
    write: (rel, content) => writeFile(shop.root, rel, content),
    reset: () => {
      rmSync(shop.root, { recursive: true, force: true });
      copyExact(pristine, shop.root);
    },
    cleanup: () => {
      shop.cleanup();
      rmSync(pristine, { recursive: true, force: true });
    },
  };
}

/**
 * A copy with the files' exact modification times (fingerprints include them; Node's cpSync with
 * preserveTimestamps rounds them through a double and a case would rebuild unchanged models).
 */
function copyExact(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  execFileSync('cp', ['-a', `${from}/.`, to]);
}
