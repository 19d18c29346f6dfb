import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { workerEventLogger } from './log-events.js';
import { formatLogRecord, type LogRecord } from './log-record.js';
import { createLogger, runLogFile } from './logger.js';
import { readRunLog } from './read-run-log.js';

describe('logs', () => {
  it("go to their run's file as pino JSON lines with the ids, and to a console in either format", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-logs-'));
    try {
      const lines: string[] = [];
      const sink = { write: (s: string) => void lines.push(s) } as unknown as NodeJS.WritableStream;
      const log = createLogger({
        logDir: dir,
        component: 'worker',
        console: { stream: sink, human: true },
        bindings: { workerId: 'w1' },
      });
      const onEvent = workerEventLogger(log);
      onEvent({ kind: 'item_started', itemId: 'r1/fct_orders/000002', attempt: 1 });
      onEvent({
        kind: 'item_measured',
        itemId: 'r1/fct_orders/000002',
        attempt: 1,
        outcome: 'failed',
        wallMs: 1200,
        cpuMs: 900,
        rowsOut: 0,
        bytesOut: 0,
        recorded: true,
      });
      onEvent({
        kind: 'item_finished',
        itemId: 'r1/fct_orders/000002',
        attempt: 1,
        outcome: 'retry',
        error: 'Conversion Error: boom',
      });
      log.info('not about a run');
      const records = readFileSync(runLogFile(dir, 'r1'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as LogRecord);
      assert.equal(records.length, 2, 'lines without a run id go to the console only');
      assert.deepEqual(
        { ...records[1], time: 0, pid: 0, hostname: '' },
        {
          level: 40,
          time: 0,
          pid: 0,
          hostname: '',
          component: 'worker',
          workerId: 'w1',
          runId: 'r1',
          model: 'fct_orders',
          itemId: 'r1/fct_orders/000002',
          attempt: 1,
          outcome: 'retry',
          wallMs: 1200,
          cpuMs: 900,
          rowsOut: 0,
          error: 'Conversion Error: boom',
          msg: 'attempt failed; item will be retried',
        },
      );
      assert.equal(lines.length, 3);
      assert.match(
        lines[1]!,
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z WARN  worker      fct_orders #2 a1 @w1  attempt failed; item will be retried  outcome=retry wallMs=1200 cpuMs=900 rowsOut=0 error="Conversion Error: boom"\n$/,
      );
      const json = createLogger({ logDir: dir, component: 'coordinator', console: { stream: sink, human: false } });
      json.error({ runId: 'r1', model: 'rpt' }, 'task failed');
      assert.equal(JSON.parse(lines[3]!).msg, 'task failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("readRunLog returns a run's lines in time order, one model's on request, skipping torn lines", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-logs-'));
    try {
      const file = runLogFile(dir, 'r2');
      const rec = (time: number, model: string, msg: string) =>
        JSON.stringify({ level: 30, time, msg, runId: 'r2', model });
      appendFileSync(
        file,
        `${rec(3, 'b', 'third')}\n${rec(1, 'a', 'first')}\n${rec(2, 'b', 'second')}\n{"level":30,"ti`,
      );
      assert.deepEqual(
        readRunLog(dir, 'r2').map((r) => r.msg),
        ['first', 'second', 'third'],
      );
      assert.deepEqual(
        readRunLog(dir, 'r2', 'b').map((r) => r.msg),
        ['second', 'third'],
      );
      assert.deepEqual(readRunLog(dir, 'nope'), []);
      assert.match(
        formatLogRecord({
          level: 50,
          time: 0,
          msg: 'x',
          component: 'coordinator',
          runId: 'r',
          model: 'm',
          error: 'a\nb',
        }),
        /ERROR coordinator m  x  error=a$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
