import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { RunEvent } from './lineage-event.js';

export interface LineageTransportOptions {
  readonly url: string | null;
  /** Absolute path of an NDJSON file. */
  readonly file: string | null;
  readonly timeoutMs: number;
  readonly retries: number;
}

/**
 * Sends OpenLineage events in order (one at a time, so START precedes COMPLETE): POST to `url`
 * with retries, and/or one JSON line appended to `file`. Never throws: failures are collected.
 */
export class LineageTransport {
  private chain: Promise<void> = Promise.resolve();
  readonly failures: string[] = [];

  constructor(private readonly opts: LineageTransportOptions) {}

  emit(event: RunEvent): void {
    this.chain = this.chain.then(() => this.send(event));
  }

  /** Wait for every event emitted so far. */
  async flush(): Promise<string[]> {
    await this.chain;
    return this.failures;
  }

  private async send(event: RunEvent): Promise<void> {
    const line = JSON.stringify(event);
    if (this.opts.file) {
      try {
        await mkdir(dirname(this.opts.file), { recursive: true });
        await appendFile(this.opts.file, `${line}\n`);
      } catch (err) {
        this.failures.push(`${this.opts.file}: ${errorMessage(err)}`);
      }
    }
    if (this.opts.url) {
      let last = '';
      for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
        try {
          const res = await fetch(this.opts.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: line,
            signal: AbortSignal.timeout(this.opts.timeoutMs),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return;
          last = `HTTP ${res.status}`;
        } catch (err) {
          last = errorMessage(err);
        }
      }
      this.failures.push(`${new URL(this.opts.url).host}: ${event.eventType} ${event.job.name}: ${last}`);
    }
  }
}
