import { SluiceError } from '../core/errors.js';
import type { RunRecord } from '../core/types.js';
import { loadProject } from '../catalog/load-project.js';
import { openStores } from '../runtime/open-runtime.js';
import type { MetadataStore } from '../store/metadata-store.js';

/** A run by id or by a unique prefix of one. */
export async function findRun(store: Pick<MetadataStore, 'getRun' | 'listRuns'>, arg: string): Promise<RunRecord> {
  const exact = await store.getRun(arg);
  if (exact) return exact;
  const matches = (await store.listRuns({ limit: 10_000 })).filter((r) => r.id.startsWith(arg));
  if (matches.length === 1) return matches[0]!;
  throw new SluiceError(
    'CLI_USAGE',
    matches.length === 0
      ? `no run '${arg}' (sluice status lists them)`
      : `'${arg}' matches ${matches.length} runs; give more of the id`,
  );
}

/** The full id of a run of the project at `root`, from an id or a unique prefix. */
export async function resolveRunId(root: string, arg: string): Promise<string> {
  const stores = await openStores(await loadProject(root));
  try {
    return (await findRun(stores.store, arg)).id;
  } finally {
    await stores.close();
  }
}

/** The run `arg` names, or the latest run when `arg` is undefined (CLI_USAGE if there is none). */
export async function findRunOrLatest(
  store: Pick<MetadataStore, 'getRun' | 'listRuns'>,
  arg: string | undefined,
): Promise<RunRecord> {
  if (arg !== undefined) return findRun(store, arg);
  const [latest] = await store.listRuns({ limit: 1 });
  if (!latest) throw new SluiceError('CLI_USAGE', 'no runs yet: sluice run starts one');
  return latest;
}
