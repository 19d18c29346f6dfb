import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadProject } from '../../src/catalog/load-project.js';
import { initExample } from '../../src/example/init-example.js';

export interface ClinicFixture {
  /** Absolute path of the project. */
  readonly root: string;
  /** The object store folder (`<root>/warehouse`). */
  readonly warehouse: string;
  /** The metadata store file (`<root>/.sluice/sluice.db`). */
  readonly db: string;
  /** Every model of the example, sorted. */
  readonly models: readonly string[];
  readonly cleanup: () => void;
}

export interface ClinicOptions {
  /** Daily partitions of raw data (default 3). */
  readonly days?: number;
  /** Data volume multiplier (default 0.05: a few thousand rows, runs in seconds). */
  readonly scale?: number;
  readonly seed?: number;
  /** `execution:` keys of sluice.yaml as written there (e.g. `{ lease_seconds: 1.5 }`). */
  readonly execution?: Readonly<Record<string, unknown>>;
}

/**
 * The clinic example (14 models over three business units) in a fresh temporary folder, with
 * small generated data and a sluice.yaml whose `execution` section the test chooses (short
 * leases, fast backoff, ...). The example's models are used unchanged.
 */
export async function clinicProject(opts: ClinicOptions = {}): Promise<ClinicFixture> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-clinic-'));
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  try {
    await initExample(root, { days: opts.days ?? 3, scale: opts.scale ?? 0.05, seed: opts.seed ?? 42, force: true });
    const config = { name: 'clinic', ...(opts.execution && { execution: opts.execution }) };
    writeFileSync(join(root, 'sluice.yaml'), stringify(config));
    const project = await loadProject(root);
    return {
      root,
      warehouse: join(root, 'warehouse'),
      db: join(root, '.sluice/sluice.db'),
      models: [...project.models.keys()].sort(),
      cleanup,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}
