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
  {
    id: 2,
    name: 'work_items_queues_workers',
    sql: `
-- the group's step concurrency, enforced by claims
ALTER TABLE tasks ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 1;

-- claims look only at running runs
CREATE INDEX runs_running ON runs (id) WHERE status = 'running';
-- claims count the running tasks of each group
CREATE INDEX tasks_running ON tasks (run_id, group_name) WHERE status = 'running';

CREATE TABLE items (
  id                 TEXT    PRIMARY KEY,
  run_id             TEXT    NOT NULL,
  model              TEXT    NOT NULL,
  item_no            INTEGER NOT NULL CHECK (item_no >= 0),
  group_name         TEXT    NOT NULL,
  queue              TEXT    NOT NULL,
  priority           REAL    NOT NULL,
  cpus               REAL    NOT NULL CHECK (cpus >= 0),
  memory_bytes       INTEGER NOT NULL CHECK (memory_bytes >= 0),
  state              TEXT    NOT NULL CHECK (state IN ('pending', 'leased', 'succeeded', 'dead', 'cancelled')),
  attempt            INTEGER NOT NULL DEFAULT 0,
  code_failures      INTEGER NOT NULL DEFAULT 0,
  infra_failures     INTEGER NOT NULL DEFAULT 0,
  late_writes        INTEGER NOT NULL DEFAULT 0,
  worker_id          TEXT,
  leased_at          INTEGER,
  lease_expires_at   INTEGER,
  not_before         INTEGER NOT NULL,
  created_at         INTEGER NOT NULL,
  started_at         INTEGER,
  ended_at           INTEGER,
  busy_ms            INTEGER NOT NULL DEFAULT 0,
  rows_out           INTEGER,
  bytes_out          INTEGER,
  output             TEXT,
  error              TEXT,
  spec               TEXT    NOT NULL,
  -- the retry policy, stored with each item
  max_code_attempts  INTEGER NOT NULL CHECK (max_code_attempts >= 1),
  max_infra_attempts INTEGER NOT NULL CHECK (max_infra_attempts >= 1),
  backoff_ms         INTEGER NOT NULL CHECK (backoff_ms >= 0),
  max_backoff_ms     INTEGER NOT NULL CHECK (max_backoff_ms >= 0),
  FOREIGN KEY (run_id, model) REFERENCES tasks (run_id, model) ON DELETE CASCADE
);

-- listItems, and the foreign key
CREATE UNIQUE INDEX items_task_order ON items (run_id, model, item_no);
-- claimItem: a task's next pending item of a queue, in claim order
CREATE INDEX items_claim ON items (run_id, model, state, queue, priority DESC, created_at, id);
-- claimItem: the queues with pending items, leased items per queue; reapExpired
CREATE INDEX items_state_queue ON items (state, queue);
-- reapExpired
CREATE INDEX items_lease_expiry ON items (lease_expires_at) WHERE state = 'leased';
-- releaseWorker, listWorkers
CREATE INDEX items_worker_leases ON items (worker_id) WHERE state = 'leased';

-- Busy ms of finished attempts per run and queue, kept by the trigger below, so that a claim
-- sums a few rows per running run instead of every finished item (leases in progress are
-- added from the leased items).
CREATE TABLE queue_usage (
  run_id  TEXT    NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  queue   TEXT    NOT NULL,
  busy_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, queue)
) WITHOUT ROWID;

CREATE TRIGGER items_busy_ms AFTER UPDATE OF busy_ms ON items WHEN NEW.busy_ms <> OLD.busy_ms
BEGIN
  INSERT INTO queue_usage (run_id, queue, busy_ms) VALUES (NEW.run_id, NEW.queue, NEW.busy_ms - OLD.busy_ms)
  ON CONFLICT (run_id, queue) DO UPDATE SET busy_ms = busy_ms + excluded.busy_ms;
END;

CREATE TABLE queues (
  name      TEXT PRIMARY KEY,
  share     REAL NOT NULL CHECK (share >= 0 AND share <= 100),
  max_share REAL NOT NULL CHECK (max_share >= share AND max_share <= 100)
);

CREATE TABLE workers (
  id           TEXT    PRIMARY KEY,
  host         TEXT    NOT NULL,
  pid          INTEGER NOT NULL,
  cpus         REAL    NOT NULL,
  memory_bytes INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  stopped_at   INTEGER,
  state        TEXT    NOT NULL CHECK (state IN ('active', 'draining', 'stopped', 'lost'))
);
`,
  },
  {
    id: 3,
    name: 'attempt_metrics',
    sql: `
-- one row per attempt a worker ran to an end (metrics-store.ts)
CREATE TABLE attempt_metrics (
  item_id        TEXT    NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  attempt        INTEGER NOT NULL CHECK (attempt >= 1),
  run_id         TEXT    NOT NULL,
  model          TEXT    NOT NULL,
  worker_id      TEXT    NOT NULL,
  outcome        TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'fenced', 'released')),
  started_at     INTEGER NOT NULL,
  ended_at       INTEGER NOT NULL,
  queue_wait_ms  INTEGER NOT NULL,
  wall_ms        INTEGER NOT NULL CHECK (wall_ms >= 0),
  cpu_ms         INTEGER NOT NULL CHECK (cpu_ms >= 0),
  peak_rss_bytes INTEGER NOT NULL CHECK (peak_rss_bytes >= 0),
  cpus           REAL    NOT NULL,
  memory_bytes   INTEGER NOT NULL,
  rows_in        INTEGER,
  bytes_in       INTEGER NOT NULL,
  files_in       INTEGER NOT NULL,
  partitions_in  INTEGER NOT NULL,
  rows_out       INTEGER NOT NULL,
  bytes_out      INTEGER NOT NULL,
  files_out      INTEGER NOT NULL,
  write_requests INTEGER NOT NULL,
  read_requests  INTEGER NOT NULL,
  error          TEXT,
  PRIMARY KEY (item_id, attempt)
) WITHOUT ROWID;

-- listAttempts, rollups
CREATE INDEX attempt_metrics_run ON attempt_metrics (run_id, model);

-- business unit and type of a run's tasks, for rollups
CREATE TABLE task_labels (
  run_id        TEXT NOT NULL,
  model         TEXT NOT NULL,
  business_unit TEXT NOT NULL,
  table_type    TEXT NOT NULL,
  PRIMARY KEY (run_id, model),
  FOREIGN KEY (run_id, model) REFERENCES tasks (run_id, model) ON DELETE CASCADE
) WITHOUT ROWID;
`,
  },
  {
    id: 4,
    name: 'task_skips',
    sql: `
-- tasks skipped because their model and inputs are unchanged (the task itself is 'succeeded')
CREATE TABLE task_skips (
  run_id      TEXT    NOT NULL,
  model       TEXT    NOT NULL,
  snapshot    INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  skipped_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, model),
  FOREIGN KEY (run_id, model) REFERENCES tasks (run_id, model) ON DELETE CASCADE
) WITHOUT ROWID;
`,
  },
  {
    id: 5,
    name: 'run_coordinators',
    sql: `
-- who drives a running run, and its last sign of life: a run whose coordinator stopped
-- heartbeating was abandoned (the process died, on this machine or another)
ALTER TABLE runs ADD COLUMN coordinator TEXT;
ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
-- createRun's one-live-run-per-project check
CREATE INDEX runs_running_by_project ON runs (project) WHERE status = 'running';
`,
  },
  {
    id: 6,
    name: 'leader_leases',
    sql: `
-- sluice serve: the leader of the serve processes sharing this store holds the lease named after
-- the project; generation grows by one each time it changes hands (fences renew and release)
CREATE TABLE leader_leases (
  name        TEXT    PRIMARY KEY,
  holder      TEXT    NOT NULL,
  generation  INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
];
