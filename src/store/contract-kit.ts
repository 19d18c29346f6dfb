import assert from 'node:assert/strict';
import { SluiceError, type ErrorCode } from '../core/errors.js';
import type { MetadataStore } from './metadata-store.js';

/** Shared by the store contract suites (metadata store, work queue, task skips, metrics). */

/** For `assert.rejects`: a SluiceError with this code whose message mentions each of `mentions`. */
export const isCode =
  (code: ErrorCode, ...mentions: string[]) =>
  (err: unknown): boolean => {
    assert.ok(err instanceof SluiceError, `expected a SluiceError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const m of mentions) assert.ok(err.message.includes(m), `message should mention ${m}: ${err.message}`);
    return true;
  };

/** Make a fixture, migrate its store, run `fn` on it, then close the store and clean up whatever happens. */
export async function withFixture<F extends { readonly store: MetadataStore; readonly cleanup: () => Promise<void> }>(
  make: () => Promise<F>,
  fn: (fixture: F) => Promise<void>,
): Promise<void> {
  const fixture = await make();
  try {
    await fixture.store.migrate();
    await fn(fixture);
  } finally {
    await fixture.store.close();
    await fixture.cleanup();
  }
}
