import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../../core/errors.js';
import { parsePostgresUrl, redactUrl, scrub } from './postgres-url.js';

describe('parsePostgresUrl', () => {
  it("takes sluice's schema and the server options out of the URL, and keeps the rest", () => {
    const t = parsePostgresUrl(
      'postgresql://sluice:p%40ss@db.internal:6432/meta?sslmode=require&schema=etl_prod&options=-c%20statement_timeout%3D5s',
    );
    assert.equal(t.schema, 'etl_prod');
    assert.equal(t.options, '-c statement_timeout=5s');
    assert.equal(t.connectionString, 'postgresql://sluice:p%40ss@db.internal:6432/meta?sslmode=require');
    assert.equal(
      t.label,
      'postgresql://sluice:***@db.internal:6432/meta?sslmode=require&schema=etl_prod&options=-c%20statement_timeout%3D5s',
    );
    assert.deepEqual(
      t.secrets.filter((s) => s.startsWith('p')),
      ['p%40ss', 'p@ss'],
    );
  });

  it("without a schema the server's search_path is used", () => {
    const t = parsePostgresUrl('postgres://127.0.0.1/test');
    assert.deepEqual([t.schema, t.options, t.label], [undefined, undefined, 'postgres://127.0.0.1/test']);
  });

  it('refuses a schema that is not a plain lowercase identifier, without showing the password', () => {
    for (const schema of ['Etl', 'a-b', 'x;drop', '1abc', '']) {
      assert.throws(
        () => parsePostgresUrl(`postgres://u:hunter2@h/db?schema=${encodeURIComponent(schema)}`),
        (err: unknown) =>
          err instanceof SluiceError &&
          err.code === 'CONFIG_INVALID' &&
          /schema/.test(err.message) &&
          !err.message.includes('hunter2'),
      );
    }
  });
});

describe('redactUrl and scrub', () => {
  it('hide the password and keep the user', () => {
    assert.equal(redactUrl('postgres://u:secret@h:5432/db'), 'postgres://u:***@h:5432/db');
    assert.equal(redactUrl('postgres://u@h/db'), 'postgres://u@h/db');
    assert.equal(redactUrl('postgres://h/db?x=a@b'), 'postgres://h/db?x=a@b');
    assert.equal(scrub('login as u with secret failed (secret)', ['secret']), 'login as u with *** failed (***)');
  });
});
