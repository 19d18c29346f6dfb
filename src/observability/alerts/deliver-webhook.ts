import { errorMessage } from '../../core/errors.js';
import type { WebhookConfig } from '../../core/types.js';
import { slackMessage, type Alert } from './alert.js';

export interface DeliveryOptions {
  /** Retries after a failed attempt (attempts = retries + 1). */
  readonly retries: number;
  /** Before retry n: backoffMs × 2^(n-1). */
  readonly backoffMs: number;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface Delivery {
  readonly url: string;
  readonly kind: Alert['kind'];
  readonly ok: boolean;
  readonly attempts: number;
  /** The last failure, when not ok. */
  readonly error?: string;
}

/**
 * POST an alert to one webhook (sluice's JSON document, or a Slack `{ text }` message), retrying
 * with exponential backoff on network errors, timeouts and non-2xx answers. Never throws.
 */
export async function deliverWebhook(alert: Alert, hook: WebhookConfig, opts: DeliveryOptions): Promise<Delivery> {
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(hook.format === 'slack' ? slackMessage(alert) : alert);
  let error = '';
  const url = redactUrl(hook.url);
  for (let attempt = 1; attempt <= opts.retries + 1; attempt++) {
    if (attempt > 1) await sleep(opts.backoffMs * 2 ** (attempt - 2));
    try {
      const res = await doFetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'sluice' },
        body,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { url, kind: alert.kind, ok: true, attempts: attempt };
      error = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      error = cause ? `${errorMessage(err)}: ${errorMessage(cause)}` : errorMessage(err);
    }
  }
  return { url, kind: alert.kind, ok: false, attempts: opts.retries + 1, error };
}

/** Webhook URLs often carry a secret in the path or query: keep scheme, host and first segment. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0];
    return `${u.protocol}//${u.host}/${first ?? ''}${u.pathname.split('/').filter(Boolean).length > 1 || u.search ? '/…' : ''}`;
  } catch {
    return '(invalid url)';
  }
}
