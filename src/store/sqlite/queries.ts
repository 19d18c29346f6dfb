/**
 * Every statement the SQLite metadata store runs, one per named query. Each is prepared once per
 * connection. Columns are aliased to the RunRecord / TaskRecord field names.
 */

const RUN_COLUMNS = `id, project, status, selector, started_at AS startedAt, ended_at AS endedAt, error`;

const TASK_COLUMNS = `run_id AS runId, model, group_name AS "group", status, started_at AS startedAt,
  ended_at AS endedAt, rows_out AS rowsOut, bytes_out AS bytesOut, files, snapshot, error`;

/** Used by `migrate()`, before the tables the other queries need exist. */
export const MIGRATION_QUERIES = {
  appliedMigrations: `SELECT id, name FROM schema_migrations ORDER BY id`,
  recordMigration: `INSERT INTO schema_migrations (id, name, applied_at) VALUES (@id, @name, @appliedAt)`,
} as const;

export const QUERIES = {
  insertRun: `
    INSERT INTO runs (id, seq, project, selector, status, started_at)
    VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), @project, @selector, 'running', @startedAt)`,
  insertTask: `
    INSERT INTO tasks (run_id, model, seq, group_name, status)
    VALUES (@runId, @model, @seq, @group, 'pending')`,

  finishRun: `
    UPDATE runs SET status = @status, ended_at = @endedAt, error = @error
    WHERE id = @runId AND status = 'running'`,

  startTask: `
    UPDATE tasks SET status = 'running', started_at = @startedAt
    WHERE run_id = @runId AND model = @model AND status = 'pending'`,
  finishTask: `
    UPDATE tasks SET status = @status, ended_at = @endedAt, rows_out = @rowsOut, bytes_out = @bytesOut,
      files = @files, snapshot = @snapshot, error = @error
    WHERE run_id = @runId AND model = @model AND status = @fromStatus`,

  abandonRunningTasks: `
    UPDATE tasks SET status = 'failed', ended_at = @endedAt, error = @error
    WHERE run_id = @runId AND status = 'running'`,
  abandonPendingTasks: `
    UPDATE tasks SET status = 'not_run', ended_at = @endedAt, error = @error
    WHERE run_id = @runId AND status = 'pending'`,

  getRun: `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`,
  taskStatus: `SELECT status FROM tasks WHERE run_id = ? AND model = ?`,
  listRuns: `SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, seq DESC LIMIT ?`,
  listTasks: `SELECT ${TASK_COLUMNS} FROM tasks WHERE run_id = ? ORDER BY seq`,
} as const;

export type QueryName = keyof typeof QUERIES;
