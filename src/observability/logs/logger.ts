import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { formatLogRecord, runOfRecord, type LogRecord } from './log-record.js';

export type { Logger } from 'pino';

/** The file a run's log lines go to: `<logDir>/<runId>.ndjson`. */
export function runLogFile(logDir: string, runId: string): string {
  return join(logDir, `${runId.replace(/[^A-Za-z0-9_.-]/g, '_')}.ndjson`);
}

export interface LoggerOptions {
  /** Lines with a run id are appended to that run's file here (every process may append). */
  readonly logDir: string;
  readonly component: 'coordinator' | 'worker';
  /** Also write every line here: JSON lines, or the human format when `human` (a TTY). */
  readonly console?: { readonly stream: NodeJS.WritableStream; readonly human: boolean } | undefined;
  readonly level?: string;
  readonly bindings?: Record<string, unknown>;
}

/**
 * A pino logger whose destination sends each JSON line to its run's file (append: lines up to
 * a few KiB from several processes do not interleave) and, optionally, to a console stream.
 * Logging never throws: a line that cannot be written is dropped.
 */
export function createLogger(opts: LoggerOptions): Logger {
  let dirReady = false;
  const destination = {
    write(line: string): void {
      let record: LogRecord | undefined;
      try {
        record = JSON.parse(line) as LogRecord;
        const runId = runOfRecord(record);
        if (runId) {
          if (!dirReady) {
            mkdirSync(opts.logDir, { recursive: true });
            dirReady = true;
          }
          appendFileSync(runLogFile(opts.logDir, runId), line.endsWith('\n') ? line : `${line}\n`);
        }
      } catch {
        // a log line is never worth failing work for
      }
      if (opts.console) {
        try {
          opts.console.stream.write(
            opts.console.human && record ? `${formatLogRecord(record)}\n` : line.endsWith('\n') ? line : `${line}\n`,
          );
        } catch {
          // ditto
        }
      }
    },
  };
  return pino(
    {
      level: opts.level ?? 'info',
      base: { component: opts.component, ...opts.bindings },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
}
