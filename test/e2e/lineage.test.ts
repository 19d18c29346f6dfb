import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunEvent } from '../../src/observability/lineage/lineage-event.js';
import { runProject } from '../../src/runtime/run-project.js';
import { model, shopProject } from '../helpers/shop-project.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The fields OpenLineage's spec (2-0-2, RunEvent) requires, and the facets' own required fields. */
function assertRunEvent(e: RunEvent): void {
  assert.ok(['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'].includes(e.eventType), e.eventType);
  assert.ok(
    !Number.isNaN(Date.parse(e.eventTime)) && /T.*Z$/.test(e.eventTime),
    `eventTime is an ISO date-time: ${e.eventTime}`,
  );
  assert.match(e.run.runId, UUID);
  assert.equal(typeof e.job.namespace, 'string');
  assert.equal(typeof e.job.name, 'string');
  assert.doesNotThrow(() => new URL(e.producer), 'producer is a URI');
  assert.match(e.schemaURL, /^https:\/\/openlineage\.io\/spec\/\d+-\d+-\d+\/OpenLineage\.json#\/\$defs\/RunEvent$/);
  const facets = [
    ...Object.values(e.run.facets),
    ...Object.values(e.job.facets),
    ...[...e.inputs, ...e.outputs].flatMap((d) => Object.values({ ...d.facets, ...d.outputFacets })),
  ] as Record<string, unknown>[];
  for (const f of facets) {
    assert.doesNotThrow(() => new URL(String(f._producer)));
    assert.match(String(f._schemaURL), /^https:\/\/openlineage\.io\/spec\/facets\//);
  }
  for (const d of [...e.inputs, ...e.outputs]) assert.ok(typeof d.namespace === 'string' && typeof d.name === 'string');
}

describe('OpenLineage events', () => {
  const posted: RunEvent[] = [];
  let server: ReturnType<typeof createServer>;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posted.push(JSON.parse(body));
        res.writeHead(201).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('START and COMPLETE or FAIL per task, to an HTTP endpoint and a file, with the required fields', async () => {
    const p = await shopProject({
      config: `execution:\n  retries: {code: 1}\nlineage:\n  url: ${url}\n  file: .sluice/lineage.ndjson\n  namespace: shop-prod\n`,
    });
    try {
      p.write(
        'models/rpt_city.sql',
        model(
          { type: 'report', business_unit: 'sales' },
          "select city, error('forced') as revenue from rpt_daily group by city",
        ),
      );
      const result = await runProject(p.root, { workers: 2 });
      assert.equal(result.status, 'failed');
      const fromFile = readFileSync(join(p.root, '.sluice/lineage.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RunEvent);
      assert.deepEqual(fromFile, posted, 'the same events to both');
      for (const e of posted) assertRunEvent(e);
      const byJob = (name: string) => posted.filter((e) => e.job.name === name).map((e) => e.eventType);
      assert.deepEqual(byJob('dim_customers'), ['START', 'COMPLETE']);
      assert.deepEqual(byJob('fct_orders'), ['START', 'COMPLETE']);
      assert.deepEqual(byJob('rpt_city'), ['START', 'FAIL']);
      const fct = posted.filter((e) => e.job.name === 'fct_orders');
      assert.equal(fct[0]!.run.runId, fct[1]!.run.runId, 'START and COMPLETE share the run id');
      assert.equal(fct[0]!.job.namespace, 'shop-prod');
      assert.deepEqual(
        fct[1]!.inputs.map((d) => [d.namespace.split(':')[0], d.name.split('/').pop()]),
        [
          ['file', 'dim_customers'],
          ['file', 'orders'],
        ],
      );
      assert.equal(fct[1]!.inputs[1]!.name, join(p.root, 'data/orders'));
      assert.deepEqual(
        fct[1]!.outputs.map((d) => d.name),
        ['fct_orders'],
      );
      assert.equal((fct[1]!.outputs[0]!.outputFacets!.outputStatistics as { rowCount: number }).rowCount, 1000);
      const fail = posted.find((e) => e.eventType === 'FAIL')!;
      assert.match((fail.run.facets.errorMessage as { message: string }).message, /forced/);
      const parents = new Set(posted.map((e) => (e.run.facets.parent as { run: { runId: string } }).run.runId));
      assert.equal(parents.size, 1, 'every task points at one parent: the sluice run');
    } finally {
      p.cleanup();
    }
  });
});
