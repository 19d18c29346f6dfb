import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelDef, OnSchemaChange } from '../core/types.js';
import { checkSchemaChange, describeSchemaChange, schemaChange } from './schema-change.js';

const before = [
  { name: 'day', type: 'DATE' },
  { name: 'n', type: 'BIGINT' },
];
const modelWith = (onSchemaChange?: OnSchemaChange) =>
  ({
    name: 'fct',
    file: 'models/fct.sql',
    location: { file: 'models/fct.sql', line: 1 },
    ...(onSchemaChange && { onSchemaChange }),
  }) as unknown as ModelDef;
const previous = { snapshot: 3, columns: before };

describe('schema change between snapshots', () => {
  it('is none when only the order differs', () => {
    assert.equal(schemaChange(before, [...before].reverse()), null);
  });

  it('lists added, removed and retyped columns', () => {
    const change = schemaChange(before, [
      { name: 'day', type: 'VARCHAR' },
      { name: 'top', type: 'INTEGER' },
    ])!;
    assert.equal(describeSchemaChange(change), 'added top INTEGER; removed n BIGINT; retyped day DATE -> VARCHAR');
  });

  it('fail (the default) refuses any change, naming the model, its line, the columns and the key', () => {
    assert.throws(
      () => checkSchemaChange(modelWith(), previous, [...before, { name: 'x', type: 'INTEGER' }], false),
      /models\/fct\.sql:1: \[model fct\] its columns changed since snapshot 3: added x INTEGER; on_schema_change: fail refuses it/,
    );
  });

  it('append_new_columns allows added columns only', () => {
    checkSchemaChange(modelWith('append_new_columns'), previous, [...before, { name: 'x', type: 'INTEGER' }], false);
    assert.throws(
      () => checkSchemaChange(modelWith('append_new_columns'), previous, before.slice(0, 1), false),
      /removed n BIGINT; on_schema_change: append_new_columns/,
    );
  });

  it('sync_all_columns, --full-refresh and a first build allow anything', () => {
    const next = [{ name: 'day', type: 'VARCHAR' }];
    checkSchemaChange(modelWith('sync_all_columns'), previous, next, false);
    checkSchemaChange(modelWith(), previous, next, true);
    checkSchemaChange(modelWith(), undefined, next, false);
  });
});
