import { SluiceError } from '../core/errors.js';
import type { RunRecord } from '../core/types.js';
import type { MetadataStore } from '../store/metadata-store.js';

/** A run by id or by a unique prefix of one. */
export async function findRun(store: Pick<MetadataStore, 'getRun' | 'listRuns'>, arg: string): Promise<RunRecord> {
  const exact = await store.getRun(arg);
  if (exact) return exact;
  const matches = (await store.listRuns({ limit: 10_000 })).filter((r) => r.id.startsWith(arg));
  if (matches.length === 1) return matches[0]!;
  throw new SluiceError('CLI_USAGE', matches.length === 0 ? `no run '${arg}' (sluice status lists them)` : `'${arg}' matches ${matches.length} runs; give more of the id`);
}

/** The run `arg` names, or the latest run when `arg` is undefined (CLI_USAGE if there is none). */
export async function findRunOrLatest(store: Pick<MetadataStore, 'getRun' | 'listRuns'>, arg: string | undefined): Promise<RunRecord> {
  if (arg !== undefined) return findRun(store, arg);
  const [latest] = await store.listRuns({ limit: 1 });
  if (!latest) throw new SluiceError('CLI_USAGE', 'no runs yet: sluice run starts one');
  return latest;
}
