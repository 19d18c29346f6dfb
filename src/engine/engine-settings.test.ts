import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { describe, it } from 'node:test';
import { SluiceError } from '../core/errors.js';
import { resolveEngineSettings, resolveMemoryLimit } from './engine-settings.js';

const GiB = 2 ** 30;

describe('execution.memory_limit: the total for one machine, divided among its workers', () => {
  it('a size is the machine total, divided like a percentage', () => {
    assert.equal(resolveMemoryLimit('4GiB', 1), '4096MB');
    assert.equal(resolveMemoryLimit('4GiB', 4), '1024MB');
    assert.equal(resolveMemoryLimit('4GB', 4), `${Math.floor(4e9 / 4 / 2 ** 20)}MB`);
  });

  it('a percentage is of the memory the workers have, divided among them', () => {
    // sluice run with 2 local workers on an 8 GiB machine: 50% = 4 GiB, 2 GiB each.
    assert.equal(resolveMemoryLimit('50%', 2, 8 * GiB), '2048MB');
    // sluice worker --memory 8GiB: one worker with 8 GiB.
    assert.equal(resolveMemoryLimit('50%', 1, 8 * GiB), '4096MB');
    // By default, of this machine's RAM.
    assert.equal(resolveMemoryLimit('50%', 1), `${Math.floor((totalmem() * 0.5) / 2 ** 20)}MB`);
  });

  it('never below 64MB per worker', () => {
    assert.equal(resolveMemoryLimit('100MB', 8), '64MB');
    assert.equal(resolveMemoryLimit('1%', 64, GiB), '64MB');
  });

  it('resolveEngineSettings passes the machine memory and the share through', () => {
    const s = resolveEngineSettings({
      threads: 1,
      memoryLimit: '60%',
      tempDirectory: '/tmp/x',
      shareOf: 3,
      machineBytes: 6 * GiB,
    });
    assert.equal(s.memoryLimit, `${Math.floor((6 * GiB * 0.6) / 3 / 2 ** 20)}MB`);
  });

  it('anything else is a CONFIG error naming the key', () => {
    for (const bad of ['0%', '96%', 'lots', '4 bananas']) {
      assert.throws(
        () => resolveMemoryLimit(bad),
        (e: unknown) =>
          e instanceof SluiceError && e.code === 'CONFIG_INVALID' && /execution\.memory_limit/.test(e.message),
      );
    }
  });
});
