import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitModelFile } from './model-header.js';

describe('splitModelFile', () => {
  it('separates header and body and finds the body line', () => {
    const r = splitModelFile('\n\n/*---\ntype: fact\n---*/\n\n  select 1\nfrom t;\n\n');
    assert.ok(r.ok);
    assert.equal(r.headerLine, 3);
    assert.equal(r.header, 'type: fact');
    assert.equal(r.sql, '  select 1\nfrom t');
    assert.equal(r.sqlLine, 7);
  });

  it('removes trailing semicolons even before a comment, but not inside strings', () => {
    const r = splitModelFile("/*---\n---*/\nselect ';' as x; -- done\n;\n");
    assert.ok(r.ok);
    assert.equal(r.sql, "select ';' as x -- done");
    const q = splitModelFile("/*---\n---*/\nselect 'a;'\n");
    assert.ok(q.ok);
    assert.equal(q.sql, "select 'a;'");
  });

  it('handles CRLF line endings', () => {
    const r = splitModelFile('/*---\r\ntype: fact\r\n---*/\r\nselect 1\r\n');
    assert.ok(r.ok);
    assert.equal(r.sql, 'select 1');
    assert.equal(r.sqlLine, 4);
  });

  it('points an empty body at the closing marker', () => {
    const r = splitModelFile('/*---\ntype: fact\n---*/\n  \n');
    assert.ok(r.ok);
    assert.equal(r.sql, '');
    assert.equal(r.sqlLine, 3);
    const semicolon = splitModelFile('/*---\ntype: fact\n---*/\n\n  ;');
    assert.ok(semicolon.ok);
    assert.equal(semicolon.sql, '');
    assert.equal(semicolon.sqlLine, 5);
  });

  it('rejects a missing, inline or unclosed header at its line', () => {
    const missing = splitModelFile('\nselect 1');
    assert.deepEqual([missing.ok, !missing.ok && missing.line], [false, 2]);
    const inline = splitModelFile('/*--- type: fact ---*/\nselect 1');
    assert.ok(!inline.ok);
    assert.match(inline.message, /alone on its line/);
    const unclosed = splitModelFile('\n/*---\ntype: fact\nselect 1');
    assert.ok(!unclosed.ok);
    assert.equal(unclosed.line, 2);
    assert.match(unclosed.message, /never closed/);
  });
});
