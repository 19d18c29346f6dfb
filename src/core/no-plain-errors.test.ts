import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** Files allowed a plain Error, and why. */
const ALLOWED: Readonly<Record<string, string>> = {
  // A scrubbed copy of a driver error kept as a SluiceError's cause, with the driver's SQLSTATE.
  'store/postgres/postgres-errors.ts': 'never thrown itself',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    const test = /\.test\.ts$|\.contract\.ts$|contract-kit\.ts$/.test(e.name);
    return e.name.endsWith('.ts') && !test ? [path] : [];
  });
}

describe('every error thrown in src/ carries a code', () => {
  it('has no plain `new Error(` outside tests: throw a SluiceError with an ErrorCode instead', () => {
    const found: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file).split('\\').join('/');
      if (Object.hasOwn(ALLOWED, rel)) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bnew Error\(/.test(line)) found.push(`src/${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(found, []);
  });
});
