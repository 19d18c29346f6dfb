import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatProblem, ValidationError } from '../core/errors.js';
import type { Problem } from '../core/types.js';
import { loadProject } from './load-project.js';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const header = (...lines: string[]): string =>
  ['/*---', 'type: fact', 'business_unit: bu', ...lines, '---*/'].join('\n');
/** A model whose SQL starts on line 5 (or later with extra header lines). */
const model = (sql: string, ...headerLines: string[]): string => `${header(...headerLines)}\n${sql}\n`;

/** Loads a project that must fail; returns its problems (with `sluice.yaml` added when absent). */
async function problemsOf(files: Record<string, string>): Promise<Problem[]> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-catalog-'));
  roots.push(root);
  for (const [rel, content] of Object.entries({ 'sluice.yaml': 'name: t\n', ...files })) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  try {
    await loadProject(root);
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    assert.equal(e.code, 'CONFIG_INVALID');
    for (const p of e.problems) assert.ok(e.message.includes(formatProblem(p)));
    return [...e.problems];
  }
  assert.fail('expected the project to be rejected');
}

/** Asserts exactly one problem with this code, at `file:line`, whose text matches. */
async function expectOne(files: Record<string, string>, code: string, where: string, text: RegExp): Promise<Problem> {
  const problems = await problemsOf(files);
  assert.equal(problems.length, 1, problems.map(formatProblem).join('\n'));
  const p = problems[0]!;
  assert.equal(p.code, code);
  assert.ok(formatProblem(p).startsWith(`${where}: `), `${formatProblem(p)} should start with ${where}`);
  assert.match(p.message, text);
  return p;
}

