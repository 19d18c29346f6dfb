import type { ErrorCode } from '../core/errors.js';
import type { RunnableModel } from '../protocol/runnable-model.js';

/**
 * DuckDB reports positions as `LINE n:` within the statement it was given. Translate that to
 * the model file's line, given the statement line on which the model's SQL starts.
 */
export function modelErrorLine(
  message: string,
  model: Pick<RunnableModel, 'sqlLine'>,
  sqlStartsOnStatementLine: number,
): number | undefined {
  const m = /LINE (\d+):/.exec(message);
  if (!m) return undefined;
  const statementLine = Number(m[1]);
  if (statementLine < sqlStartsOnStatementLine) return undefined;
  return model.sqlLine + statementLine - sqlStartsOnStatementLine;
}

/** DuckDB's message without the trailing source excerpt (`LINE n: ...` and the caret line). */
export function shortDuckDbMessage(message: string): string {
  const cut = message.search(/\n\s*\nLINE \d+:|\nLINE \d+:/);
  return (cut >= 0 ? message.slice(0, cut) : message).trim();
}

/**
 * The error code for a DuckDB error, from the type its message starts with (`Binder Error: …`).
 * Errors in the SQL or the data fail the same way on every attempt; I/O, memory and interrupts
 * may not (core/errors.ts FAILURE_KIND decides what is retried).
 */
export function duckDbErrorCode(message: string): ErrorCode {
  const type = /^([A-Za-z ]+?) Error:/.exec(message)?.[1];
  switch (type) {
    case 'Conversion':
    case 'Invalid Input':
    case 'Out of Range':
    case 'Constraint':
    case 'Mismatch Type':
      return 'EXEC_DATA';
    case 'IO':
    case 'HTTP':
    case 'Connection':
      return 'STORAGE_IO';
    case 'Out of Memory':
      return 'EXEC_RESOURCE';
    case 'INTERRUPT':
    case 'Interrupt':
      return 'EXEC_INTERRUPTED';
    default:
      return 'EXEC_SQL';
  }
}
