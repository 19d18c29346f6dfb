import { SluiceError } from '../../core/errors.js';
import { attemptRow, checkRollupKey } from '../metrics-input.js';
import type {
  AttemptMetrics,
  AttemptMetricsRecord,
  MetricsRollup,
  MetricsStore,
  RollupKey,
  TaskLabels,
} from '../metrics-store.js';
import { PG_ROLLUP_QUERIES } from './metrics-queries.js';
import type { PostgresConnection, Tx } from './postgres-connection.js';

/** MetricsStore on PostgreSQL (migration 3), sharing the metadata store's pooled connection. */
export class PostgresMetricsStore implements MetricsStore {
  constructor(private readonly conn: PostgresConnection) {}

  async recordAttempt(m: AttemptMetrics): Promise<void> {
    const row = attemptRow(m);
    const written = await this.conn.autocommit((tx) => tx.count('insertAttempt', row));
    if (written === 0)
      throw new SluiceError(
        'STORE_NOT_FOUND',
        `recordAttempt: item ${m.itemId} attempt ${m.attempt}: no such work item in metadata store ${this.conn.label}`,
      );
  }

  async listAttempts(runId: string, model?: string): Promise<AttemptMetricsRecord[]> {
    return this.conn.read(async (tx) => {
      await this.mustHaveRun(tx, runId);
      return tx.rows<AttemptMetricsRecord>('listAttempts', { runId, model: model ?? null });
    });
  }

  async labelTasks(runId: string, labels: readonly TaskLabels[]): Promise<void> {
    await this.conn.write(async (tx) => {
      await this.mustHaveRun(tx, runId);
      for (const l of labels) {
        if ((await tx.rows('taskExists', { runId, model: l.model })).length === 0)
          throw new SluiceError('STORE_NOT_FOUND', `labelTasks: run ${runId} has no task for model ${l.model}`);
        await tx.count('upsertLabel', { runId, model: l.model, businessUnit: l.businessUnit, type: l.type });
      }
    });
  }

  async listTaskLabels(runId: string): Promise<TaskLabels[]> {
    return this.conn.read(async (tx) => {
      await this.mustHaveRun(tx, runId);
      return tx.rows<TaskLabels>('listLabels', { runId });
    });
  }

  async rollup(runId: string, by: RollupKey): Promise<MetricsRollup[]> {
    checkRollupKey(by);
    return this.conn.read(async (tx) => {
      await this.mustHaveRun(tx, runId);
      return tx.rows<MetricsRollup>(PG_ROLLUP_QUERIES[by], { runId });
    });
  }

  private async mustHaveRun(tx: Tx, runId: string): Promise<void> {
    if ((await tx.rows('getRun', { runId })).length === 0) throw this.conn.runNotFound(runId);
  }
}
