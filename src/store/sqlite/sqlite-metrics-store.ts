import type Database from 'better-sqlite3';
import { SluiceError, errorMessage } from '../../core/errors.js';
import type { AttemptMetrics, AttemptMetricsRecord, MetricsRollup, MetricsStore, RollupKey, TaskLabels } from '../metrics-store.js';
import { METRICS_QUERIES, ROLLUP_KEYS, type MetricsQueryName } from './metrics-queries.js';
import type { SqliteConnection } from './sqlite-connection.js';

type MetricsStatements = { readonly [K in MetricsQueryName]: Database.Statement };

const OUTCOMES = new Set(['succeeded', 'failed', 'fenced', 'released']);
const NUMBERS = ['attempt', 'startedAt', 'endedAt', 'queueWaitMs', 'wallMs', 'cpuMs', 'peakRssBytes', 'cpus', 'memoryBytes', 'bytesIn', 'filesIn', 'partitionsIn', 'rowsOut', 'bytesOut', 'filesOut', 'writeRequests', 'readRequests'] as const;

/** MetricsStore on SQLite (migration 3), sharing the metadata store's connection. */
export class SqliteMetricsStore implements MetricsStore {
  private statements: MetricsStatements | undefined;

  constructor(private readonly conn: SqliteConnection) {}

  async recordAttempt(m: AttemptMetrics): Promise<void> {
    const where = `recordAttempt: item ${m.itemId} attempt ${m.attempt}`;
    if (!OUTCOMES.has(m.outcome)) throw new SluiceError('STORE_CONFLICT', `${where}: outcome must be succeeded, failed, fenced or released, got ${String(m.outcome)}`);
    if (!Number.isSafeInteger(m.attempt) || m.attempt < 1) throw new SluiceError('STORE_CONFLICT', `${where}: attempt must be an integer >= 1`);
    for (const k of NUMBERS) {
      if (!Number.isFinite(m[k]) || m[k] < 0) throw new SluiceError('STORE_CONFLICT', `${where}: ${k} must be a number >= 0, got ${String(m[k])}`);
    }
    const round = (v: number) => Math.round(v);
    this.write((q) => {
      const changes = q.insertAttempt.run({
        itemId: m.itemId, attempt: m.attempt, workerId: m.workerId, outcome: m.outcome, startedAt: round(m.startedAt), endedAt: round(m.endedAt),
        queueWaitMs: round(m.queueWaitMs), wallMs: round(m.wallMs), cpuMs: round(m.cpuMs), peakRssBytes: round(m.peakRssBytes), cpus: m.cpus,
        memoryBytes: round(m.memoryBytes), rowsIn: m.rowsIn === null ? null : round(m.rowsIn), bytesIn: round(m.bytesIn), filesIn: m.filesIn,
        partitionsIn: m.partitionsIn, rowsOut: m.rowsOut, bytesOut: m.bytesOut, filesOut: m.filesOut, writeRequests: m.writeRequests,
        readRequests: m.readRequests, error: m.error,
      }).changes;
      if (changes === 0) throw new SluiceError('STORE_NOT_FOUND', `${where}: no such work item in metadata store ${this.conn.file}`);
    });
  }

  async listAttempts(runId: string, model?: string): Promise<AttemptMetricsRecord[]> {
    return this.read((q) => {
      this.mustHaveRun(q, runId);
      return q.listAttempts.all({ runId, model: model ?? null }) as AttemptMetricsRecord[];
    });
  }

  async labelTasks(runId: string, labels: readonly TaskLabels[]): Promise<void> {
    this.write((q) => {
      this.mustHaveRun(q, runId);
      for (const l of labels) {
        if (q.taskExists.get(runId, l.model) === undefined) throw new SluiceError('STORE_NOT_FOUND', `labelTasks: run ${runId} has no task for model ${l.model}`);
        q.upsertLabel.run({ runId, model: l.model, businessUnit: l.businessUnit, type: l.type });
      }
    });
  }

  async listTaskLabels(runId: string): Promise<TaskLabels[]> {
    return this.read((q) => {
      this.mustHaveRun(q, runId);
      return q.listLabels.all(runId) as TaskLabels[];
    });
  }

  async rollup(runId: string, by: RollupKey): Promise<MetricsRollup[]> {
    const name = ROLLUP_KEYS[by];
    if (name === undefined) throw new SluiceError('STORE_CONFLICT', `rollup: by must be task, group, business_unit or run, got ${String(by)}`);
    return this.read((q) => {
      this.mustHaveRun(q, runId);
      return (q[name].all(runId) as MetricsRollup[]).map((r) => ({ ...r, key: String(r.key) }));
    });
  }

  private mustHaveRun(q: MetricsStatements, runId: string): void {
    if (q.runExists.get(runId) === undefined) throw this.conn.runNotFound(runId);
  }

  private write<T>(fn: (q: MetricsStatements) => T): T {
    const q = this.q();
    return this.conn.guard(() => this.conn.db.transaction(() => fn(q)).immediate());
  }

  private read<T>(fn: (q: MetricsStatements) => T): T {
    const q = this.q();
    return this.conn.guard(() => this.conn.db.transaction(() => fn(q)).deferred());
  }

  private q(): MetricsStatements {
    if (this.statements !== undefined) return this.statements;
    this.conn.q(); // throws unless open and migrated
    const prepared: Partial<Record<MetricsQueryName, Database.Statement>> = {};
    for (const name of Object.keys(METRICS_QUERIES) as MetricsQueryName[]) {
      try {
        prepared[name] = this.conn.db.prepare(METRICS_QUERIES[name]);
      } catch (err) {
        throw new SluiceError('STORE_MIGRATION', `metadata store ${this.conn.file}: cannot prepare query ${name}: ${errorMessage(err)}`, { cause: err });
      }
    }
    this.statements = prepared as MetricsStatements;
    return this.statements;
  }
}
