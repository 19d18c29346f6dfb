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
  | 'EXEC_SQL'
  | 'EXEC_FAILED'
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
  | 'PROTOCOL_INVALID'
  | 'CLI_USAGE';

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
    super('CONFIG_INVALID', `${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n${problems.map(formatProblem).join('\n')}`, { problems });
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
