import type { AlertsConfig } from '../../core/types.js';
import type { Alert } from './alert.js';
import { deliverWebhook, type Delivery, type DeliveryOptions } from './deliver-webhook.js';

/**
 * Sends alerts to every webhook that wants their kind, in the background; `flush()` waits for
 * all deliveries so far. Nothing here throws: a dead receiver costs retries, never the run.
 */
export class AlertDispatcher {
  private readonly pending: Promise<Delivery>[] = [];

  constructor(
    private readonly config: AlertsConfig,
    private readonly onDelivery?: (d: Delivery) => void,
    private readonly overrides: Pick<DeliveryOptions, 'fetch' | 'sleep'> = {},
  ) {}

  send(alert: Alert): void {
    for (const hook of this.config.webhooks) {
      if (!hook.events.includes(alert.kind)) continue;
      const opts: DeliveryOptions = {
        retries: this.config.retries,
        backoffMs: this.config.backoffMs,
        timeoutMs: this.config.timeoutMs,
        ...this.overrides,
      };
      this.pending.push(
        deliverWebhook(alert, hook, opts).then((d) => {
          try {
            this.onDelivery?.(d);
          } catch {
            // a reporting callback must not break delivery
          }
          return d;
        }),
      );
    }
  }

  async flush(): Promise<Delivery[]> {
    return Promise.all(this.pending);
  }
}
