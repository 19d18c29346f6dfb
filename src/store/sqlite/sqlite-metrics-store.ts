import type Database from 'better-sqlite3';
import { SluiceError, errorMessage } from '../../core/errors.js';
import type {
  AttemptMetrics,
  AttemptMetricsRecord,
  MetricsRollup,
  MetricsStore,
  RollupKey,
  TaskLabels,
} from '../metrics-store.js';
import { attemptRow, checkRollupKey } from '../metrics-input.js';
import { METRICS_QUERIES, ROLLUP_KEYS, type MetricsQueryName } from './metrics-queries.js';
import type { SqliteConnection } from './sqlite-connection.js';

type MetricsStatements = { readonly [K in MetricsQueryName]: Database.Statement };

/** MetricsStore on SQLite (migration 3), sharing the metadata store's connection. */
export class SqliteMetricsStore implements MetricsStore {
  private statements: MetricsStatements | undefined;

  constructor(private readonly conn: SqliteConnection) {}

  async recordAttempt(m: AttemptMetrics): Promise<void> {
    const row = attemptRow(m);
    this.write((q) => {
      const changes = q.insertAttempt.run(row).changes;
      if (changes === 0)
        throw new SluiceError(
          'STORE_NOT_FOUND',
          `recordAttempt: item ${m.itemId} attempt ${m.attempt}: no such work item in metadata store ${this.conn.file}`,
        );
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
        if (q.taskExists.get(runId, l.model) === undefined)
          throw new SluiceError('STORE_NOT_FOUND', `labelTasks: run ${runId} has no task for model ${l.model}`);
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
    checkRollupKey(by);
    const name = ROLLUP_KEYS[by];
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
        throw new SluiceError(
          'STORE_MIGRATION',
          `metadata store ${this.conn.file}: cannot prepare query ${name}: ${errorMessage(err)}`,
          { cause: err },
        );
      }
    }
    this.statements = prepared as MetricsStatements;
    return this.statements;
  }
}
