import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { clinicExampleDir, initExample } from './init-example.js';

const tmp = mkdtempSync(join(tmpdir(), 'sluice-init-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const isUsage = (pattern: RegExp) => (err: unknown) =>
  err instanceof SluiceError && err.code === 'CLI_USAGE' && pattern.test(err.message);

describe('initExample', () => {
  it('finds the example project next to the sources', () => {
    const dir = clinicExampleDir();
    assert.ok(existsSync(join(dir, 'sluice.yaml')), dir);
    assert.match(readFileSync(join(dir, 'sluice.yaml'), 'utf8'), /^name: clinic$/m);
  });

  it('copies the project and generates its data into a new folder', async () => {
    const dir = join(tmp, 'new', 'clinic');
    const s = await initExample(dir, { days: 3, scale: 0.02, seed: 5 });
    assert.equal(s.dir, dir);
    assert.deepEqual([s.days, s.scale, s.seed], [3, 0.02, 5]);
    for (const f of [
      'sluice.yaml',
      'README.md',
      'sources/reference.yml',
      'sources/events.yml',
      'models/fact/pharmacy/fct_orders.sql',
    ]) {
      assert.ok(s.files.includes(f), `summary lists ${f}`);
      assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(clinicExampleDir(), f), 'utf8'), f);
    }
    assert.ok(s.files.filter((f) => f.startsWith('models/')).length >= 12, 'at least 12 models copied');
    assert.ok(!s.files.some((f) => f.startsWith('data/')), 'data is generated, not copied');
    assert.deepEqual(readdirSync(join(dir, 'data', 'orders')).sort(), [
      'order_date=2024-01-01',
      'order_date=2024-01-02',
      'order_date=2024-01-03',
    ]);
    assert.ok(
      s.data.tables.every((t) => t.rows > 0),
      'every table has rows',
    );
  });

  it('uses 30 days by default', async () => {
    const dir = join(tmp, 'defaults');
    const s = await initExample(dir, { scale: 0.01 });
    assert.deepEqual([s.days, s.seed], [30, 42]);
    assert.equal(readdirSync(join(dir, 'data', 'consultations')).length, 30);
  });

  it('refuses a folder that is not empty unless forced', async () => {
    const dir = join(tmp, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    await assert.rejects(initExample(dir, { days: 1, scale: 0.01 }), isUsage(new RegExp(`${dir}.*not empty`)));
    assert.deepEqual(readdirSync(dir), ['keep.txt']);
    const s = await initExample(dir, { days: 1, scale: 0.01, force: true });
    assert.ok(existsSync(join(dir, 'sluice.yaml')));
    assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'mine');
    assert.equal(s.data.tables.find((t) => t.name === 'orders')?.files, 1);
  });

  it('refuses a path that is a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(initExample(file, { force: true }), isUsage(/a-file.*not a folder/));
  });

  it('validates options before touching the disk', async () => {
    const dir = join(tmp, 'invalid');
    await assert.rejects(initExample(dir, { days: 0 }), isUsage(/"days".*1 to 3650/));
    await assert.rejects(initExample(dir, { days: 4000 }), isUsage(/"days"/));
    await assert.rejects(initExample(dir, { scale: -1 }), isUsage(/"scale"/));
    await assert.rejects(initExample(dir, { scale: Number.NaN }), isUsage(/"scale"/));
    await assert.rejects(initExample(dir, { seed: 0.5 }), isUsage(/"seed"/));
    assert.equal(existsSync(dir), false);
  });
});
