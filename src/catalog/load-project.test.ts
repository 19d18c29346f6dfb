import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { SluiceError, ValidationError } from '../core/errors.js';
import { DEFAULTS } from './defaults.js';
import { findProjectRoot } from './find-project-root.js';
import { loadProject } from './load-project.js';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-catalog-'));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

const VALID = {
  'sluice.yaml':
    'name: clinic\npaths:\n  allowed_roots: [/abs]\nexecution:\n  threads: 2\n  memory_limit: 4GB\nqueues:\n  dimension: {share: 40}\n  fact_queue: {share: 40, max_share: 80}\n  batch: {share: 20}\ndefaults:\n  queue: batch\n',
  'sources/pharmacy.yml': [
    'sources:',
    '  orders:',
    '    format: parquet',
    '    path: data/orders',
    '    hive_partitioning: true',
    '    description: Pharmacy orders',
    '    columns:',
    '      order_id: BIGINT',
    '  pharmacies:',
    '    format: csv',
    '    path: /abs/pharmacies.csv',
    '    delimiter: ";"',
    '',
  ].join('\n'),
  'sources/nested/more.yaml': 'sources:\n  events:\n    format: json\n    path: data/events/*.json\n',
  'models/pharmacy/dim_pharmacies.sql':
    '/*---\ntype: dimension\nbusiness_unit: pharmacy\n---*/\nselect * from pharmacies\n',
  'models/pharmacy/fct_orders.sql': [
    '',
    '/*---',
    'type: fact                 # dimension | fact | report (required)',
    'business_unit: pharmacy',
    'partition_by: [order_date]',
    'queue: fact_queue',
    'tags: [daily, finance]',
    'description: One row per order line.',
    'resources: {cpus: 1, memory: 2GB}',
    '---*/',
    '',
    'with o as (select * from orders)',
    'select o.order_id, o.order_date, p.city',
    'from o join DIM_PHARMACIES p using (pharmacy_id)',
    'where o.order_id in (select order_id from events) and o.x in (select 1 from orders);',
    '',
  ].join('\n'),
  'models/reports/rpt_daily.sql':
    '/*---\ntype: report\nbusiness_unit: pharmacy\n---*/\nselect * from fct_orders union all select * from generate_series(1, 1)\n',
  'models/.ipynb_checkpoints/rpt_daily.sql': 'hidden folders are skipped',
};

