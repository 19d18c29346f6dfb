import { SluiceError, errorMessage } from '../../core/errors.js';

/**
 * Reading the SDK's errors and turning them into SluiceErrors ('STORAGE_IO') that name the store
 * URI, the action and the key — and never a credential: every text taken from an error passes
 * through `redact` with the secrets the store knows.
 */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function statusOf(err: unknown): number | undefined {
  const status = (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The S3 error code (`NoSuchKey`, `PreconditionFailed`) or the Node error code (`ECONNREFUSED`). */
export function errorCodeOf(err: unknown): string {
  const e = (err ?? {}) as SdkErrorShape;
  for (const v of [e.Code, e.code, e.name]) if (typeof v === 'string' && v !== '' && v !== 'Error') return v;
  return 'Error';
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404 || ['NoSuchKey', 'NotFound'].includes(errorCodeOf(err));
}

export function isPreconditionFailed(err: unknown): boolean {
  return statusOf(err) === 412 || errorCodeOf(err) === 'PreconditionFailed';
}

/** AWS answers 409 when two conditional writes to one key overlap: retry the write. */
export function isConditionalConflict(err: unknown): boolean {
  return (
    errorCodeOf(err) === 'ConditionalRequestConflict' ||
    (statusOf(err) === 409 && errorCodeOf(err) !== 'BucketAlreadyExists')
  );
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
]);
const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
]);

/** Replace every known secret (secret key, session token) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

export interface ErrorContext {
  readonly uri: string;
  readonly bucket: string;
  /** The endpoint without credentials, or 'AWS S3'. */
  readonly endpoint: string;
  readonly secrets: readonly string[];
}

/** A STORAGE_IO SluiceError for a failed S3 call; `key` is the store's key (no prefix). */
export function s3Failure(ctx: ErrorContext, action: string, key: string, err: unknown): SluiceError {
  const what = key === '' ? '' : ` ${JSON.stringify(key)}`;
  if (err instanceof SluiceError) {
    // Already said by a nested call of this store; else one of ours, raised inside the operation.
    if (err.message.startsWith(`object store ${ctx.uri}:`)) return err;
    return new SluiceError(
      err.code,
      redact(`object store ${ctx.uri}: cannot ${action}${what}: ${err.message}`, ctx.secrets),
      { cause: err },
    );
  }
  const code = errorCodeOf(err);
  const status = statusOf(err);
  let reason: string;
  if (code === 'NoSuchBucket') reason = `bucket "${ctx.bucket}" does not exist at ${ctx.endpoint}`;
  else if (
    UNREACHABLE.has(code) ||
    (status === undefined && /ECONNREFUSED|ENOTFOUND|socket hang up|timed? ?out/i.test(errorMessage(err)))
  ) {
    reason = `cannot reach ${ctx.endpoint} (${code}); check storage.s3.endpoint / AWS_ENDPOINT_URL and the network`;
  } else if (DENIED.has(code) || status === 403) {
    reason = `access denied (${code}); check the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy`;
  } else if (code === 'Error' && status === undefined) {
    reason = errorMessage(err); // one of ours: the message says it all
  } else {
    reason = `${code}${status === undefined ? '' : ` (HTTP ${status})`}: ${errorMessage(err)}`;
  }
  return new SluiceError(
    'STORAGE_IO',
    redact(`object store ${ctx.uri}: cannot ${action}${what}: ${reason}`, ctx.secrets),
    { cause: err },
  );
}
