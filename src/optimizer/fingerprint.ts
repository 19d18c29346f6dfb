import { createHash } from 'node:crypto';
import type { ModelDef } from '../core/types.js';

/**
 * A task's fingerprint: a hash of everything its output depends on. Two builds with the same
 * fingerprint produce the same rows (models are deterministic, as the guide requires), so a
 * task whose fingerprint equals the one recorded in the model's current manifest is skipped
 * (docs/adr/0010-pruning-fingerprints-incremental.md). Bump FINGERPRINT_VERSION when what
 * goes in changes meaning.
 */
export const FINGERPRINT_VERSION = 2;

/** What an input contributes: its identity and the identity of every file the task reads. */
export type InputIdentity =
  | {
      readonly name: string;
      readonly kind: 'files';
      /** How the files are read (format, hive partitioning, CSV options, column contract). */
      readonly read: unknown;
      /**
       * [path, bytes, mtime in ms] of every selected file, sorted by path; the path is relative to
       * the project root (v2), so a moved or copied project (mtimes kept) rebuilds nothing.
       */
      readonly files: readonly (readonly [string, number, number])[];
    }
  | {
      readonly name: string;
      readonly kind: 'snapshot';
      /** [key, bytes]: keys are unique per attempt, so they identify the upstream build. */
      readonly files: readonly (readonly [string, number])[];
    };

/** The header keys that change a model's output or its layout. */
export function modelIdentity(m: Pick<ModelDef, 'sql' | 'partitionBy' | 'splitBy'>): unknown {
  return { sql: m.sql, partitionBy: m.partitionBy, splitBy: m.splitBy };
}

export function fingerprint(model: unknown, inputs: readonly InputIdentity[]): string {
  const doc = JSON.stringify({
    v: FINGERPRINT_VERSION,
    model,
    inputs: [...inputs].sort((a, b) => (a.name < b.name ? -1 : 1)),
  });
  return `sha256:${createHash('sha256').update(doc).digest('hex')}`;
}