describe('loadProject on a valid project', () => {
  it('loads config with defaults, sources and models with dependencies', async () => {
    const root = writeProject(VALID);
    const p = await loadProject(root);
    assert.equal(p.root, root);
    assert.deepEqual(p.config, {
      name: 'clinic',
      paths: { models: 'models', sources: 'sources', state: '.sluice', allowedRoots: ['/abs'] },
      storage: { objects: 'warehouse', metadata: 'sqlite:.sluice/sluice.db', durable: true },
      execution: {
        threads: 2,
        memoryLimit: '4GB',
        workers: 0,
        leaseMs: 60_000,
        heartbeatMs: 20_000,
        maxItemsPerTask: 64,
        targetItemBytes: 64_000_000,
        broadcastBytes: 1_000_000_000,
        timeoutMs: 3_600_000,
        retry: { codeAttempts: 1, infraAttempts: 5, backoffMs: 1_000, maxBackoffMs: 60_000 },
      },
      queues: [
        { name: 'batch', share: 20, maxShare: 100 },
        { name: 'dimension', share: 40, maxShare: 100 },
        { name: 'fact_queue', share: 40, maxShare: 80 },
      ],
      defaults: { maxTasksPerGroup: 16, stepConcurrency: 4, queue: 'batch', onSchemaChange: 'fail' },
    });
    assert.deepEqual([...p.sources.keys()], ['events', 'orders', 'pharmacies']);
    assert.deepEqual(p.sources.get('orders'), {
      name: 'orders',
      format: 'parquet',
      path: 'data/orders',
      hivePartitioning: true,
      columns: { order_id: 'BIGINT' },
      description: 'Pharmacy orders',
      location: { file: 'sources/pharmacy.yml', line: 2 },
    });
    assert.deepEqual(p.sources.get('pharmacies'), {
      name: 'pharmacies',
      format: 'csv',
      path: '/abs/pharmacies.csv',
      hivePartitioning: false,
      delimiter: ';',
      header: true,
      description: '',
      location: { file: 'sources/pharmacy.yml', line: 9 },
    });
    assert.equal(p.sources.get('events')?.location.file, 'sources/nested/more.yaml');

    assert.deepEqual([...p.models.keys()], ['dim_pharmacies', 'fct_orders', 'rpt_daily']);
    const fct = p.models.get('fct_orders')!;
    assert.deepEqual(fct, {
      name: 'fct_orders',
      file: 'models/pharmacy/fct_orders.sql',
      sql: VALID['models/pharmacy/fct_orders.sql'].split('\n').slice(11, 15).join('\n').replace(/;$/, ''),
      sqlLine: 12,
      type: 'fact',
      businessUnit: 'pharmacy',
      partitionBy: ['order_date'],
      queue: 'fact_queue',
      tags: ['daily', 'finance'],
      description: 'One row per order line.',
      resources: { cpus: 1, memory: '2GB' },
      splitBy: null,
      incremental: null,
      uniqueKey: [],
      onSchemaChange: 'fail',
      dependsOn: ['dim_pharmacies', 'events', 'orders'],
      timeoutMs: 3_600_000,
      location: { file: 'models/pharmacy/fct_orders.sql', line: 2 },
    });
    const dim = p.models.get('dim_pharmacies')!;
    assert.deepEqual(
      [dim.queue, dim.partitionBy, dim.tags, dim.description, dim.resources, dim.sqlLine],
      ['dimension', [], [], '', {}, 5],
    );
    // No queue named after its type: the model goes to defaults.queue.
    assert.equal(p.models.get('rpt_daily')?.queue, 'batch');
    assert.deepEqual(p.models.get('rpt_daily')?.dependsOn, ['fct_orders']);
  });

  it('returns deeply frozen values', async () => {
    const p = await loadProject(writeProject(VALID));
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.config.paths));
    const m = p.models.get('fct_orders')!;
    assert.ok(Object.isFrozen(m) && Object.isFrozen(m.dependsOn) && Object.isFrozen(m.partitionBy));
    assert.throws(() => (p.models as Map<string, unknown>).set('x', m), TypeError);
    assert.throws(() => (p.sources as Map<string, unknown>).delete('orders'), TypeError);
    assert.equal(p.sources.size, 3);
  });

  it('follows configured paths and derives the metadata store from the state folder', async () => {
    const root = writeProject({
      'sluice.yaml':
        'name: x-1\npaths:\n  models: sql\n  sources: inputs\n  state: .state\nstorage:\n  objects: /data/wh\n',
      'inputs/s.yml': 'sources:\n  raw:\n    format: csv\n    path: raw.csv\n    header: false\n',
      'sql/m.sql': '/*---\ntype: report\nbusiness_unit: bi\n---*/\nselect * from raw',
    });
    const p = await loadProject(root);
    assert.deepEqual(p.config.paths, { models: 'sql', sources: 'inputs', state: '.state', allowedRoots: [] });
    assert.deepEqual(p.config.storage, { objects: '/data/wh', metadata: 'sqlite:.state/sluice.db', durable: true });
    assert.equal(p.sources.get('raw')?.header, false);
    assert.deepEqual(p.models.get('m')?.dependsOn, ['raw']);
  });

  it('reads storage.s3 (snake_case) into camelCase settings, omitting unset keys', async () => {
    const root = writeProject({
      'sluice.yaml':
        'name: s\nstorage:\n  objects: s3://bucket/wh\n  s3:\n    endpoint: http://127.0.0.1:9000\n    force_path_style: true\n    cache_max_bytes: 1048576\n',
    });
    const p = await loadProject(root);
    assert.equal(p.config.storage.objects, 's3://bucket/wh');
    assert.deepEqual(p.config.storage.s3, {
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      cacheMaxBytes: 1048576,
    });
  });

  it('accepts a project with only a name', async () => {
    const p = await loadProject(writeProject({ 'sluice.yaml': 'name: empty\n' }));
    assert.equal(p.models.size + p.sources.size, 0);
    assert.equal(p.config.execution.memoryLimit, DEFAULTS.execution.memoryLimit);
  });

  it('throws CONFIG_NOT_FOUND without sluice.yaml', async () => {
    const root = writeProject({ 'models/a.sql': 'select 1' });
    await assert.rejects(
      loadProject(root),
      (e: unknown) => e instanceof SluiceError && !(e instanceof ValidationError) && e.code === 'CONFIG_NOT_FOUND',
    );
  });
});

describe('loadProject at scale', () => {
  it('loads 2,000 models with the right dependencies and lines', async () => {
    const files: Record<string, string> = {
      'sluice.yaml': 'name: big\n',
      'sources/s.yml': 'sources:\n  raw:\n    format: csv\n    path: raw.csv\n',
    };
    for (let i = 0; i < 2000; i++) {
      const reads = i === 0 ? 'raw' : `m${i - 1} join raw using (k)`;
      const blank = '\n'.repeat(i % 3);
      files[`models/g${i % 7}/m${i}.sql`] =
        `/*---\ntype: fact\nbusiness_unit: bu${i % 5}\n---*/\n${blank}with c as (select 1)\nselect * from ${reads}, c\n`;
    }
    const p = await loadProject(writeProject(files));
    assert.equal(p.models.size, 2000);
    for (let i = 0; i < 2000; i++) {
      const m = p.models.get(`m${i}`)!;
      assert.deepEqual(m.dependsOn, i === 0 ? ['raw'] : [`m${i - 1}`, 'raw'], m.name);
      assert.equal(m.sqlLine, 5 + (i % 3), m.name);
      assert.equal(m.businessUnit, `bu${i % 5}`);
    }
  });
});

describe('findProjectRoot', () => {
  it('walks up to the folder holding sluice.yaml', () => {
    const root = writeProject({ 'sluice.yaml': 'name: x\n', 'models/deep/a.sql': '' });
    assert.equal(findProjectRoot(join(root, 'models/deep')), root);
    assert.equal(findProjectRoot(join(root, 'models/deep/a.sql')), root);
    assert.equal(relative(root, findProjectRoot(root)), '');
  });

  it('throws CONFIG_NOT_FOUND when no folder above has one', () => {
    const root = writeProject({ 'a/b.txt': '' });
    assert.throws(
      () => findProjectRoot(join(root, 'a')),
      (e: unknown) => e instanceof SluiceError && e.code === 'CONFIG_NOT_FOUND',
    );
  });
});
