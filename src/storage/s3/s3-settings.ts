import { SluiceError } from '../../core/errors.js';
import { assertSafeKey } from '../keys.js';

/** Where the store lives: `s3://bucket/prefix` → bucket and a key prefix ('' or ending in `/`). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
  /** `s3://bucket/prefix`, for messages; never has credentials. */
  readonly uri: string;
}

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach the server. Values from sluice.yaml (`storage.s3`) win over the environment. */
export interface S3ClientSettings {
  readonly endpoint?: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** Undefined: the SDK's default chain (environment, profile, instance role). */
  readonly credentials?: S3Credentials;
  /** Attempts per request, first included; retried with jittered exponential backoff. */
  readonly maxAttempts: number;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_MAX_ATTEMPTS = 5;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parse `s3://bucket[/prefix]`. Credentials in the URI are refused (and never echoed). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(uri.trim());
  const authority = match?.[1] ?? '';
  if (authority.includes('@')) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `storage.objects: "s3://***@${authority.slice(authority.lastIndexOf('@') + 1)}...": credentials do not belong in the URI; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment`,
    );
  }
  if (match === null || !BUCKET.test(authority)) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `storage.objects: "${uri.replace(/\/\/[^/]*@/, '//***@')}" is not a valid S3 location; expected s3://bucket/prefix with a bucket name of 3-63 lowercase letters, digits, "." and "-"`,
    );
  }
  const path = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (path !== '') {
    try {
      assertSafeKey(path);
    } catch (err) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `storage.objects: "s3://${authority}/${path}": the prefix is not a safe key path: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const prefix = path === '' ? '' : `${path}/`;
  return { bucket: authority, prefix, uri: `s3://${authority}${path === '' ? '' : `/${path}`}` };
}

/** `storage.s3` of sluice.yaml, after validation (camelCase). */
export interface S3ConfigBlock {
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle?: boolean;
  readonly maxAttempts?: number;
}

/**
 * Client settings from sluice.yaml and the environment: endpoint from `AWS_ENDPOINT_URL_S3`,
 * then `AWS_ENDPOINT_URL`; region from `AWS_REGION`, then `AWS_DEFAULT_REGION`, else us-east-1;
 * path-style addressing defaults to true with a custom endpoint (MinIO and most S3-compatible
 * servers need it), false on AWS. Credentials come only from the environment.
 */
export function resolveClientSettings(
  config: S3ConfigBlock = {},
  env: NodeJS.ProcessEnv = process.env,
): S3ClientSettings {
  const endpoint = nonEmpty(config.endpoint) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const credentials =
    accessKeyId !== undefined && secretAccessKey !== undefined
      ? { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
      : undefined;
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    region: nonEmpty(config.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? DEFAULT_REGION,
    forcePathStyle: config.forcePathStyle ?? endpoint !== undefined,
    ...(credentials === undefined ? {} : { credentials }),
    maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
}

/** The endpoint without user info, for messages. */
export function endpointForMessages(endpoint: string | undefined): string {
  if (endpoint === undefined) return 'AWS S3';
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(invalid endpoint)';
  }
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (err) {
    throw new SluiceError(
      'CONFIG_INVALID',
      'storage.s3.endpoint: not a valid URL (expected e.g. http://127.0.0.1:9000)',
      { cause: err },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SluiceError(
      'CONFIG_INVALID',
      `storage.s3.endpoint: ${endpointForMessages(endpoint)} must be an http:// or https:// URL`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new SluiceError(
      'CONFIG_INVALID',
      `storage.s3.endpoint: ${endpointForMessages(endpoint)}: credentials do not belong in the endpoint; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
