import { model } from '../../helpers/temp-project.js';
import type { BadInputCase } from './case.js';

const sales = { type: 'report', business_unit: 'sales' };
const SOURCES =
  'sources:\n  customers:\n    format: csv\n    path: data/customers.csv\n  orders:\n    format: parquet\n    path: data/orders\n    hive_partitioning: true\n';

/** Billion laughs: nine anchors, each a list of nine aliases of the one before (9^9 strings). */
function aliasBomb(key: string): string {
  const lines = [`${key}a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i < 9; i++) {
    const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
    lines.push(`${key}${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Kinds of error: YAML bombs, settings, names, and failures that must not be retried. */
export const cases: readonly BadInputCase[] = [
  {
    name: 'errors: an alias bomb in sluice.yaml',
    files: { 'sluice.yaml': `name: shop\n${aliasBomb('x_')}` },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:\d+: invalid YAML: its aliases expand too far/,
  },
  {
    name: 'errors: an alias bomb in a sources file',
    files: { 'sources/shop.yml': `${SOURCES}${aliasBomb('x_')}` },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /sources\/shop\.yml:\d+: invalid YAML: its aliases expand too far/,
  },
  {
    name: 'errors: an alias bomb in a model header',
    files: {
      'models/rpt_city.sql': `/*---\ntype: report\nbusiness_unit: sales\n${aliasBomb('x_')}---*/\nselect 1 as x\n`,
    },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] invalid YAML: its aliases expand too far/,
  },
  {
    name: 'errors: a cast that fails at run time fails after 1 attempt, not retried',
    files: { 'models/rpt_city.sql': model(sales, "select city, ('x' || city)::int as n from dim_customers") },
    args: ['run', '-p', '@root', '--workers', '1', '--select', 'rpt_city'],
    exit: 1,
    message: /rpt_city[^\n]*Conversion Error[^\n]*dead after 1 attempt\b/,
  },
  {
    name: 'errors: invalid input raised by the SQL fails after 1 attempt',
    files: { 'models/rpt_city.sql': model(sales, "select city, error('bad city ' || city) as n from dim_customers") },
    args: ['run', '-p', '@root', '--workers', '1', '--select', 'rpt_city'],
    exit: 1,
    message: /rpt_city[^\n]*Invalid Input Error: bad city[^\n]*dead after 1 attempt\b/,
  },
  {
    name: 'errors: two models with the same name name both files',
    files: { 'models/more/rpt_city.sql': model(sales, 'select 1 as x') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /duplicate model name 'rpt_city'.*models\/(more\/)?rpt_city\.sql and models\/(more\/)?rpt_city\.sql/,
  },
  {
    name: 'errors: a model named like a source',
    files: { 'models/customers.sql': model(sales, 'select 1 as x') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/customers\.sql:1: .*same name as the source.*sources\/shop\.yml:2/,
  },
  {
    name: 'errors: queue shares that do not add up to 100',
    files: { 'sluice.yaml': 'name: shop\nqueues:\n  fact: {share: 60}\n  report: {share: 30}\n' },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:2: .*shares must add up to 100/,
  },
  {
    name: 'errors: a model in a queue that is not configured',
    files: { 'models/rpt_city.sql': model({ ...sales, queue: 'nightly' }, 'select 1 as x') },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] .*queue 'nightly' is not configured/,
  },
  {
    name: 'errors: memory_limit above 95%',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  memory_limit: 200%\n' },
    args: ['run', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*memory_limit/,
  },
  {
    name: 'errors: memory_limit not a size',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  memory_limit: lots\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*memory_limit.*"4GB"/,
  },
  {
    name: 'errors: retries of zero attempts',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  retries: {code: 0}\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*code/,
  },
  {
    name: 'errors: --store with an unknown scheme, credentials not echoed',
    args: ['status', '-p', '@root', '--store', 'mysql://admin:hunter2@db.example/sluice'],
    exit: 2,
    message: /storage\.metadata: "mysql:\/\/admin:\*\*\*@db\.example\/sluice" is not a supported metadata store URL/,
    forbid: /hunter2/,
  },
  {
    name: 'errors: --objects with an unknown scheme, credentials not echoed',
    args: ['status', '-p', '@root', '--objects', 'ftp://admin:hunter2@files.example/warehouse'],
    exit: 2,
    message: /storage\.objects: .*unsupported object store scheme "ftp:\/\/"/,
    forbid: /hunter2/,
  },
  {
    name: 'errors: --store naming a PostgreSQL that refuses, credentials not echoed',
    args: ['status', '-p', '@root', '--store', 'postgres://admin:hunter2@127.0.0.1:1/test'],
    exit: 1,
    message: /metadata store postgres:\/\/admin:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
    forbid: /hunter2/,
  },
  {
    name: 'errors: --objects naming an S3 location without a bucket',
    args: ['status', '-p', '@root', '--objects', 's3://'],
    exit: 2,
    message: /storage\.objects: "s3:\/\/" is not a valid S3 location/,
  },
  {
    name: 'errors: --objects with a bucket name S3 does not allow',
    args: ['workers', '-p', '@root', '--objects', 's3://UPPER/x'],
    exit: 2,
    message: /storage\.objects: "s3:\/\/UPPER\/x" is not a valid S3 location/,
  },
];
