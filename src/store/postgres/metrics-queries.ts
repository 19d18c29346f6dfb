/**
 * The PostgreSQL metrics store's statements (metrics-store.ts; the same as sqlite/metrics-queries.ts
 * in PostgreSQL's dialect). Columns are aliased to the AttemptMetricsRecord / MetricsRollup names.
 */
import type { RollupKey } from '../metrics-store.js';

const ATTEMPT_COLUMNS = `m.item_id AS "itemId", m.attempt, m.run_id AS "runId", m.model, i.item_no AS "itemNo",
  i.group_name AS "group", i.queue, m.worker_id AS "workerId", m.outcome, m.started_at AS "startedAt",
  m.ended_at AS "endedAt", m.queue_wait_ms AS "queueWaitMs", m.wall_ms AS "wallMs", m.cpu_ms AS "cpuMs",
  m.peak_rss_bytes AS "peakRssBytes", m.cpus, m.memory_bytes AS "memoryBytes", m.rows_in AS "rowsIn",
  m.bytes_in AS "bytesIn", m.files_in AS "filesIn", m.partitions_in AS "partitionsIn", m.rows_out AS "rowsOut",
  m.bytes_out AS "bytesOut", m.files_out AS "filesOut", m.write_requests AS "writeRequests",
  m.read_requests AS "readRequests", m.error`;

/** Sums over a run's attempts grouped by `key`. Output counts only what succeeded (was published). */
const rollup = (key: string): string => `
  SELECT ${key}::text AS key,
    COUNT(*) AS attempts,
    COUNT(*) FILTER (WHERE m.outcome <> 'succeeded') AS "failedAttempts",
    COUNT(DISTINCT m.item_id) AS items,
    SUM(m.wall_ms) AS "wallMs",
    SUM(m.cpu_ms) AS "cpuMs",
    MAX(m.peak_rss_bytes) AS "maxPeakRssBytes",
    SUM(m.queue_wait_ms) AS "queueWaitMs",
    SUM(COALESCE(m.rows_in, 0)) AS "rowsIn",
    SUM(m.bytes_in) AS "bytesIn",
    SUM(m.files_in) AS "filesIn",
    SUM(m.partitions_in) AS "partitionsIn",
    SUM(CASE WHEN m.outcome = 'succeeded' THEN m.rows_out ELSE 0 END) AS "rowsOut",
    SUM(CASE WHEN m.outcome = 'succeeded' THEN m.bytes_out ELSE 0 END) AS "bytesOut",
    SUM(CASE WHEN m.outcome = 'succeeded' THEN m.files_out ELSE 0 END) AS "filesOut",
    SUM(m.write_requests) AS "writeRequests",
    SUM(m.read_requests) AS "readRequests"
  FROM attempt_metrics m
  JOIN items i ON i.id = m.item_id
  LEFT JOIN task_labels l ON l.run_id = m.run_id AND l.model = m.model
  WHERE m.run_id = @runId
  GROUP BY 1
  ORDER BY 1`;

export const PG_ROLLUP_QUERIES: Readonly<
  Record<RollupKey, 'rollupTask' | 'rollupGroup' | 'rollupBusinessUnit' | 'rollupRun'>
> = {
  task: 'rollupTask',
  group: 'rollupGroup',
  business_unit: 'rollupBusinessUnit',
  run: 'rollupRun',
};

export const PG_METRICS_QUERIES = {
  insertAttempt: `
    INSERT INTO attempt_metrics (
      item_id, attempt, run_id, model, worker_id, outcome, started_at, ended_at, queue_wait_ms, wall_ms, cpu_ms,
      peak_rss_bytes, cpus, memory_bytes, rows_in, bytes_in, files_in, partitions_in, rows_out, bytes_out, files_out,
      write_requests, read_requests, error)
    SELECT id, @attempt, run_id, model, @workerId, @outcome, @startedAt, @endedAt, @queueWaitMs, @wallMs, @cpuMs,
      @peakRssBytes, @cpus, @memoryBytes, @rowsIn, @bytesIn, @filesIn, @partitionsIn, @rowsOut, @bytesOut, @filesOut,
      @writeRequests, @readRequests, @error
    FROM items WHERE id = @itemId
    ON CONFLICT (item_id, attempt) DO UPDATE SET
      worker_id = excluded.worker_id, outcome = excluded.outcome, started_at = excluded.started_at, ended_at = excluded.ended_at,
      queue_wait_ms = excluded.queue_wait_ms, wall_ms = excluded.wall_ms, cpu_ms = excluded.cpu_ms, peak_rss_bytes = excluded.peak_rss_bytes,
      cpus = excluded.cpus, memory_bytes = excluded.memory_bytes, rows_in = excluded.rows_in, bytes_in = excluded.bytes_in,
      files_in = excluded.files_in, partitions_in = excluded.partitions_in, rows_out = excluded.rows_out, bytes_out = excluded.bytes_out,
      files_out = excluded.files_out, write_requests = excluded.write_requests, read_requests = excluded.read_requests, error = excluded.error`,
  listAttempts: `
    SELECT ${ATTEMPT_COLUMNS} FROM attempt_metrics m JOIN items i ON i.id = m.item_id
    WHERE m.run_id = @runId AND (@model::text IS NULL OR m.model = @model::text)
    ORDER BY m.model, i.item_no, m.attempt`,
  upsertLabel: `
    INSERT INTO task_labels (run_id, model, business_unit, table_type) VALUES (@runId, @model, @businessUnit, @type)
    ON CONFLICT (run_id, model) DO UPDATE SET business_unit = excluded.business_unit, table_type = excluded.table_type`,
  listLabels: `
    SELECT l.model, l.business_unit AS "businessUnit", l.table_type AS type
    FROM task_labels l JOIN tasks t ON t.run_id = l.run_id AND t.model = l.model
    WHERE l.run_id = @runId ORDER BY t.seq`,
  taskExists: `SELECT 1 FROM tasks WHERE run_id = @runId AND model = @model`,
  rollupTask: rollup('m.model'),
  rollupGroup: rollup('i.group_name'),
  rollupBusinessUnit: rollup(`COALESCE(l.business_unit, '')`),
  rollupRun: rollup('m.run_id'),
} as const;
