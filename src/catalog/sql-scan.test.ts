import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstKeyword, statementStarts, stripTrailingSemicolons } from './sql-scan.js';

describe('sql-scan', () => {
  it('ignores semicolons in strings, quoted names, comments and dollar quotes', () => {
    const sql = `select ';', "a;b", $$x;y$$ -- c;\n/* d; /* nested; */ e; */ from t`;
    assert.deepEqual(statementStarts(sql), [0]);
    assert.equal(stripTrailingSemicolons(`${sql};`), sql);
  });

  it('finds where each statement starts', () => {
    const sql = '-- lead\nselect 1;\n  /* x */ insert into t values (1);';
    assert.deepEqual(statementStarts(sql), [sql.indexOf('select'), sql.indexOf('insert')]);
    assert.equal(firstKeyword(sql), 'SELECT');
    assert.equal(firstKeyword('/* c */ pivot t on x'), 'PIVOT');
    assert.equal(firstKeyword('-- only'), '');
  });
});
