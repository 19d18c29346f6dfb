/**
 * The SQLite metadata store's schema, as numbered plain-SQL migrations. Append new ones (work
 * items, leases, metrics); never edit or renumber one that has shipped. Each is applied once, in
 * order, in its own transaction, and recorded in `schema_migrations`.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const SCHEMA_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'runs_and_tasks',
    sql: `
CREATE TABLE runs (
  id         TEXT    PRIMARY KEY,
  -- creation order, to break ties between runs started in the same millisecond
  seq        INTEGER NOT NULL UNIQUE,
  project    TEXT    NOT NULL,
  selector   TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  error      TEXT
);

-- listRuns: newest first
CREATE INDEX runs_newest_first ON runs (started_at DESC, seq DESC);

CREATE TABLE tasks (
  run_id     TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  model      TEXT    NOT NULL,
  -- position in the run's task list, to keep creation order
  seq        INTEGER NOT NULL,
  group_name TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'not_run')),
  started_at INTEGER,
  ended_at   INTEGER,
  rows_out   INTEGER,
  bytes_out  INTEGER,
  files      INTEGER,
  snapshot   INTEGER,
  error      TEXT,
  PRIMARY KEY (run_id, model)
);

-- listTasks: creation order within a run
CREATE UNIQUE INDEX tasks_run_order ON tasks (run_id, seq);
`,
  },
];
