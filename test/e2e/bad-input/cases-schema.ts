import { model } from '../../helpers/temp-project.js';
import type { BadInputCase } from './case.js';

const sales = { type: 'report', business_unit: 'sales' };
const rptCity = 'select city, sum(revenue) as revenue from rpt_daily group by city';

/** Schemas: published columns that change, partition values that do not fit, contracts, CSV. */
export const cases: readonly BadInputCase[] = [
  {
    name: 'schema: a retyped column with the default policy fails the model',
    files: { 'models/rpt_city.sql': model(sales, 'select city, sum(revenue)::VARCHAR as revenue from rpt_daily group by city') },
    args: ['run', '-p', '@root'],
    exit: 1,
    message: /models\/rpt_city\.sql:1: \[model rpt_city\] its columns changed since snapshot 1: retyped revenue DECIMAL\(38,2\) -> VARCHAR; on_schema_change: fail/,
  },
  {
    name: 'schema: a removed column with the default policy fails the model',
    files: { 'models/rpt_city.sql': model(sales, 'select city from rpt_daily group by city') },
    args: ['run', '-p', '@root'],
    exit: 1,
    message: /models\/rpt_city\.sql:1: \[model rpt_city\] its columns changed .*removed revenue DECIMAL\(38,2\); on_schema_change: fail/,
  },
  {
    name: 'schema: append_new_columns still refuses a removed column',
    files: { 'models/rpt_city.sql': model({ ...sales, on_schema_change: 'append_new_columns' }, 'select city from rpt_daily group by city') },
    args: ['run', '-p', '@root'],
    exit: 1,
    message: /models\/rpt_city\.sql:1: \[model rpt_city\] .*removed revenue .*on_schema_change: append_new_columns refuses it .*sync_all_columns/,
  },
  {
    name: 'schema: an added column from defaults.on_schema_change: append_new_columns publishes',
    files: {
      'sluice.yaml': 'name: shop\ndefaults:\n  on_schema_change: append_new_columns\n',
      'models/rpt_city.sql': model(sales, `select city, sum(revenue) as revenue, count(*) as days from rpt_daily group by city`),
    },
    args: ['run', '-p', '@root'],
    exit: 0,
    message: /rpt_city/,
    mayPublish: ['rpt_city'],
  },
  {
    name: 'schema: a bad on_schema_change value in a model header',
    files: { 'models/rpt_city.sql': model({ ...sales, on_schema_change: 'ignore' }, rptCity) },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:4: \[model rpt_city\] .*on_schema_change.*expected one of fail, append_new_columns, sync_all_columns/,
  },
  {
    name: 'schema: a bad defaults.on_schema_change in sluice.yaml',
    files: { 'sluice.yaml': 'name: shop\ndefaults:\n  on_schema_change: overwrite\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*on_schema_change.*expected one of fail, append_new_columns, sync_all_columns/,
  },
];
