/**
 * A small SQL scanner that skips strings, quoted identifiers, comments and dollar-quoted text.
 * Used only to point at places in model SQL (where a second statement starts, the first
 * keyword); DuckDB does the real parsing.
 */

/** Offsets at which each statement's first token starts (statements separated by `;`). */
export function statementStarts(sql: string): number[] {
  const starts: number[] = [];
  let expectStart = true;
  scan(sql, (offset, ch) => {
    if (ch === ';') expectStart = true;
    else if (expectStart) {
      starts.push(offset);
      expectStart = false;
    }
  });
  return starts;
}

/**
 * Removes semicolons that end the text, even when comments follow them
 * (`select 1; -- done` becomes `select 1 -- done`), so the SQL can be wrapped in other statements.
 */
export function stripTrailingSemicolons(sql: string): string {
  let out = sql;
  for (;;) {
    let last = -1;
    scan(out, (offset) => {
      last = offset;
    });
    if (last < 0 || out[last] !== ';') return out;
    out = `${out.slice(0, last)}${out.slice(last + 1)}`.trimEnd();
  }
}

/** The first word of the SQL (after comments), uppercased, e.g. `INSERT`; '' if none. */
export function firstKeyword(sql: string): string {
  const start = statementStarts(sql)[0];
  if (start === undefined) return '';
  return (/^[A-Za-z_]+/.exec(sql.slice(start))?.[0] ?? sql.slice(start, start + 1)).toUpperCase();
}

/** Calls `visit` for the first character of each token outside comments and whitespace. */
function scan(sql: string, visit: (offset: number, ch: string) => void): void {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (ch === "'" || ch === '"') {
      visit(i, ch);
      i = skipQuoted(sql, i, ch);
    } else if (ch === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      visit(i, ch);
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
    } else {
      visit(i, ch);
      i++;
    }
  }
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
