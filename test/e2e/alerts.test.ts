import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '../../src/observability/alerts/alert.js';
import type { Delivery } from '../../src/observability/alerts/deliver-webhook.js';
import { runProject } from '../../src/runtime/run-project.js';
import { model, shopProject } from '../helpers/shop-project.js';

describe('alerts from a real run', () => {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  let server: ReturnType<typeof createServer>;
  let base: string;
  let dead: string;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port nobody listens on: bind one, then close it.
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    dead = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/hook`;
    await new Promise<void>((r) => gone.close(() => r()));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const config = (hooks: string) =>
    `execution:\n  retries: {code: 1}\nbudgets:\n  run: 0.0000001\nalerts:\n  retries: 2\n  backoff_seconds: 0.01\n  timeout_seconds: 2\n  webhooks:\n${hooks}`;

  it('a forced failure and a budget breach reach the receiver (JSON and Slack); a dead receiver does not fail the run', async () => {
    const p = await shopProject({
      config: config(
        `    - {url: "${base}/json"}\n    - {url: "${base}/slack", format: slack, events: [run_failed]}\n    - {url: "${dead}"}\n`,
      ),
    });
    try {
      p.write(
        'models/rpt_city.sql',
        model(
          { type: 'report', business_unit: 'sales' },
          "select city, error('forced failure') as revenue from rpt_daily group by city",
        ),
      );
      const deliveries: Delivery[] = [];
      const result = await runProject(p.root, { workers: 1, onAlert: (d) => deliveries.push(d) });
      assert.equal(result.status, 'failed', 'the run reports its own outcome, not the alerts');
      assert.equal(result.tasks.find((t) => t.model === 'rpt_city')!.status, 'failed');
      const json = received.filter((r) => r.path === '/json').map((r) => r.body as unknown as Alert);
      assert.deepEqual(json.map((a) => a.kind).sort(), ['over_budget', 'run_failed', 'task_failed']);
      const task = json.find((a) => a.kind === 'task_failed')!;
      assert.equal(task.schema, 'sluice.alert/v1');
      assert.equal(task.model, 'rpt_city');
      assert.equal(task.runId, result.runId);
      assert.equal(task.project, 'shop');
      assert.match(task.summary, /forced failure/);
      assert.match(
        json.find((a) => a.kind === 'over_budget')!.summary,
        /the run cost \$\S+, over its budget of \$0\.00000010/,
      );
      const slack = received.filter((r) => r.path === '/slack');
      assert.equal(slack.length, 1);
      assert.match(String(slack[0]!.body.text), /run failed .*\n.*1 task\(s\) failed \(rpt_city\)/);
      const lost = deliveries.filter((d) => !d.ok);
      assert.deepEqual(lost.map((d) => d.kind).sort(), ['over_budget', 'run_failed', 'task_failed']);
      assert.ok(lost.every((d) => d.attempts === 3 && d.url.startsWith(dead.replace('/hook', ''))));
    } finally {
      p.cleanup();
    }
  });

  it('a run whose only receiver is dead still succeeds', async () => {
    const p = await shopProject({ config: config(`    - {url: "${dead}"}\n`) });
    try {
      const deliveries: Delivery[] = [];
      const result = await runProject(p.root, { workers: 1, onAlert: (d) => deliveries.push(d) });
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(
        deliveries.map((d) => [d.kind, d.ok]),
        [['over_budget', false]],
      );
    } finally {
      p.cleanup();
    }
  });
});
