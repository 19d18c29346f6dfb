import { SluiceError } from '../../core/errors.js';

/** Where a PostgreSQL metadata store lives, parsed from its URL; never holds a readable secret in `label`. */
export interface PostgresTarget {
  /** The URL handed to `pg`, without sluice's own `schema` parameter. */
  readonly connectionString: string;
  /** The schema the store's tables live in (`?schema=`), or undefined for the server's search_path. */
  readonly schema: string | undefined;
  /** The URL's own `options` (server settings, `-c name=value ...`), which sluice adds to. */
  readonly options: string | undefined;
  /** The URL with its password replaced by `***`: the only form that may appear in messages. */
  readonly label: string;
  /** Secrets to scrub from any text sluice shows: the URL's password and PGPASSWORD. */
  readonly secrets: readonly string[];
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parse `postgres://user:password@host:port/database?schema=name`. `schema` is sluice's:
 * a lowercase identifier; the store creates it on `migrate()` and sets it as the search_path of
 * every pooled connection, so one database can hold several stores (tests use one per case).
 * `options` (server settings) are kept and sluice's added; other parameters (sslmode, ...)
 * are passed to `pg` unchanged.
 */
export function parsePostgresUrl(url: string): PostgresTarget {
  const secrets = [process.env.PGPASSWORD ?? ''].filter((s) => s !== '');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // URL's own error carries the input (and so the password): do not attach it as the cause.
    throw new SluiceError(
      'CONFIG_INVALID',
      `storage.metadata: "${redactUrl(url)}" is not a valid PostgreSQL URL (postgres://user@host:5432/database?schema=name)`,
    );
  }
  if (parsed.password !== '') secrets.push(parsed.password, safeDecode(parsed.password));
  const label = redactUrl(url);
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) {
    throw new SluiceError('CONFIG_INVALID', `storage.metadata: "${label}" is not a postgres:// URL`);
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new SluiceError(
      'CONFIG_INVALID',
      `storage.metadata: "${label}": schema must be a lowercase identifier (a-z, 0-9, _), got "${schema}"`,
    );
  }
  // pg lets the URL's parameters override its config: take `options` out, to combine with ours.
  const options = parsed.searchParams.get('options') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), schema, options, label, secrets };
}

/** Replace the password of `scheme://user:password@host` (or a bare `user@`) by `***`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@?#]*)@/i, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** `text` with every secret replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s !== '') out = out.split(s).join('***');
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
