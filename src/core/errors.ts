import type { Problem } from './types.js';

/**
 * Stable error codes. The prefix says which layer raised it:
 * CONFIG_* (the project's files), PLAN_* (graph, selection), EXEC_* (running a model),
 * STORE_* (metadata store), STORAGE_* (object store), PROTOCOL_* (a message between coordinator,
 * queue and workers that fails its schema), CLI_* (command line).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'PLAN_SELECTION'
  | 'PLAN_NOT_BUILT'
  | 'PLAN_CYCLE'
  | 'EXEC_SQL'
  | 'EXEC_DATA'
  | 'EXEC_FAILED'
  | 'EXEC_RESOURCE'
  | 'EXEC_INTERRUPTED'
  /** A work item ran longer than its model's `timeout`. */
  | 'EXEC_TIMEOUT'
  | 'STORE_MIGRATION'
  | 'STORE_NOT_FOUND'
  | 'STORE_CONFLICT'
  | 'STORE_UNAVAILABLE'
  | 'STORAGE_KEY'
  | 'STORAGE_IO'
  | 'STORAGE_CORRUPT'
  | 'METRICS_MALFORMED'
  | 'PROTOCOL_INVALID'
  | 'CLI_USAGE';

/**
 * What a failed attempt of a work item with this error is (guide: "Errors and exit codes"):
 * `code`, the same input fails the same way again (SQL, a cast, corrupt or contract-violating data, a missing
 * column), so the item fails at once; `infra`, the machine, store, network or a stop got in
 * the way, so another attempt may succeed. Errors without a code are `infra` (retried).
 */
export const FAILURE_KIND: Readonly<Record<ErrorCode, 'code' | 'infra'>> = {
  CONFIG_INVALID: 'code',
  CONFIG_NOT_FOUND: 'code',
  PLAN_SELECTION: 'code',
  PLAN_NOT_BUILT: 'code',
  PLAN_CYCLE: 'code',
  EXEC_SQL: 'code',
  EXEC_DATA: 'code',
  EXEC_FAILED: 'code',
  EXEC_RESOURCE: 'infra',
  EXEC_INTERRUPTED: 'infra',
  EXEC_TIMEOUT: 'code', // the model ran past its timeout: counted like an SQL error (docs/adr/0014-sandbox.md)
  STORE_MIGRATION: 'infra',
  STORE_NOT_FOUND: 'infra',
  STORE_CONFLICT: 'infra',
  STORE_UNAVAILABLE: 'infra',
  STORAGE_KEY: 'code',
  STORAGE_IO: 'infra',
  STORAGE_CORRUPT: 'code',
  METRICS_MALFORMED: 'code',
  PROTOCOL_INVALID: 'infra', // e.g. a spec version this worker does not know: another worker may
  CLI_USAGE: 'code',
};

/** `code` or `infra` for a failed attempt, from FAILURE_KIND by the error's code. */
export function failureKindOf(err: unknown): 'code' | 'infra' {
  return err instanceof SluiceError ? FAILURE_KIND[err.code] : 'infra';
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  /** Everything found wrong, for errors that report many problems at once (validation). */
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; problems?: readonly Problem[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

/** Thrown when a project has one or more problems; `problems` lists them all. */
export class ValidationError extends SluiceError {
  constructor(problems: readonly Problem[]) {
    super(
      'CONFIG_INVALID',
      `${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n${problems.map(formatProblem).join('\n')}`,
      { problems },
    );
    this.name = 'ValidationError';
  }
}

/** `models/a.sql:3: [model a] message` — the form every editor and terminal links. */
export function formatProblem(p: Problem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : '';
  const model = p.model ? `[model ${p.model}] ` : '';
  return `${where}${model}${p.message}`;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
