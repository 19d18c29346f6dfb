import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { AlertsConfig } from '../../core/types.js';
import type { RunResult } from '../../protocol/run-result.js';
import type { CostReport } from '../cost-report.js';
import { AlertDispatcher } from './alert-dispatcher.js';
import { makeAlert, slackMessage } from './alert.js';
import { deliverWebhook, redactUrl } from './deliver-webhook.js';
import { runEndAlerts } from './run-alerts.js';

/** A local receiver answering with the given statuses in turn (then 200), recording bodies. */
async function receiver(statuses: number[] = []) {
  const bodies: unknown[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret-token`;
  return { url, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const ALERT = makeAlert(
  {
    kind: 'task_failed',
    severity: 'error',
    project: 'shop',
    runId: 'r1',
    model: 'fct_orders',
    summary: 'fct_orders failed: boom',
    details: {},
  },
  new Date(0),
);
const OPTS = { retries: 3, backoffMs: 1, timeoutMs: 2000 };

describe('alerts', () => {
  it('delivers JSON and Slack messages, retrying on errors', async () => {
    const r = await receiver([500, 503]);
    try {
      const d = await deliverWebhook(ALERT, { url: r.url, format: 'json', events: ['task_failed'] }, OPTS);
      assert.deepEqual(d, { url: `${r.url.split('/hook')[0]}/hook/…`, kind: 'task_failed', ok: true, attempts: 3 });
      assert.equal(r.bodies.length, 3);
      assert.deepEqual(r.bodies[2], { ...ALERT });
      const s = await deliverWebhook(ALERT, { url: r.url, format: 'slack', events: ['task_failed'] }, OPTS);
      assert.ok(s.ok);
      assert.deepEqual(r.bodies[3], slackMessage(ALERT));
      assert.match(
        slackMessage(ALERT).text,
        /:red_circle: \*sluice\* shop: task failed model `fct_orders` \(run `r1`\)\nfct_orders failed: boom/,
      );
    } finally {
      await r.close();
    }
  });

  it('gives up on a dead receiver after its retries, without throwing', async () => {
    const r = await receiver();
    await r.close();
    const slept: number[] = [];
    const d = await deliverWebhook(
      ALERT,
      { url: r.url, format: 'json', events: ['task_failed'] },
      { retries: 2, backoffMs: 100, timeoutMs: 500, sleep: async (ms) => void slept.push(ms) },
    );
    assert.equal(d.ok, false);
    assert.equal(d.attempts, 3);
    assert.match(d.error!, /fetch failed|ECONNREFUSED/);
    assert.deepEqual(slept, [100, 200], 'exponential backoff');
    assert.doesNotMatch(d.url, /secret-token/);
    assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/XYZ'), 'https://hooks.slack.com/services/…');
  });

  it('the dispatcher sends each alert to the webhooks that want its kind', async () => {
    const r = await receiver();
    try {
      const config: AlertsConfig = {
        webhooks: [
          { url: r.url, format: 'json', events: ['run_failed'] },
          { url: r.url, format: 'slack', events: ['task_failed', 'run_failed'] },
        ],
        retries: 0,
        backoffMs: 0,
        timeoutMs: 1000,
        runSlaMs: null,
        anomaly: { factor: 3, minRuns: 3 },
      };
      const dispatcher = new AlertDispatcher(config);
      dispatcher.send(ALERT);
      dispatcher.send({ ...ALERT, kind: 'run_failed' });
      const deliveries = await dispatcher.flush();
      assert.deepEqual(
        deliveries.map((d) => [d.kind, d.ok]),
        [
          ['task_failed', true],
          ['run_failed', true],
          ['run_failed', true],
        ],
      );
      assert.equal(r.bodies.length, 3);
    } finally {
      await r.close();
    }
  });

  it('end-of-run alerts: failure, SLA, budgets, anomalies', () => {
    const config: AlertsConfig = {
      webhooks: [],
      retries: 0,
      backoffMs: 0,
      timeoutMs: 1,
      runSlaMs: 60_000,
      anomaly: { factor: 3, minRuns: 3 },
    };
    const result = {
      runId: 'r9',
      project: 'shop',
      selector: '*',
      status: 'succeeded',
      durationMs: 90_000,
      tasks: [],
      counts: { pending: 0, running: 0, succeeded: 1, failed: 0, not_run: 0 },
    } as unknown as RunResult;
    const cost = {
      currency: 'USD',
      total: { total: 0.5 },
      budgets: [
        { runId: 'r9', scope: 'group', key: 'fact_sales', budget: 0.1, cost: 0.2, over: true },
        { runId: 'r9', scope: 'run', key: 'r9', budget: 1, cost: 0.5, over: false },
      ],
    } as unknown as CostReport;
    const history = [10_000, 20_000, 30_000].map((ms, i) => ({ runId: `r${i}`, durationMs: ms, cost: 0.1 }));
    const alerts = runEndAlerts(result, cost, history, config);
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['sla_missed', 'over_budget', 'anomaly', 'anomaly'],
    );
    assert.match(alerts[1]!.summary, /group fact_sales cost \$0\.20, over its budget of \$0\.10/);
    assert.match(alerts[2]!.summary, /duration is 4\.5× the median of the last 3 run\(s\)/);
    assert.match(alerts[3]!.summary, /cost is 5\.0×/);
    assert.deepEqual(
      runEndAlerts(result, cost, history.slice(0, 2), { ...config, runSlaMs: null }).map((a) => a.kind),
      ['over_budget'],
      'too little history for anomalies',
    );
    const failed = {
      ...result,
      status: 'failed',
      tasks: [{ model: 'm', status: 'failed' }],
      counts: { ...result.counts, failed: 1 },
    } as unknown as RunResult;
    const f = runEndAlerts(failed, undefined, history, { ...config, runSlaMs: null });
    assert.deepEqual(
      f.map((a) => [a.kind, a.severity]),
      [['run_failed', 'error']],
    );
    assert.match(f[0]!.summary, /1 task\(s\) failed \(m\)/);
  });
});
