import { SluiceError } from '../core/errors.js';

/**
 * Object keys: `/`-separated relative paths such as `fct_orders/order_date=2024-01-01/part-0.parquet`.
 * Every object store validates keys with these functions before touching anything, so a key can
 * never name a file outside the store (`..`, absolute paths) or collide with its bookkeeping.
 */

/** First segment reserved for staging folders (`<root>/_staging/<id>/`); no object key may use it. */
export const STAGING_SEGMENT = '_staging';

/**
 * First segment reserved for a store's own bookkeeping (the S3 store's conditional-put probe and
 * claims, `.sluice/probe/`, `.sluice/claims/`); no object key may use it. Not an identifier, so
 * no model name can collide with it.
 */
export const BOOKKEEPING_SEGMENT = '.sluice';

const RESERVED_FIRST_SEGMENTS = [STAGING_SEGMENT, BOOKKEEPING_SEGMENT];

/** S3's limit on key length, in UTF-8 bytes; applied everywhere so projects stay portable. */
export const MAX_KEY_BYTES = 1024;

// NUL, C0 control characters and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(what: string, value: unknown, reason: string): never {
  throw new SluiceError('STORAGE_KEY', `invalid ${what} ${JSON.stringify(value)}: ${reason}`);
}

/** Characters allowed anywhere in a key, prefix or staging id. */
function checkCharacters(what: string, value: string): void {
  if (value.includes('\\')) fail(what, value, 'backslashes are not allowed (use "/")');
  if (CONTROL.test(value)) fail(what, value, 'control characters are not allowed');
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) fail(what, value, `longer than ${MAX_KEY_BYTES} bytes`);
}

function checkSegment(what: string, value: string, segment: string): void {
  if (segment === '') fail(what, value, 'empty path segment');
  if (segment === '.' || segment === '..') fail(what, value, `"${segment}" segments are not allowed`);
}

/**
 * Check that `key` is a safe relative key and return it unchanged. Rejects (SluiceError
 * 'STORAGE_KEY', message quoting the key) empty keys, absolute paths, backslashes, NUL and control
 * characters, empty segments (`a//b`), `.` and `..` segments, and a trailing `/`.
 */
export function assertSafeKey(key: string): string {
  const what = 'object key';
  if (typeof key !== 'string') fail(what, key, 'keys must be strings');
  if (key === '') fail(what, key, 'keys cannot be empty');
  checkCharacters(what, key);
  if (key.startsWith('/')) fail(what, key, 'keys are relative paths and cannot start with "/"');
  if (key.endsWith('/')) fail(what, key, 'keys cannot end with "/"');
  for (const segment of key.split('/')) checkSegment(what, key, segment);
  return key;
}

/** `assertSafeKey` plus: the first segment must not be a reserved one (`_staging`, `.sluice`). */
export function assertObjectKey(key: string): string {
  assertSafeKey(key);
  const first = key.split('/', 1)[0];
  if (first === STAGING_SEGMENT)
    fail('object key', key, `keys under "${STAGING_SEGMENT}/" are reserved for staging folders`);
  if (first === BOOKKEEPING_SEGMENT)
    fail('object key', key, `keys under "${BOOKKEEPING_SEGMENT}/" are reserved for the store's bookkeeping`);
  return key;
}

/** True for a key whose first segment is reserved: such objects are never listed. */
export function isReservedKey(key: string): boolean {
  return RESERVED_FIRST_SEGMENTS.includes(key.split('/', 1)[0] ?? '');
}

/**
 * Check a prefix for `list` and return it unchanged. A prefix is '' (everything), a folder ending
 * in `/` (`fct_orders/`) or any leading part of a key (`fct_orders/order_date=2024-`): every
 * complete segment follows the key rules, the last (partial) one only the character rules.
 * Prefixes inside the reserved folders (`_staging/`, `.sluice/`) are rejected.
 */
export function assertListPrefix(prefix: string): string {
  const what = 'list prefix';
  if (typeof prefix !== 'string') fail(what, prefix, 'prefixes must be strings');
  if (prefix === '') return prefix;
  checkCharacters(what, prefix);
  if (prefix.startsWith('/')) fail(what, prefix, 'prefixes are relative and cannot start with "/"');
  const segments = prefix.split('/');
  const complete = segments.slice(0, -1);
  for (const segment of complete) checkSegment(what, prefix, segment);
  if (complete[0] === STAGING_SEGMENT) {
    fail(what, prefix, `keys under "${STAGING_SEGMENT}/" are reserved for staging folders`);
  }
  if (complete[0] === BOOKKEEPING_SEGMENT) {
    fail(what, prefix, `keys under "${BOOKKEEPING_SEGMENT}/" are reserved for the store's bookkeeping`);
  }
  return prefix;
}

/** A staging id is one safe path segment (no `/`), e.g. an attempt id. */
export function assertStagingId(id: string): string {
  const what = 'staging id';
  if (typeof id !== 'string') fail(what, id, 'ids must be strings');
  if (id === '') fail(what, id, 'ids cannot be empty');
  checkCharacters(what, id);
  if (id.includes('/')) fail(what, id, 'ids are a single path segment and cannot contain "/"');
  checkSegment(what, id, id);
  return id;
}

/** The folder part of a prefix: `a/b/c` -> `a/b/`, `a/b/` -> `a/b/`, `abc` -> ''. */
export function prefixFolder(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/** Sort order for `list`: by UTF-16 code unit, the same for every implementation. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
