import { model } from '../../helpers/temp-project.js';
import type { BadInputCase } from './case.js';

const sales = { type: 'report', business_unit: 'sales' };

/** rpt_city replaced by `sql` (header on lines 1-4, the SQL from line 5). */
function rptCity(sql: string, header: Record<string, unknown> = sales): Record<string, string> {
  return { 'models/rpt_city.sql': model(header, sql) };
}

/** A model refusal at validate: the file:line, the model, what it does and the hint. */
function refused(what: string): RegExp {
  return new RegExp(
    `models/rpt_city\\.sql:\\d+: \\[model rpt_city\\] ${what} reads files directly.*declare the files as a source`,
  );
}

const notSelect = (kind: string) =>
  new RegExp(`models/rpt_city\\.sql:\\d+: \\[model rpt_city\\] .*found an? ${kind} statement`);

const SOURCES_OUTSIDE =
  'sources:\n  customers:\n    format: csv\n    path: /etc/passwd\n  orders:\n    format: parquet\n    path: data/orders\n' +
  '    hive_partitioning: true\n';

/** Issue 11 §1: a model reads only what it declares; timeouts (docs/adr/0014-sandbox.md). */
export const cases: readonly BadInputCase[] = [
  {
    name: 'sandbox: read_csv of /etc/passwd',
    files: rptCity("select * from read_csv('/etc/passwd', header = false)"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('read_csv\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: glob outside the project, refused by run before anything runs',
    files: rptCity("select count(*) as n from glob('/root/**')"),
    args: ['run', '-p', '@root'],
    exit: 2,
    message: refused('glob\\(\\.\\.\\.\\)'),
  },
  {
    name: "sandbox: FROM '/etc/passwd' replacement scan",
    files: rptCity("select * from '/etc/passwd'"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused("'/etc/passwd'"),
  },
  {
    name: "sandbox: read_parquet of another project's warehouse",
    files: rptCity("select * from read_parquet('/srv/other/warehouse/fct_orders/**/*.parquet')"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('read_parquet\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: read_text in a subquery, at its own line',
    files: rptCity("select city\nfrom fct_orders\nwhere city in (\n  select content from read_text('/etc/hostname'))"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:8: \[model rpt_city\] read_text\(\.\.\.\) reads files directly/,
  },
  {
    name: 'sandbox: read_blob',
    files: rptCity("select * from read_blob('/root/.ssh/id_rsa')"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('read_blob\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: query() on a string hides what it reads',
    files: rptCity("select * from query('select * from read_csv(''/etc/passwd'')')"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('query\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: query_table by string',
    files: rptCity("select * from query_table('fct_orders')"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('query_table\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: parquet_metadata of a path',
    files: rptCity("select * from parquet_metadata('/etc/x.parquet')"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('parquet_metadata\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: read_json_auto in a CTE',
    files: rptCity("with j as (select * from read_json_auto('/etc/x.json'))\nselect * from j"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: refused('read_json_auto\\(\\.\\.\\.\\)'),
  },
  {
    name: 'sandbox: COPY out of the project',
    files: rptCity("copy (select * from fct_orders) to '/tmp/leak.csv'"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: notSelect('COPY'),
  },
  {
    name: "sandbox: ATTACH another project's database",
    files: rptCity("attach '/srv/other/.sluice/sluice.db' as other"),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: notSelect('ATTACH'),
  },
  {
    name: 'sandbox: SET the sandbox off',
    files: rptCity('set enable_external_access = true'),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: notSelect('SET'),
  },
  {
    name: 'sandbox: a second statement that LOADs an extension',
    files: rptCity('select 1 as x;\nload httpfs'),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:6: \[model rpt_city\] found 2 statements/,
  },
  {
    name: 'sandbox: a source outside the project and the allowed roots',
    files: { 'sources/shop.yml': SOURCES_OUTSIDE },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sources\/shop\.yml:2: .*source 'customers' reads \/etc\/passwd, outside .*allowed_roots: \[\/etc\]/,
  },
  {
    name: 'timeout: not a duration in a model header',
    files: rptCity('select 1 as x', { ...sales, timeout: 'soon' }),
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] .*timeout.*duration such as "90s"/,
  },
  {
    name: 'timeout: zero in sluice.yaml',
    files: { 'sluice.yaml': 'name: shop\nexecution:\n  timeout: 0s\n' },
    args: ['validate', '-p', '@root'],
    exit: 2,
    message: /sluice\.yaml:3: .*timeout.*duration/,
  },
  {
    name: 'timeout: a model that runs past its timeout fails, saying so',
    files: rptCity('select sum(a.range * b.range) as s from range(1000000) a, range(1000000) b', {
      ...sales,
      timeout: '1s',
    }),
    // Only rpt_city: its upstream models are built already.
    args: ['run', '-p', '@root', '-s', 'rpt_city'],
    exit: 1,
    message: /models\/rpt_city\.sql:\d+: \[model rpt_city\] timed out after 1s/,
    timeoutMs: 90_000,
  },
];
