import type { Manifest } from '../snapshot/manifest.js';

/**
 * Whether a compiled task can be skipped, and why: its fingerprint equals its current
 * snapshot's, or (incremental) no value of its split column is new or changed. Never with
 * `--full-refresh`. Shared by the coordinator (`run`) and `plan --explain`.
 */
export function skipReason(
  current: Manifest | undefined,
  compiled: { readonly fingerprint: string; readonly nothingToDo?: string },
  fullRefresh: boolean,
): string | undefined {
  if (!current || fullRefresh) return undefined;
  if (current.fingerprint === compiled.fingerprint)
    return `unchanged since snapshot ${current.snapshot} (run ${current.runId}): same SQL and input files`;
  if (compiled.nothingToDo !== undefined) return `${compiled.nothingToDo}; snapshot ${current.snapshot} kept`;
  return undefined;
}
