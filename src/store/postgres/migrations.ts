/**
 * The PostgreSQL metadata store's schema, as numbered plain-SQL migrations: the same tables,
 * columns and meaning as the SQLite store's migrations of the same number (../sqlite/
 * migrations.ts). Times are BIGINT epoch milliseconds; names and ids are `COLLATE "C"` so that
 * ORDER BY sorts them like the SQLite store and JavaScript do (by code point), whatever the
 * database's locale. Append new ones; never edit or renumber one that has shipped. Each is
 * applied once, in order, in its own transaction, and recorded in `schema_migrations`.
 */
import { LOCK_NAMESPACE } from './queries.js';

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
  {
    id: 6,
    name: 'claim_item_function',
    // The claim of claim-item.ts, run server-side in one statement (one round trip). The lock
    // keys are the ones the statement-by-statement claim of migrations 1-5 used, so a process
    // still running that claim and one running this function serialise against each other.
    // PostgreSQL only: the SQLite store needs no function (BEGIN IMMEDIATE serialises its
    // claims); a SQLite migration 6, if one is ever added, should be a no-op or mirror this id.
    sql: `
-- The claims of one queue: under the queue's lock, count its leases and take its best item.
-- Returns the leased item, or NULL (nothing claimable in this queue now).
CREATE FUNCTION sluice_claim_from_queue(p_queue text, p_max_share float8, p_slots bigint, p_worker_id text,
  p_cpus float8, p_memory_bytes float8, p_now float8, p_expires_at bigint)
RETURNS items LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
DECLARE
  v_next record;
  v_group record;
  v_start boolean;
  v_item items;
BEGIN
  PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(current_schema() || '/queue/' || p_queue));
  -- 8 candidates at most: each one skipped lost its group to a concurrent task start.
  FOR v_try IN 1..8 LOOP
    -- A new statement, so a new snapshot: it sees every lease committed by an earlier holder
    -- of the queue lock (never count in the statement that takes the lock).
    SELECT i.id, i.run_id, i.model, i.group_name, t.status AS task_status,
      (SELECT COUNT(*) FROM items l WHERE l.state = 'leased' AND l.queue = p_queue) AS leased
    INTO v_next
    FROM items i
    JOIN tasks t ON t.run_id = i.run_id AND t.model = i.model
    JOIN runs r ON r.id = i.run_id
    WHERE i.state = 'pending' AND i.queue = p_queue AND i.not_before <= p_now
      AND i.cpus <= p_cpus AND i.memory_bytes <= p_memory_bytes
      AND r.status = 'running'
      AND (t.status = 'running'
        OR (t.status = 'pending' AND t.concurrency > (
          SELECT COUNT(*) FROM tasks b WHERE b.run_id = t.run_id AND b.group_name = t.group_name AND b.status = 'running')))
    ORDER BY i.priority DESC, i.created_at, i.id
    LIMIT 1
    FOR UPDATE OF i SKIP LOCKED;
    -- fair-share.ts belowMaxShare, on the count taken under the lock
    IF NOT FOUND OR NOT ((v_next.leased * 100)::float8 < p_max_share * p_slots::float8) THEN
      RETURN NULL;
    END IF;
    v_start := v_next.task_status = 'running';
    IF NOT v_start THEN
      -- Would start the task: under the (run, group) lock, re-read the group in a new statement.
      -- If it is full now (or the run ended), the subtransaction's rollback releases that lock.
      BEGIN
        PERFORM pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(current_schema() || '/group/' || v_next.run_id || '/' || v_next.group_name));
        SELECT t.status, t.concurrency, r.status AS run_status,
          (SELECT COUNT(*) FROM tasks b WHERE b.run_id = t.run_id AND b.group_name = t.group_name AND b.status = 'running') AS running
        INTO v_group
        FROM tasks t JOIN runs r ON r.id = t.run_id
        WHERE t.run_id = v_next.run_id AND t.model = v_next.model;
        IF NOT (FOUND AND v_group.run_status = 'running'
            AND (v_group.status = 'running' OR (v_group.status = 'pending' AND v_group.concurrency > v_group.running))) THEN
          RAISE SQLSTATE 'SLU01';
        END IF;
        v_start := true;
      EXCEPTION WHEN SQLSTATE 'SLU01' THEN
        v_start := false;
      END;
    END IF;
    IF v_start THEN
      UPDATE tasks SET status = 'running', started_at = p_now::bigint
      WHERE run_id = v_next.run_id AND model = v_next.model AND status = 'pending';
      UPDATE items SET state = 'leased', attempt = attempt + 1, worker_id = p_worker_id, leased_at = p_now::bigint,
        lease_expires_at = p_expires_at, started_at = COALESCE(started_at, p_now::bigint)
      WHERE id = v_next.id AND state = 'pending'
      RETURNING * INTO v_item;
      RETURN v_item;
    END IF;
    -- Its group filled up meanwhile; the item stays locked by us until commit, which blocks no
    -- claim (we hold its queue), and the next candidate query sees the group full.
  END LOOP;
  RETURN NULL;
END $$;

-- claimItem (WorkQueue.claimItem), the whole claim in one statement; see claim-item.ts.
CREATE FUNCTION sluice_claim_item(p_worker_id text, p_cpus float8, p_memory_bytes float8, p_now float8,
  p_expires_at bigint, p_live_since float8)
RETURNS SETOF items LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
DECLARE
  v_slots bigint;
  v_names text[];
  v_max_shares float8[];
  v_item items;
BEGIN
  -- The caps rely on each statement seeing what was committed before it started.
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'sluice_claim_item must run under READ COMMITTED, not %', current_setting('transaction_isolation')
      USING ERRCODE = '25001';
  END IF;
  -- Live slots, at least 1 (claim-item.ts: Math.max(1, slots)).
  SELECT GREATEST(COUNT(*), 1) INTO v_slots FROM workers WHERE state = 'active' AND heartbeat_at >= p_live_since;
  -- The queues with pending items, in fair-share order (fair-share.ts rankQueues), keeping
  -- those below their maxShare (belowMaxShare) with a due item that fits the worker. Unlisted
  -- queues: UNLISTED_QUEUE (share 10, maxShare 100). See claim-item.ts for how this matches.
  WITH RECURSIVE pending (name) AS (
    SELECT (SELECT queue FROM items WHERE state = 'pending' ORDER BY queue LIMIT 1)
    UNION ALL
    SELECT (SELECT queue FROM items WHERE state = 'pending' AND queue > p.name ORDER BY queue LIMIT 1)
    FROM pending p WHERE p.name IS NOT NULL
  ),
  usage (queue, ms) AS (
    SELECT u.queue, u.busy_ms FROM runs r JOIN queue_usage u ON u.run_id = r.id WHERE r.status = 'running'
    UNION ALL
    SELECT i.queue, GREATEST(p_now::bigint - i.leased_at, 0)
    FROM items i JOIN runs r ON r.id = i.run_id WHERE i.state = 'leased' AND r.status = 'running'
  ),
  loads AS (
    SELECT p.name, COALESCE(c.share, 10) AS share, COALESCE(c.max_share, 100) AS max_share,
      COALESCE((SELECT SUM(u.ms) FROM usage u WHERE u.queue = p.name), 0)::float8 AS usage,
      (SELECT COUNT(*) FROM items i WHERE i.state = 'leased' AND i.queue = p.name) AS leased,
      -- a scalar subquery, not EXISTS: the planner may run an EXISTS as one hashed pass over
      -- every pending item; this is one index probe per queue that stops at the first fit
      (SELECT true FROM items i WHERE i.state = 'pending' AND i.queue = p.name AND i.not_before <= p_now
        AND i.cpus <= p_cpus AND i.memory_bytes <= p_memory_bytes LIMIT 1) IS NOT NULL AS fits
    FROM pending p LEFT JOIN queues c ON c.name = p.name
    WHERE p.name IS NOT NULL
  ),
  ranked AS (
    SELECT name, max_share, CASE WHEN share > 0 THEN usage / share END AS ratio
    FROM loads
    WHERE fits AND (leased * 100)::float8 < max_share * v_slots::float8
  )
  SELECT array_agg(name ORDER BY ratio ASC NULLS LAST, name), array_agg(max_share ORDER BY ratio ASC NULLS LAST, name)
  INTO v_names, v_max_shares
  FROM ranked;

  FOR n IN 1..COALESCE(array_length(v_names, 1), 0) LOOP
    IF n < array_length(v_names, 1) THEN
      -- Not the last queue: a subtransaction whose rollback releases this queue's lock (and
      -- any row lock taken) when it yields nothing, so a claim holds one queue lock at a time.
      BEGIN
        v_item := sluice_claim_from_queue(v_names[n], v_max_shares[n], v_slots, p_worker_id, p_cpus, p_memory_bytes, p_now, p_expires_at);
        IF v_item.id IS NULL THEN
          RAISE SQLSTATE 'SLU01';
        END IF;
      EXCEPTION WHEN SQLSTATE 'SLU01' THEN
        v_item := NULL;
      END;
    ELSE
      v_item := sluice_claim_from_queue(v_names[n], v_max_shares[n], v_slots, p_worker_id, p_cpus, p_memory_bytes, p_now, p_expires_at);
    END IF;
    IF v_item.id IS NOT NULL THEN
      RETURN NEXT v_item;
      RETURN;
    END IF;
  END LOOP;
  RETURN;
END $$;
`,
  },
  {
    id: 7,
    name: 'leader_leases',
    sql: `
-- sluice serve: the leader of the serve processes sharing this store holds the lease named after
-- the project; generation grows by one each time it changes hands (fences renew and release)
CREATE TABLE leader_leases (
  name        TEXT   PRIMARY KEY,
  holder      TEXT   NOT NULL,
  generation  BIGINT NOT NULL,
  acquired_at BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL
);
`,
  },
];
