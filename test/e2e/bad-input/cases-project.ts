import { model } from '../../helpers/temp-project.js';
import type { BadInputCase } from './case.js';

const sales = { type: 'report', business_unit: 'sales' };

/** The project's own files: sluice.yaml, sources, model headers and SQL, the graph. */
export const cases: readonly BadInputCase[] = [
  {
    name: 'sluice.yaml: invalid YAML, at its line',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  threads: [1\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:\d+: .*invalid YAML/,
  },
  {
    name: 'sluice.yaml: unknown key, with the allowed ones',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  thread: 2\n' },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*unknown key 'thread' in execution; allowed keys: threads/,
  },
  {
    name: 'sluice.yaml: a negative thread count',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  threads: -1\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*threads/,
  },
  {
    name: 'sluice.yaml: missing',
    remove: ['sluice.yaml'],
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml/,
  },
  {
    name: 'source: unknown format',
    files: {
      'sources/shop.yml':
        'sources:\n  customers:\n    format: xls\n    path: data/customers.csv\n  orders:\n    format: parquet\n    path: data/orders\n    hive_partitioning: true\n',
    },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sources\/shop\.yml:3: .*format/,
  },
  {
    name: 'source: path that matches no file',
    files: {
      'sources/shop.yml':
        'sources:\n  customers:\n    format: csv\n    path: data/nope.csv\n  orders:\n    format: parquet\n    path: data/orders\n    hive_partitioning: true\n',
    },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /sources\/shop\.yml:\d+: .*customers.*data\/nope\.csv/,
  },
  {
    name: 'model header: unknown type',
    files: { 'models/rpt_city.sql': model({ type: 'cube', business_unit: 'sales' }, 'select 1 as x') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:2: \[model rpt_city\] .*type/,
  },
  {
    name: 'model header: unknown key',
    files: { 'models/rpt_city.sql': model({ ...sales, partiton_by: ['city'] }, 'select 1 as x') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:4: \[model rpt_city\] .*partiton_by/,
  },
  {
    name: 'model header: not closed',
    files: { 'models/rpt_city.sql': '/*---\ntype: report\nbusiness_unit: sales\nselect 1 as x\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:1: .*rpt_city/,
  },
  {
    name: 'model SQL: not a SELECT',
    files: { 'models/rpt_city.sql': model(sales, 'delete from rpt_daily') },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] .*SELECT/,
  },
  {
    name: 'model SQL: two statements',
    files: { 'models/rpt_city.sql': model(sales, 'select 1 as x;\nselect 2 as y') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] /,
  },
  {
    name: 'model SQL: a column that does not exist, at its line',
    files: {
      'models/rpt_city.sql': model(sales, 'select city,\n  sum(revenu) as revenue\nfrom rpt_daily group by city'),
    },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:6: \[model rpt_city\] .*revenu/,
  },
  {
    name: 'model SQL: a table nobody declares, with a suggestion',
    files: { 'models/rpt_city.sql': model(sales, 'select city from rpt_dayly') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] .*rpt_dayly.*rpt_daily/,
  },
  {
    name: 'models: a dependency cycle, naming its members',
    files: {
      'models/rpt_city.sql': model(sales, 'select * from rpt_loop'),
      'models/rpt_loop.sql': model(sales, 'select * from rpt_city'),
    },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /rpt_city.*rpt_loop|rpt_loop.*rpt_city/,
  },
  {
    name: 'models: partition_by a column the model does not output',
    files: {
      'models/rpt_city.sql': model(
        { ...sales, partition_by: ['country'] },
        'select city, sum(revenue) as revenue from rpt_daily group by city',
      ),
    },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] .*country/,
  },
  {
    name: 'selection: an unknown model, with a suggestion',
    args: ['run', '-p', '@root', '--select', 'rpt_citty'],
    exit: 2,
    message: /rpt_citty.*rpt_city/,
  },
  {
    name: 'project folder that does not exist',
    args: ['validate', '-p', '@root/nowhere'],
    exit: 2,
    message: /--project .*nowhere: no such folder/,
  },
];
