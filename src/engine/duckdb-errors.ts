import type { RunnableModel } from '../protocol/runnable-model.js';

/**
 * DuckDB reports positions as `LINE n:` within the statement it was given. Translate that to
 * the model file's line, given the statement line on which the model's SQL starts.
 */
export function modelErrorLine(message: string, model: Pick<RunnableModel, 'sqlLine'>, sqlStartsOnStatementLine: number): number | undefined {
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
