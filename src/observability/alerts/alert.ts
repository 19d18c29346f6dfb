import type { AlertKind } from '../../core/types.js';

export const ALERT_SCHEMA = 'sluice.alert/v1';

/** One alert, as posted to a `json` webhook. */
export interface Alert {
  readonly schema: typeof ALERT_SCHEMA;
  readonly kind: AlertKind;
  readonly severity: 'error' | 'warning';
  readonly project: string;
  readonly runId: string;
  /** The model, for task alerts. */
  readonly model?: string;
  /** One line for people. */
  readonly summary: string;
  /** Numbers and messages behind the summary. */
  readonly details: Readonly<Record<string, unknown>>;
  /** ISO 8601. */
  readonly at: string;
}

export function makeAlert(fields: Omit<Alert, 'schema' | 'at'>, at = new Date()): Alert {
  return { schema: ALERT_SCHEMA, ...fields, at: at.toISOString() };
}

/** A Slack-compatible message (incoming webhooks accept `{ text }` with mrkdwn). */
export function slackMessage(alert: Alert): { text: string } {
  const icon = alert.severity === 'error' ? ':red_circle:' : ':warning:';
  const where = alert.model ? ` model \`${alert.model}\`` : '';
  return {
    text: `${icon} *sluice* ${alert.project}: ${alert.kind.replace('_', ' ')}${where} (run \`${alert.runId}\`)\n${alert.summary}`,
  };
}
