import { inspect } from 'node:util';
import { SluiceError, errorMessage, type ErrorCode } from '../../core/errors.js';
import { scrub, type PostgresTarget } from './postgres-url.js';

/**
 * A pg error as a SluiceError: connection, login and server-availability problems (SQLSTATE
 * classes 08, 28, 3D, 53, 57P, or no SQLSTATE: a socket error) are STORE_UNAVAILABLE, the
 * rest `otherwise` (STORE_CONFLICT: constraint, deadlock after retries, ...). The message
 * names the store by its redacted URL and what failed; the URL's password and PGPASSWORD are
 * scrubbed from it, and from the cause, which is a scrubbed copy if the original shows either.
 */
export function wrapPgError(
  err: unknown,
  target: PostgresTarget,
  what: string,
  otherwise: ErrorCode = 'STORE_CONFLICT',
): SluiceError {
  if (err instanceof SluiceError) return err;
  const code = sqlState(err);
  const unavailable = code === undefined || /^(08|28|3D|53|57P)/.test(code);
  const detail = scrub(errorMessage(err), target.secrets);
  const message = `metadata store ${target.label}: ${what}: ${detail}${code === undefined ? '' : ` (SQLSTATE ${code})`}`;
  return new SluiceError(unavailable ? 'STORE_UNAVAILABLE' : otherwise, message, {
    cause: safeCause(err, target.secrets),
  });
}

/** The SQLSTATE of a PostgreSQL error (5 characters), if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(?!E)[0-9A-Z]{5}$/.test(code) ? code : undefined; // not errno codes (EPIPE)
}

/**
 * The connection itself failed: a socket error (no SQLSTATE), a broken link (class 08) or the
 * server ending the session (57P01 admin shutdown / pg_terminate_backend, 57P02 crash, 57P03).
 */
export function isConnectionLoss(err: unknown): boolean {
  const code = sqlState(err);
  return code === undefined || /^(08|57P0[123])/.test(code);
}

/** The original error if nothing in it (message, fields, stack) shows a secret; else a scrubbed copy. */
function safeCause(err: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || !secrets.some((s) => inspect(err, { depth: 4 }).includes(s))) return err;
  const copy = new Error(scrub(errorMessage(err), secrets));
  const code = sqlState(err) ?? (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}
