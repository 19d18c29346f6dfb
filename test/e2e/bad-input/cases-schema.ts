import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { model } from '../../helpers/temp-project.js';
import type { BadInputCase } from './case.js';

const sales = { type: 'report', business_unit: 'sales' };
const dim = { type: 'dimension', business_unit: 'sales' };
const rptCity = 'select city, sum(revenue) as revenue from rpt_daily group by city';

const contract = [
  'sources:',
  '  customers:',
  '    format: csv',
  '    path: data/customers.csv',
  '    columns: { customer_id: INTEGER, name: VARCHAR, city: VARCHAR }',
  '  orders:',
  '    format: parquet',
  '    path: data/orders',
  '    hive_partitioning: true',
  '',
].join('\n');
const CONTRACT_ERROR =
  "sources/shop\\.yml:2: \\[source customers\\] data/customers\\.csv does not match the source's columns: contract: Conversion Error: CSV Error on Line: 22";
const goodRows = Array.from({ length: 50 }, (_, i) => `${i},cust ${i},${['Lyon', 'Paris', 'Nice'][i % 3]}`);

/** Schemas: published columns that change, partition values that do not fit, contracts, CSV. */
export const cases: readonly BadInputCase[] = [
  {
    name: 'schema: a retyped column with the default policy fails the model',
    files: {
      'models/rpt_city.sql': model(sales, 'select city, sum(revenue)::VARCHAR as revenue from rpt_daily group by city'),
    },
    args: ['run', '-p', '@root'],
    exit: 1,
    message:
      /models\/rpt_city\.sql:1: \[model rpt_city\] its columns changed since snapshot 1: retyped revenue DECIMAL\(38,2\) -> VARCHAR; on_schema_change: fail/,
  },
  {
    name: 'schema: a removed column with the default policy fails the model',
    files: { 'models/rpt_city.sql': model(sales, 'select city from rpt_daily group by city') },
    args: ['run', '-p', '@root'],
    exit: 1,
    message:
      /models\/rpt_city\.sql:1: \[model rpt_city\] its columns changed .*removed revenue DECIMAL\(38,2\); on_schema_change: fail/,
  },
  {
    name: 'schema: append_new_columns still refuses a removed column',
    files: {
      'models/rpt_city.sql': model(
        { ...sales, on_schema_change: 'append_new_columns' },
        'select city from rpt_daily group by city',
      ),
    },
    args: ['run', '-p', '@root'],
    exit: 1,
    message:
      /models\/rpt_city\.sql:1: \[model rpt_city\] .*removed revenue .*on_schema_change: append_new_columns refuses it .*sync_all_columns/,
  },
  {
    name: 'schema: an added column from defaults.on_schema_change: append_new_columns publishes',
    files: {
      'sluice.yaml': 'name: shop\ndefaults:\n  on_schema_change: append_new_columns\n',
      'models/rpt_city.sql': model(
        sales,
        `select city, sum(revenue) as revenue, count(*) as days from rpt_daily group by city`,
      ),
    },
    args: ['run', '-p', '@root'],
    exit: 0,
    message: /rpt_city/,
    mayPublish: ['rpt_city'],
  },
  {
    name: 'schema: --full-refresh rebuilds a retyped column under the default policy',
    files: {
      'models/rpt_city.sql': model(sales, 'select city, sum(revenue)::VARCHAR as revenue from rpt_daily group by city'),
    },
    args: ['run', '-p', '@root', '--select', 'rpt_city', '--full-refresh'],
    exit: 0,
    message: /rpt_city/,
    mayPublish: ['rpt_city'],
  },
  {
    name: 'schema: a bad on_schema_change value in a model header',
    files: { 'models/rpt_city.sql': model({ ...sales, on_schema_change: 'ignore' }, rptCity) },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message:
      /models\/rpt_city\.sql:4: \[model rpt_city\] .*on_schema_change.*expected one of fail, append_new_columns, sync_all_columns/,
  },
  {
    name: 'schema: a bad defaults.on_schema_change in sluice.yaml',
    files: { 'sluice.yaml': 'name: shop\ndefaults:\n  on_schema_change: overwrite\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*on_schema_change.*expected one of fail, append_new_columns, sync_all_columns/,
  },
  {
    name: 'partition: a stray source folder whose value is not a DATE like the others',
    setup: (p) => {
      const day = join(p.root, 'data/orders/order_date=2024-01-01');
      const stray = join(p.root, 'data/orders/order_date=..%2F..%2Fx');
      mkdirSync(stray, { recursive: true });
      for (const f of readdirSync(day)) cpSync(join(day, f), join(stray, f));
    },
    args: ['run', '-p', '@root'],
    exit: 1,
    message:
      /sources\/shop\.yml:6: \[source orders\] folder data\/orders\/order_date=\.\.%2F\.\.%2Fx\/: order_date = '\.\.\/\.\.\/x' is not a DATE, the type of its other 3 folder\(s\)/,
  },
  {
    name: 'csv: a ragged row names the file and the row',
    files: {
      'data/customers.csv': [
        'customer_id,name,city',
        ...goodRows.slice(0, 10),
        '10,cust 10,Lyon,extra',
        ...goodRows.slice(11),
      ].join('\n'),
    },
    args: ['run', '-p', '@root'],
    exit: 2,
    message:
      /sources\/shop\.yml:2: .*customers.*data\/customers\.csv line 12 has 4 fields, the header \(line 1\) has 3/,
  },
  {
    name: 'csv: an empty file names the file',
    files: { 'data/customers.csv': '' },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /sources\/shop\.yml:2: .*customers.*data\/customers\.csv is empty/,
  },
  {
    name: 'contract: a violating row fails every model that reads the source, with one message',
    files: {
      'sources/shop.yml': contract,
      'data/customers.csv': [
        'customer_id,name,city',
        ...goodRows.slice(0, 20),
        'twenty,cust 20,Lyon',
        ...goodRows.slice(21),
      ].join('\n'),
      'models/dim_cities.sql': model(dim, 'select distinct city from customers'),
    },
    args: ['run', '-p', '@root'],
    exit: 1,
    message: new RegExp(
      ['dim_cities', 'dim_customers'].map((m) => `${m} .*FAILED: ${CONTRACT_ERROR}`).join('[\\s\\S]*'),
    ),
  },
];
