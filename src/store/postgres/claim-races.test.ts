import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifPostgresIsUp, withSchema } from '../../../test/helpers/postgres-schemas.js';
import type { RetryPolicy } from '../work-queue.js';

/**
 * Claims and writes racing on separate connections (one store, so one pool, per claimer): the
 * caps the claim checks under advisory locks (claim-item.ts) and the fencing of late writes.
 * Each cap test fails if its lock is taken out of sluice_claim_item (migration 6).
 */

const RETRY: RetryPolicy = { maxCodeAttempts: 3, maxInfraAttempts: 3, backoffMs: 1_000, maxBackoffMs: 60_000 };
const GB = 1024 ** 3;

// void: the test runner awaits describe's promise itself.
await ifPostgresIsUp(
  () =>
    void describe('PostgreSQL claims racing on separate connections', () => {
      it("claimers on separate connections, each in another queue, never exceed a group's step concurrency", () =>
        withSchema(async (open) => {
          // Claimer k fits only the items of task m<k> (cpus k+1, memory 8-k GB), each task in its own
          // queue: the claims hold different queue locks and run at once; only the group lock
          // stands between them and a third running task.
          const n = 8;
          const setup = open();
          await setup.migrate();
          const claimers = Array.from({ length: n }, () => open());
          await Promise.all(claimers.map((c) => c.migrate()));
          for (let k = 0; k < n; k++)
            await setup.registerWorker({ id: `w${k}`, host: 'h', pid: k, cpus: 8, memoryBytes: 8 * GB, startedAt: 0 });
          for (let round = 0; round < 6; round++) {
            const runId = `r${round}`;
            const models = Array.from({ length: n }, (_, k) => `m${k}`);
            await setup.createRun(
              { id: runId, project: 'p', selector: '*', startedAt: 0 },
              models.map((model) => ({ model, group: 'g', concurrency: 2 })),
            );
            for (const [k, model] of models.entries()) {
              const item = { queue: `q${k}`, priority: 0, cpus: k + 1, memoryBytes: (n - k) * GB, spec: '{}' };
              await setup.enqueueItems(
                runId,
                model,
                [
                  { itemNo: 0, ...item },
                  { itemNo: 1, ...item },
                ],
                RETRY,
                0,
              );
            }
            const leases = await Promise.all(
              claimers.map((c, k) =>
                c.claimItem({
                  workerId: `w${k}`,
                  cpus: k + 1,
                  memoryBytes: (n - k) * GB,
                  now: 10,
                  leaseMs: 60_000,
                  liveSince: 0,
                }),
              ),
            );
            const running = (await setup.listTasks(runId)).filter((t) => t.status === 'running');
            assert.equal(running.length, 2, `round ${round}: ${running.map((t) => t.model).join(', ')} running`);
            assert.equal(leases.filter((l) => l !== undefined).length, 2, `round ${round}: one lease per running task`);
            await setup.cancelRun(runId, 20);
            await setup.finishRun(runId, 'failed', 20, 'round over');
          }
        }));

      it("claimers on separate connections never exceed a queue's maxShare of the live slots", () =>
        withSchema(async (open) => {
          const n = 10;
          const setup = open();
          await setup.migrate();
          const claimers = Array.from({ length: n }, () => open());
          await Promise.all(claimers.map((c) => c.migrate()));
          await setup.setQueues([
            { name: 'fact', share: 30, maxShare: 50 },
            { name: 'default', share: 70, maxShare: 100 },
          ]);
          for (let k = 0; k < n; k++)
            await setup.registerWorker({ id: `w${k}`, host: 'h', pid: k, cpus: 8, memoryBytes: 8 * GB, startedAt: 0 });
          for (let round = 0; round < 6; round++) {
            const runId = `r${round}`;
            const models = Array.from({ length: 2 * n }, (_, k) => `m${k}`);
            await setup.createRun(
              { id: runId, project: 'p', selector: '*', startedAt: 0 },
              models.map((model) => ({ model, group: model, concurrency: 1 })),
            );
            for (const model of models)
              await setup.enqueueItems(
                runId,
                model,
                [{ itemNo: 0, queue: 'fact', priority: 0, cpus: 1, memoryBytes: GB, spec: '{}' }],
                RETRY,
                0,
              );
            const leases = await Promise.all(
              claimers.map((c, k) =>
                c.claimItem({
                  workerId: `w${k}`,
                  cpus: 8,
                  memoryBytes: 8 * GB,
                  now: 10,
                  leaseMs: 60_000,
                  liveSince: 0,
                }),
              ),
            );
            assert.equal(leases.filter((l) => l !== undefined).length, 5, `round ${round}: 50% of 10 live slots`);
            assert.equal((await setup.listItems(runId)).filter((i) => i.state === 'leased').length, 5);
            await setup.cancelRun(runId, 20);
            await setup.finishRun(runId, 'failed', 20, 'round over');
          }
        }));

      it('mixed writers on separate connections (claim, heartbeat, complete, fail, reap, cancel) neither deadlock nor lose a write', () =>
        withSchema(async (open) => {
          const setup = open();
          await setup.migrate();
          const workers = Array.from({ length: 4 }, () => open());
          const reapers = [open(), open()];
          await Promise.all([...workers, ...reapers].map((s) => s.migrate()));
          const retry = { maxCodeAttempts: 1_000, maxInfraAttempts: 1_000, backoffMs: 0, maxBackoffMs: 0 };
          for (const runId of ['keep', 'cancel']) {
            await setup.createRun({ id: runId, project: 'p', selector: '*', startedAt: 0 }, [
              { model: 'a', group: 'g', concurrency: 2 },
              { model: 'b', group: 'g', concurrency: 2 },
            ]);
            for (const [model, queue] of [
              ['a', 'fact'],
              ['b', 'report'],
            ] as const) {
              await setup.enqueueItems(
                runId,
                model,
                Array.from({ length: 40 }, (_, itemNo) => ({
                  itemNo,
                  queue,
                  priority: runId === 'cancel' ? 1 : 0,
                  cpus: 1,
                  memoryBytes: 1,
                  spec: '{}',
                })),
                retry,
                0,
              );
            }
          }
          for (let k = 0; k < workers.length; k++)
            await setup.registerWorker({ id: `w${k}`, host: 'h', pid: k, cpus: 1, memoryBytes: 1, startedAt: 0 });
          let clock = 0;
          const tick = (): number => ++clock;
          let seed = 42;
          const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
          let stop = false;
          let fenced = 0;
          const completed = new Set<string>();
          const work = workers.map(async (store, k) => {
            while (!stop) {
              const lease = await store.claimItem({
                workerId: `w${k}`,
                cpus: 1,
                memoryBytes: 1,
                now: tick(),
                leaseMs: 25,
                liveSince: 0,
              });
              if (lease === undefined) {
                await new Promise((r) => setTimeout(r, 2));
                continue;
              }
              const id = lease.item.id;
              if (!(await store.heartbeat(id, lease.attempt, tick(), 25))) fenced++;
              const roll = random();
              if (roll < 0.15) {
                if (
                  (await store.failItem(id, lease.attempt, roll < 0.05 ? 'code' : 'infra', 'chaos', tick())) ===
                  'fenced'
                )
                  fenced++;
              } else if (
                await store.completeItem(id, lease.attempt, { now: tick(), rowsOut: 1, bytesOut: 1, output: '{}' })
              ) {
                assert.ok(!completed.has(id), `${id} completed twice`);
                completed.add(id);
              } else {
                fenced++;
              }
            }
          });
          const reaping = reapers.map(async (store) => {
            while (!stop) {
              await store.reapExpired(tick());
              await new Promise((r) => setTimeout(r, 1));
            }
          });
          const control = (async () => {
            try {
              while (completed.size < 20) await new Promise((r) => setTimeout(r, 5));
              await setup.cancelRun('cancel', tick());
              for (;;) {
                const progress = await setup.taskProgress('keep');
                if (progress.every((t) => t.succeeded === t.items)) break;
                await new Promise((r) => setTimeout(r, 20));
              }
            } finally {
              stop = true;
            }
          })();
          await Promise.all([...work, ...reaping, control]);
          const keep = await setup.listItems('keep');
          assert.ok(keep.every((i) => i.state === 'succeeded'));
          const cancelled = await setup.listItems('cancel');
          assert.ok(
            cancelled.every((i) => i.state === 'succeeded' || i.state === 'cancelled'),
            JSON.stringify(cancelled.map((i) => i.state)),
          );
          assert.equal(
            [...keep, ...cancelled].filter((i) => i.state === 'succeeded').length,
            completed.size,
            'every success recorded once',
          );
          const lateWrites = [...keep, ...cancelled].reduce((n, i) => n + i.lateWrites, 0);
          assert.equal(lateWrites, fenced, 'every refused write counted once');
          assert.ok(fenced > 0, 'short leases and eager reapers fenced some writes');
        }));
    }),
);
