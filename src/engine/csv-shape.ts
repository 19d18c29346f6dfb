import { readFileSync, statSync } from 'node:fs';

/** Delimiters a ragged file's header may hold when DuckDB read it as one column. */
const DELIMITERS = [',', ';', '\t', '|'] as const;
/** Lines read to find a ragged row (the sniffer samples about as many). */
const MAX_LINES = 100_000;

/**
 * Why DuckDB read a CSV file as a shape that is not its data (docs/adr/0015-schema-evolution.md):
 * an empty file (one VARCHAR column `column0`), or a ragged row that kept the sniffer from
 * detecting the delimiter (one column named like the whole header line): the line whose field
 * count differs from the header's. Undefined: neither (DuckDB's own errors name the line).
 */
export function csvShapeProblem(path: string, columns: readonly string[], delimiter?: string): string | undefined {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    return undefined;
  }
  if (size === 0 || (columns.length === 1 && columns[0] === 'column0' && readFileSync(path, 'utf8').trim() === '')) {
    return 'is empty: a CSV source file needs at least its header line';
  }
  if (columns.length !== 1) return undefined;
  const delim = delimiter ?? DELIMITERS.find((d) => columns[0]!.includes(d));
  if (delim === undefined) return undefined;
  const lines = readFileSync(path, 'utf8').split(/\r?\n/, MAX_LINES);
  const expected = fieldCount(lines[0]!, delim);
  const bad = lines.findIndex((l, i) => i > 0 && l.trim() !== '' && fieldCount(l, delim) !== expected);
  if (bad < 0) return undefined;
  return (
    `line ${bad + 1} has ${fieldCount(lines[bad]!, delim)} fields, the header (line 1) has ${expected}: ` +
    'DuckDB could not detect the CSV dialect of a file with ragged rows'
  );
}

/** Fields of one CSV line split by `delim`, outside double quotes. */
function fieldCount(line: string, delim: string): number {
  let n = 1;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delim && !quoted) n++;
  }
  return n;
}