describe('loadProject: sluice.yaml problems', () => {
  it('invalid YAML at the parser line', async () => {
    await expectOne(
      { 'sluice.yaml': 'name: t\nexecution:\n  threads: [1\n' },
      'CONFIG_YAML',
      'sluice.yaml:4',
      /invalid YAML/,
    );
  });

  it('duplicate YAML keys', async () => {
    await expectOne({ 'sluice.yaml': 'name: t\nname: u\n' }, 'CONFIG_YAML', 'sluice.yaml:2', /unique/);
  });

  it('unknown keys at the key line, listing allowed keys', async () => {
    const problems = await problemsOf({
      'sluice.yaml': 'name: t\nexecution:\n  threads: 1\n  thread: 2\ncolour: red\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.line, p.key]),
      [
        ['CONFIG_UNKNOWN_KEY', 4, 'execution.thread'],
        ['CONFIG_UNKNOWN_KEY', 5, 'colour'],
      ],
    );
    assert.match(
      problems[0]!.message,
      /unknown key 'thread' in execution; allowed keys: threads, memory_limit, workers/,
    );
    assert.match(problems[1]!.message, /allowed keys: name, paths, storage, execution, queues, defaults/);
  });

  it('wrong types and values at the value line', async () => {
    const problems = await problemsOf({
      'sluice.yaml': [
        'name: Bad Name',
        'storage:',
        '  metadata: mysql://db',
        'execution:',
        '  threads: -1',
        '  memory_limit: 99%',
        '  workers: many',
        'defaults:',
        '  max_tasks_per_group: 1001',
        '  step_concurrency: 2.5',
        '  queue: Fact',
        '',
      ].join('\n'),
    });
    assert.deepEqual(
      problems.map((p) => [p.line, p.key]),
      [
        [1, 'name'],
        [3, 'storage.metadata'],
        [5, 'execution.threads'],
        [6, 'execution.memory_limit'],
        [7, 'execution.workers'],
        [9, 'defaults.max_tasks_per_group'],
        [10, 'defaults.step_concurrency'],
        [11, 'defaults.queue'],
      ],
    );
    assert.ok(problems.every((p) => p.code === 'CONFIG_INVALID_VALUE' && p.file === 'sluice.yaml'));
    assert.match(problems[3]!.message, /execution\.memory_limit: .*1% to 95%.*\(got "99%"\)/);
    assert.match(problems[6]!.message, /from 1 to 256 \(got 2\.5\)/);
  });

  it('storage.s3: bad endpoint, unknown key and negative cache size at their lines', async () => {
    const problems = await problemsOf({
      'sluice.yaml': [
        'name: t',
        'storage:',
        '  s3:',
        '    endpoint: http://key:secret@127.0.0.1:9000',
        '    secret_access_key: x',
        '    cache_max_bytes: -1',
        '',
      ].join('\n'),
    });
    assert.deepEqual(
      problems.map((p) => [p.line, p.key]).sort(),
      [
        [4, 'storage.s3.endpoint'],
        [5, 'storage.s3.secret_access_key'],
        [6, 'storage.s3.cache_max_bytes'],
      ].sort(),
    );
    const endpoint = problems.find((p) => p.key === 'storage.s3.endpoint')!;
    assert.match(
      endpoint.message,
      /http:\/\/ or https:\/\/ URL without credentials \(got "http:\/\/\*\*\*@127\.0\.0\.1:9000"\)/,
    );
    assert.ok(problems.every((p) => !p.message.includes('secret@')));
  });

  it('missing name at line 1', async () => {
    await expectOne(
      { 'sluice.yaml': 'execution:\n  threads: 1\n' },
      'CONFIG_MISSING_KEY',
      'sluice.yaml:1',
      /missing required key 'name'/,
    );
  });

  it('configured folders that do not exist', async () => {
    await expectOne(
      { 'sluice.yaml': 'name: t\npaths:\n  models: modles\n' },
      'CONFIG_PATH_NOT_FOUND',
      'sluice.yaml:3',
      /paths\.models: folder "modles" does not exist/,
    );
  });
});

describe('loadProject: queue problems', () => {
  it('queue shares that do not add up to 100, at the queues line', async () => {
    const p = await problemsOf({
      'sluice.yaml': 'name: t\nqueues:\n  fact: {share: 60}\n  report: {share: 30}\n',
      'models/a.sql': model('select 1 as x'),
    });
    assert.ok(
      p.some((x) => x.file === 'sluice.yaml' && x.line === 2 && /shares must add up to 100/.test(x.message)),
      p.map(formatProblem).join('\n'),
    );
  });
  it('a max_share below the share', async () => {
    const p = await problemsOf({
      'sluice.yaml': 'name: t\nqueues:\n  fact: {share: 60, max_share: 50}\n  report: {share: 40}\n',
      'models/a.sql': model('select 1 as x'),
    });
    assert.ok(
      p.some((x) => /max_share must be at least its share/.test(x.message)),
      p.map(formatProblem).join('\n'),
    );
  });
  it('a model in a queue that is not configured, at its header', async () => {
    await expectOne(
      {
        'sluice.yaml': 'name: t\nqueues:\n  fact: {share: 100}\n',
        'models/a.sql': model('select 1 as x'),
        'models/b.sql': model('select 1 as x', 'queue: nightly'),
      },
      'CONFIG_INVALID_VALUE',
      'models/b.sql:1',
      /queue 'nightly' is not configured; configured queues: fact/,
    );
  });
});

describe('loadProject: source problems', () => {
  it('invalid YAML in a sources file', async () => {
    await expectOne(
      { 'sources/s.yml': 'sources:\n  a:\n    format: csv\n   path: x\n' },
      'CONFIG_YAML',
      'sources/s.yml:4',
      /invalid YAML/,
    );
  });

  it('unknown key, bad format and missing path, each at its line', async () => {
    const problems = await problemsOf({
      'sources/s.yml': 'sources:\n  a:\n    format: xml\n    path: a.x\n  b:\n    format: csv\n    colums: {}\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.line, p.key]),
      [
        ['CONFIG_INVALID_VALUE', 3, 'sources.a.format'],
        ['CONFIG_MISSING_KEY', 5, 'sources.b.path'],
        ['CONFIG_UNKNOWN_KEY', 7, 'sources.b.colums'],
      ],
    );
    assert.match(problems[0]!.message, /expected one of csv, parquet, json \(got "xml"\)/);
    assert.match(
      problems[2]!.message,
      /allowed keys: format, path, hive_partitioning, description, columns, delimiter, header/,
    );
  });

  it('csv-only keys on other formats', async () => {
    await expectOne(
      { 'sources/s.yml': 'sources:\n  a:\n    format: parquet\n    path: a\n    delimiter: ","\n' },
      'CONFIG_CSV_ONLY',
      'sources/s.yml:5',
      /sources\.a\.delimiter applies to csv sources only/,
    );
  });

  it('relative paths that leave the project folder', async () => {
    const problems = await problemsOf({
      'sources/s.yml':
        'sources:\n  a:\n    format: csv\n    path: ../outside.csv\n  b:\n    format: csv\n    path: data/../../x.csv\n  c:\n    format: csv\n    path: /abs/ok.csv\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.file, p.line, p.key]),
      [
        ['CONFIG_PATH_ESCAPES', 'sources/s.yml', 4, 'sources.a.path'],
        ['CONFIG_PATH_ESCAPES', 'sources/s.yml', 7, 'sources.b.path'],
        ['CONFIG_SOURCE_OUTSIDE_ROOTS', 'sources/s.yml', 8, 'sources.c.path'],
      ],
    );
  });

  it('duplicate source names across files name both places', async () => {
    const p = await expectOne(
      {
        'sources/a.yml': 'sources:\n  orders:\n    format: csv\n    path: a.csv\n',
        'sources/b/c.yaml': '\nsources:\n  orders:\n    format: json\n    path: b.json\n',
      },
      'CONFIG_DUPLICATE_SOURCE',
      'sources/b/c.yaml:3',
      /duplicate source name 'orders'/,
    );
    assert.match(p.message, /sources\/a\.yml:2 and sources\/b\/c\.yaml:3/);
  });

  it('hostile source and column names', async () => {
    const problems = await problemsOf({
      'sources/s.yml':
        'sources:\n  "../etc":\n    format: csv\n    path: a.csv\n  ok:\n    format: csv\n    path: b.csv\n    columns:\n      "Order ID": BIGINT\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.line]),
      [
        ['CONFIG_INVALID_NAME', 2],
        ['CONFIG_INVALID_NAME', 9],
      ],
    );
    assert.match(problems[0]!.message, /source name "\.\.\/etc"/);
    assert.match(problems[1]!.message, /column name "Order ID" .*uppercase/);
  });
});

describe('loadProject: model problems', () => {
  it('invalid YAML in a header, at the line in the .sql file', async () => {
    await expectOne(
      { 'models/m.sql': '\n/*---\ntype: fact\nbusiness_unit: [x\n---*/\nselect 1\n' },
      'CONFIG_YAML',
      'models/m.sql:4',
      /invalid YAML/,
    );
  });

  it('unknown header keys, at the key line', async () => {
    const problems = await problemsOf({
      'models/m.sql': model('select 1', 'owner: me', 'resources: {cpus: 2, gpus: 1}'),
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.file, p.line, p.model, p.key]),
      [
        ['CONFIG_UNKNOWN_KEY', 'models/m.sql', 4, 'm', 'owner'],
        ['CONFIG_UNKNOWN_KEY', 'models/m.sql', 5, 'm', 'resources.gpus'],
      ],
    );
    assert.match(
      problems[0]!.message,
      /allowed keys: type, business_unit, partition_by, queue, tags, description, split_by, incremental, unique_key, timeout, resources/,
    );
  });

  it('incremental needs split_by, and replace needs it in partition_by', async () => {
    const problems = await problemsOf({
      'models/a.sql': '/*---\ntype: fact\nbusiness_unit: bu\nincremental: append\n---*/\nselect 1 as d\n',
      'models/b.sql': '/*---\ntype: fact\nbusiness_unit: bu\nsplit_by: d\nincremental: replace\n---*/\nselect 1 as d\n',
      'models/c.sql': '/*---\ntype: fact\nbusiness_unit: bu\nincremental: upsert\n---*/\nselect 1 as d\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.file, p.line, p.key]),
      [
        ['models/a.sql', 4, 'incremental'],
        ['models/b.sql', 5, 'incremental'],
        ['models/c.sql', 4, 'incremental'],
      ],
    );
    assert.match(problems[0]!.message, /incremental: append needs split_by/);
    assert.match(problems[1]!.message, /partition_by must include the split_by column d/);
    assert.match(problems[2]!.message, /expected one of append, replace, merge/);
  });

  it('merge needs unique_key, and unique_key needs merge', async () => {
    const problems = await problemsOf({
      'models/d.sql': '/*---\ntype: fact\nbusiness_unit: bu\nsplit_by: d\nincremental: merge\n---*/\nselect 1 as d\n',
      'models/e.sql':
        '/*---\ntype: fact\nbusiness_unit: bu\nsplit_by: d\nincremental: replace\npartition_by: [d]\nunique_key: [id]\n---*/\nselect 1 as d\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.file, p.line, p.key]),
      [
        ['models/d.sql', 5, 'incremental'],
        ['models/e.sql', 7, 'unique_key'],
      ],
    );
    assert.match(problems[0]!.message, /merge needs unique_key/);
    assert.match(problems[1]!.message, /unique_key applies to incremental: merge only/);
  });

  it('wrong header values at the value line', async () => {
    const problems = await problemsOf({
      'models/m.sql':
        '/*---\ntype: facts\nbusiness_unit: bu\npartition_by: order_date\nresources:\n  cpus: 0\n  memory: lots\n---*/\nselect 1\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.line, p.key]),
      [
        [2, 'type'],
        [4, 'partition_by'],
        [6, 'resources.cpus'],
        [7, 'resources.memory'],
      ],
    );
    assert.match(problems[0]!.message, /type: expected one of dimension, fact, report \(got "facts"\)/);
  });

  it('missing required header keys at the header line', async () => {
    const problems = await problemsOf({ 'models/m.sql': '\n\n/*---\ntags: [a]\n---*/\nselect 1\n' });
    assert.deepEqual(
      problems.map((p) => [p.code, p.line, p.key]),
      [
        ['CONFIG_MISSING_KEY', 3, 'type'],
        ['CONFIG_MISSING_KEY', 3, 'business_unit'],
      ],
    );
  });

  it('a file without a header', async () => {
    await expectOne(
      { 'models/m.sql': '\nselect 1\n' },
      'CONFIG_MODEL_HEADER',
      'models/m.sql:2',
      /missing model header/,
    );
  });

  it('partition_by listing a column twice', async () => {
    await expectOne(
      { 'models/m.sql': model('select 1 as a, 2 as b', 'partition_by:', '  - a', '  - b', '  - a') },
      'CONFIG_DUPLICATE_COLUMN',
      'models/m.sql:7',
      /"a" twice/,
    );
  });

  it('hostile model names from file names', async () => {
    const problems = await problemsOf({
      "models/it's.sql": model('select 1'),
      'models/Upper.sql': model('select 1'),
      'models/my model.sql': model('select 1'),
      'models/..x.sql': model('select 1'),
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.file, p.line]).sort(),
      [
        ['CONFIG_INVALID_NAME', 'models/..x.sql', 1],
        ['CONFIG_INVALID_NAME', "models/it's.sql", 1],
        ['CONFIG_INVALID_NAME', 'models/my model.sql', 1],
        ['CONFIG_INVALID_NAME', 'models/Upper.sql', 1],
      ].sort(),
    );
    assert.ok(problems.every((p) => /rename the file/.test(p.message)));
  });

  it('hostile identifiers in the header', async () => {
    const problems = await problemsOf({
      'models/m.sql':
        '/*---\ntype: fact\nbusiness_unit: "../etc"\nqueue: "q\'; drop"\ntags: [ok, Daily]\n---*/\nselect 1\n',
    });
    assert.deepEqual(
      problems.map((p) => [p.line, p.key]),
      [
        [3, 'business_unit'],
        [4, 'queue'],
        [5, 'tags[1]'],
      ],
    );
  });

  it('duplicate model names name both files', async () => {
    const p = await expectOne(
      { 'models/a/x.sql': model('select 1'), 'models/b/x.sql': model('select 2') },
      'CONFIG_DUPLICATE_MODEL',
      'models/b/x.sql:1',
      /duplicate model name 'x'/,
    );
    assert.match(p.message, /models\/a\/x\.sql and models\/b\/x\.sql/);
  });

  it('a model and a source with the same name', async () => {
    const p = await expectOne(
      {
        'sources/s.yml': 'sources:\n  orders:\n    format: csv\n    path: o.csv\n',
        'models/orders.sql': model('select 1'),
      },
      'CONFIG_NAME_CONFLICT',
      'models/orders.sql:1',
      /same name as the source/,
    );
    assert.match(p.message, /sources\/s\.yml:2/);
  });

  it('SQL syntax errors at the line in the .sql file', async () => {
    await expectOne(
      { 'models/m.sql': model('select a,\n  b\nfrm t', 'tags: [x]') },
      'CONFIG_SQL_SYNTAX',
      'models/m.sql:8',
      /syntax error at or near "t"/,
    );
  });

  it('more than one statement, at the second one', async () => {
    await expectOne(
      { 'models/m.sql': model('select 1;\n\nselect 2;') },
      'CONFIG_MULTIPLE_STATEMENTS',
      'models/m.sql:7',
      /2 statements/,
    );
  });

  it('a statement that is not a SELECT', async () => {
    await expectOne(
      { 'models/m.sql': model('\ncreate table x as select 1') },
      'CONFIG_NOT_SELECT',
      'models/m.sql:6',
      /CREATE/,
    );
  });

  it('an empty body', async () => {
    await expectOne({ 'models/m.sql': model('  ;\n') }, 'CONFIG_EMPTY_SQL', 'models/m.sql:5', /no SQL/);
    await expectOne(
      { 'models/m.sql': model('-- just a comment') },
      'CONFIG_EMPTY_SQL',
      'models/m.sql:5',
      /no SQL statement/,
    );
  });

  it('unknown tables at the reference line with a suggestion', async () => {
    const problems = await problemsOf({
      'sources/s.yml': 'sources:\n  orders:\n    format: csv\n    path: o.csv\n',
      'models/m.sql': model(
        'with c as (select 1)\nselect * from c,\n  ordrs, range(3), generate_series(1, 2)\nwhere 1 in (select 1 from nowhere)',
      ),
    });
    assert.deepEqual(
      problems.map((p) => [p.code, p.file, p.line, p.message]),
      [
        [
          'CONFIG_UNKNOWN_TABLE',
          'models/m.sql',
          7,
          "unknown table 'ordrs' (not a model or source); did you mean 'orders'?",
        ],
        ['CONFIG_UNKNOWN_TABLE', 'models/m.sql', 8, "unknown table 'nowhere' (not a model or source)"],
      ],
    );
  });

  it('a model that reads itself', async () => {
    await expectOne(
      { 'models/m.sql': model('select 1\nunion all\nselect * from m') },
      'CONFIG_SELF_REFERENCE',
      'models/m.sql:7',
      /reads itself/,
    );
  });

  it('cycles name the whole path at the first reference', async () => {
    await expectOne(
      {
        'models/a.sql': model('select 1 from b'),
        'models/b.sql': model('select 1 from\n  c'),
        'models/c.sql': model('select 1 from a'),
      },
      'CONFIG_CYCLE',
      'models/a.sql:5',
      /^dependency cycle: a -> b -> c -> a$/,
    );
  });
});

describe('loadProject reports every problem at once', () => {
  it('three independent errors in three files give three problems', async () => {
    const problems = await problemsOf({
      'sluice.yaml': 'name: t\nexecution:\n  threads: lots\n',
      'sources/s.yml': 'sources:\n  a:\n    format: csv\n',
      'models/m.sql': model('select * from missing_table'),
    });
    assert.deepEqual(
      problems.map((p) => `${p.file}:${p.line} ${p.code}`),
      [
        'sluice.yaml:3 CONFIG_INVALID_VALUE',
        'models/m.sql:5 CONFIG_UNKNOWN_TABLE',
        'sources/s.yml:2 CONFIG_MISSING_KEY',
      ],
    );
  });
});
