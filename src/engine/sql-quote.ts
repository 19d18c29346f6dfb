import { SluiceError } from '../core/errors.js';
/** Quote an SQL identifier for DuckDB: wrap in double quotes, doubling any inside. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quote a string literal for DuckDB: wrap in single quotes, doubling any inside. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new SluiceError('EXEC_DATA', 'NUL character in SQL literal');
  return `'${value.replaceAll("'", "''")}'`;
}

/** A DuckDB list literal of strings: ['a', 'b']. */
export function quoteList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}
