/**
 * The PostgreSQL metadata store's schema, as numbered plain-SQL migrations: the same tables,
 * columns and meaning as the SQLite store's migrations of the same number (../sqlite/
 * migrations.ts). Times are BIGINT epoch milliseconds; names and ids are `COLLATE "C"` so that
 * ORDER BY sorts them like the SQLite store and JavaScript do (by code point), whatever the
 * database's locale. Append new ones; never edit or renumber one that has shipped. Each is
 * applied once, in order, in its own transaction, and recorded in `schema_migrations`.
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
  applied_at BIGINT  NOT NULL
)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'runs_and_tasks',
    sql: `
CREATE TABLE runs (
  id         TEXT COLLATE "C" PRIMARY KEY,
  -- creation order, to break ties between runs started in the same millisecond
  seq        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  project    TEXT   NOT NULL,
  selector   TEXT   NOT NULL,
  status     TEXT   NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at BIGINT NOT NULL,
  ended_at   BIGINT,
  error      TEXT
);

-- listRuns: newest first
CREATE INDEX runs_newest_first ON runs (started_at DESC, seq DESC);

CREATE TABLE tasks (
  run_id     TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  model      TEXT COLLATE "C" NOT NULL,
  -- position in the run's task list, to keep creation order
  seq        INTEGER NOT NULL,
  group_name TEXT COLLATE "C" NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'not_run')),
  started_at BIGINT,
  ended_at   BIGINT,
  rows_out   BIGINT,
  bytes_out  BIGINT,
  files      BIGINT,
  snapshot   BIGINT,
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

-- fillfactor: room on each page so that heartbeats (lease_expires_at, in no index) are HOT
-- updates, which need no index entries and are pruned without a VACUUM.
CREATE TABLE items (
  id                 TEXT COLLATE "C" PRIMARY KEY,
  run_id             TEXT COLLATE "C" NOT NULL,
  model              TEXT COLLATE "C" NOT NULL,
  item_no            BIGINT  NOT NULL CHECK (item_no >= 0),
  group_name         TEXT COLLATE "C" NOT NULL,
  queue              TEXT COLLATE "C" NOT NULL,
  priority           DOUBLE PRECISION NOT NULL,
  cpus               DOUBLE PRECISION NOT NULL CHECK (cpus >= 0),
  memory_bytes       BIGINT  NOT NULL CHECK (memory_bytes >= 0),
  state              TEXT    NOT NULL CHECK (state IN ('pending', 'leased', 'succeeded', 'dead', 'cancelled')),
  attempt            INTEGER NOT NULL DEFAULT 0,
  code_failures      INTEGER NOT NULL DEFAULT 0,
  infra_failures     INTEGER NOT NULL DEFAULT 0,
  late_writes        INTEGER NOT NULL DEFAULT 0,
  worker_id          TEXT COLLATE "C",
  leased_at          BIGINT,
  lease_expires_at   BIGINT,
  not_before         BIGINT  NOT NULL,
  created_at         BIGINT  NOT NULL,
  started_at         BIGINT,
  ended_at           BIGINT,
  busy_ms            BIGINT  NOT NULL DEFAULT 0,
  rows_out           BIGINT,
  bytes_out          BIGINT,
  output             TEXT,
  error              TEXT,
  spec               TEXT    NOT NULL,
  -- the retry policy, stored with each item
  max_code_attempts  INTEGER NOT NULL CHECK (max_code_attempts >= 1),
  max_infra_attempts INTEGER NOT NULL CHECK (max_infra_attempts >= 1),
  backoff_ms         BIGINT  NOT NULL CHECK (backoff_ms >= 0),
  max_backoff_ms     BIGINT  NOT NULL CHECK (max_backoff_ms >= 0),
  FOREIGN KEY (run_id, model) REFERENCES tasks (run_id, model) ON DELETE CASCADE
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05);

-- listItems, and the foreign key
CREATE UNIQUE INDEX items_task_order ON items (run_id, model, item_no);
-- claimItem: a queue's pending items in claim order; the queues with pending items
CREATE INDEX items_claim ON items (queue, priority DESC, created_at, id) WHERE state = 'pending';
-- claimItem: leased items per queue
CREATE INDEX items_leased_queue ON items (queue) WHERE state = 'leased';
-- reapExpired (few rows: one per busy slot), releaseWorker, listWorkers
CREATE INDEX items_worker_leases ON items (worker_id) WHERE state = 'leased';

-- Busy ms of finished attempts per run and queue, kept by the trigger below, so that a claim
-- sums a few rows per running run instead of every finished item (leases in progress are
-- added from the leased items).
CREATE TABLE queue_usage (
  run_id  TEXT COLLATE "C" NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  queue   TEXT COLLATE "C" NOT NULL,
  busy_ms BIGINT NOT NULL,
  PRIMARY KEY (run_id, queue)
) WITH (fillfactor = 50);

-- One statement-level trigger: a statement that changes many items (reap, release, cancel)
-- adds to each (run, queue) row once, in key order, so concurrent statements cannot deadlock
-- on queue_usage rows.
CREATE FUNCTION items_busy_ms() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO queue_usage AS u (run_id, queue, busy_ms)
  SELECT n.run_id, n.queue, SUM(n.busy_ms - o.busy_ms)
  FROM new_items n JOIN old_items o ON o.id = n.id
  WHERE n.busy_ms <> o.busy_ms
  GROUP BY n.run_id, n.queue
  ORDER BY n.run_id, n.queue
  ON CONFLICT (run_id, queue) DO UPDATE SET busy_ms = u.busy_ms + excluded.busy_ms;
  RETURN NULL;
END $$;

CREATE TRIGGER items_busy_ms AFTER UPDATE ON items
REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items
FOR EACH STATEMENT EXECUTE FUNCTION items_busy_ms();

CREATE TABLE queues (
  name      TEXT COLLATE "C" PRIMARY KEY,
  share     DOUBLE PRECISION NOT NULL CHECK (share >= 0 AND share <= 100),
  max_share DOUBLE PRECISION NOT NULL CHECK (max_share >= share AND max_share <= 100)
);

CREATE TABLE workers (
  id           TEXT COLLATE "C" PRIMARY KEY,
  host         TEXT    NOT NULL,
  pid          BIGINT  NOT NULL,
  cpus         DOUBLE PRECISION NOT NULL,
  memory_bytes BIGINT  NOT NULL,
  started_at   BIGINT  NOT NULL,
  heartbeat_at BIGINT  NOT NULL,
  stopped_at   BIGINT,
  state        TEXT    NOT NULL CHECK (state IN ('active', 'draining', 'stopped', 'lost'))
) WITH (fillfactor = 70);
`,
  },
  {
    id: 3,
    name: 'attempt_metrics',
    sql: `
-- one row per attempt a worker ran to an end (metrics-store.ts)
CREATE TABLE attempt_metrics (
  item_id        TEXT COLLATE "C" NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  attempt        INTEGER NOT NULL CHECK (attempt >= 1),
  run_id         TEXT COLLATE "C" NOT NULL,
  model          TEXT COLLATE "C" NOT NULL,
  worker_id      TEXT    NOT NULL,
  outcome        TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'fenced', 'released')),
  started_at     BIGINT  NOT NULL,
  ended_at       BIGINT  NOT NULL,
  queue_wait_ms  BIGINT  NOT NULL,
  wall_ms        BIGINT  NOT NULL CHECK (wall_ms >= 0),
  cpu_ms         BIGINT  NOT NULL CHECK (cpu_ms >= 0),
  peak_rss_bytes BIGINT  NOT NULL CHECK (peak_rss_bytes >= 0),
  cpus           DOUBLE PRECISION NOT NULL,
  memory_bytes   BIGINT  NOT NULL,
  rows_in        BIGINT,
  bytes_in       BIGINT  NOT NULL,
  files_in       BIGINT  NOT NULL,
  partitions_in  BIGINT  NOT NULL,
  rows_out       BIGINT  NOT NULL,
  bytes_out      BIGINT  NOT NULL,
  files_out      BIGINT  NOT NULL,
  write_requests BIGINT  NOT NULL,
  read_requests  BIGINT  NOT NULL,
  error          TEXT,
  PRIMARY KEY (item_id, attempt)
);

-- listAttempts, rollups
CREATE INDEX attempt_metrics_run ON attempt_metrics (run_id, model);

-- business unit and type of a run's tasks, for rollups
CREATE TABLE task_labels (
  run_id        TEXT COLLATE "C" NOT NULL,
  model         TEXT COLLATE "C" NOT NULL,
  business_unit TEXT NOT NULL,
  table_type    TEXT NOT NULL,
  PRIMARY KEY (run_id, model),
  FOREIGN KEY (run_id, model) REFERENCES tasks (run_id, model) ON DELETE CASCADE
);
`,
  },
  {
    id: 4,
    name: 'task_skips',
    sql: `
-- tasks skipped because their model and inputs are unchanged (the task itself is 'succeeded')
CREATE TABLE task_skips (
  run_id      TEXT COLLATE "C" NOT NULL,
  model       TEXT COLLATE "C" NOT NULL,
  snapshot    BIGINT  NOT NULL,
  reason      TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  skipped_at  BIGINT  NOT NULL,
  PRIMARY KEY (run_id, model),
  FOREIGN KEY (run_id, model) REFERENCES tasks (run_id, model) ON DELETE CASCADE
);
`,
  },
  {
    id: 5,
    name: 'run_coordinators',
    sql: `
-- who drives a running run, and its last sign of life
ALTER TABLE runs ADD COLUMN coordinator TEXT;
ALTER TABLE runs ADD COLUMN heartbeat_at BIGINT;
-- createRun's one-live-run-per-project check
CREATE INDEX runs_running_by_project ON runs (project) WHERE status = 'running';
`,
  },
];
