/**
 * Every statement the SQLite metadata store runs, one per named query. Each is prepared once per
 * connection. Columns are aliased to the RunRecord / TaskRecord / ItemRecord / WorkerRecord /
 * QueueConfig field names. Parameters are named (`@now`); times are epoch milliseconds.
 */

const RUN_COLUMNS = `id, project, status, selector, started_at AS startedAt, ended_at AS endedAt, error, coordinator,
  heartbeat_at AS heartbeatAt`;

const TASK_COLUMNS = `run_id AS runId, model, group_name AS "group", status, started_at AS startedAt,
  ended_at AS endedAt, rows_out AS rowsOut, bytes_out AS bytesOut, files, snapshot, error`;

const ITEM_COLUMNS = `id, run_id AS runId, model, item_no AS itemNo, group_name AS "group", queue, priority, cpus,
  memory_bytes AS memoryBytes, state, attempt, code_failures AS codeFailures, infra_failures AS infraFailures,
  late_writes AS lateWrites, worker_id AS workerId, leased_at AS leasedAt, lease_expires_at AS leaseExpiresAt,
  not_before AS notBefore, created_at AS createdAt, started_at AS startedAt, ended_at AS endedAt, busy_ms AS busyMs,
  rows_out AS rowsOut, bytes_out AS bytesOut, output, error, spec`;

/** Backoff before the n-th failure's retry, n = `failures` + 1: min(backoff * 2^(n-1), max). */
const backoff = (failures: string): string => `MIN(backoff_ms * (1 << MIN(${failures}, 52)), max_backoff_ms)`;

/**
 * A leased item's attempt fails as infra (lease expired, worker gone): pending after backoff
 * while the infra budget lasts, dead when it is spent. `busyEnd` is when the attempt ended.
 * (SQLite evaluates every SET expression against the row as it was before the UPDATE.)
 */
const FAIL_INFRA = (busyEnd: string, error: string): string => `
  state            = CASE WHEN infra_failures + 1 >= max_infra_attempts THEN 'dead' ELSE 'pending' END,
  infra_failures   = infra_failures + 1,
  not_before       = CASE WHEN infra_failures + 1 >= max_infra_attempts THEN not_before ELSE @now + ${backoff('infra_failures')} END,
  ended_at         = CASE WHEN infra_failures + 1 >= max_infra_attempts THEN @now ELSE NULL END,
  busy_ms          = busy_ms + MAX(${busyEnd} - leased_at, 0),
  lease_expires_at = NULL,
  error            = ${error}`;

/**
 * The tasks whose pending items may be claimed now: of a running run, and running already, or
 * pending with fewer running tasks in their group (in that run) than their step concurrency.
 */
const ADMISSIBLE_TASKS = `
  SELECT t.run_id, t.model FROM runs r INDEXED BY runs_running JOIN tasks t ON t.run_id = r.id
  WHERE r.status = 'running'
    AND (t.status = 'running'
      OR (t.status = 'pending' AND t.concurrency > (
        SELECT COUNT(*) FROM tasks b WHERE b.run_id = t.run_id AND b.group_name = t.group_name AND b.status = 'running')))`;

/** Used by `migrate()`, before the tables the other queries need exist. */
export const MIGRATION_QUERIES = {
  appliedMigrations: `SELECT id, name FROM schema_migrations ORDER BY id`,
  recordMigration: `INSERT INTO schema_migrations (id, name, applied_at) VALUES (@id, @name, @appliedAt)`,
} as const;

export const QUERIES = {
  insertRun: `
    INSERT INTO runs (id, seq, project, selector, status, started_at, coordinator, heartbeat_at)
    VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), @project, @selector, 'running', @startedAt, @coordinator, @startedAt)`,
  /** A running run of the project whose coordinator showed life at or after @since. */
  liveRunOfProject: `
    SELECT ${RUN_COLUMNS} FROM runs
    WHERE project = @project AND status = 'running' AND heartbeat_at >= @since
    ORDER BY started_at DESC LIMIT 1`,
  runHeartbeat: `
    UPDATE runs SET heartbeat_at = MAX(COALESCE(heartbeat_at, 0), @now), coordinator = COALESCE(@coordinator, coordinator)
    WHERE id = @runId AND status = 'running'`,
  insertTask: `
    INSERT INTO tasks (run_id, model, seq, group_name, concurrency, status)
    VALUES (@runId, @model, @seq, @group, @concurrency, 'pending')`,

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

  skipTask: `
    UPDATE tasks SET status = 'succeeded', started_at = @endedAt, ended_at = @endedAt, rows_out = @rowsOut,
      bytes_out = @bytesOut, files = @files, snapshot = @snapshot, error = NULL
    WHERE run_id = @runId AND model = @model AND status = 'pending'`,
  insertTaskSkip: `
    INSERT INTO task_skips (run_id, model, snapshot, reason, fingerprint, skipped_at)
    VALUES (@runId, @model, @snapshot, @reason, @fingerprint, @endedAt)`,
  listTaskSkips: `
    SELECT s.run_id AS runId, s.model, s.snapshot, s.reason, s.fingerprint, s.skipped_at AS skippedAt
    FROM task_skips s JOIN tasks t ON t.run_id = s.run_id AND t.model = s.model
    WHERE s.run_id = ? ORDER BY t.seq`,

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
  taskGroup: `SELECT status, group_name AS "group" FROM tasks WHERE run_id = ? AND model = ?`,

  // ---- queues
  listQueues: `SELECT name, share, max_share AS maxShare FROM queues ORDER BY name`,
  queueDepths: `
    SELECT i.queue, SUM(i.state = 'pending') AS pending, SUM(i.state = 'leased') AS leased
    FROM items i JOIN runs r ON r.id = i.run_id
    WHERE i.state IN ('pending', 'leased') AND r.status = 'running'
    GROUP BY i.queue ORDER BY i.queue`,
  deleteQueues: `DELETE FROM queues`,
  insertQueue: `INSERT INTO queues (name, share, max_share) VALUES (@name, @share, @maxShare)`,

  // ---- items
  insertItem: `
    INSERT INTO items (id, run_id, model, item_no, group_name, queue, priority, cpus, memory_bytes, state,
      not_before, created_at, spec, max_code_attempts, max_infra_attempts, backoff_ms, max_backoff_ms)
    VALUES (@id, @runId, @model, @itemNo, @group, @queue, @priority, @cpus, @memoryBytes, 'pending',
      @now, @now, @spec, @maxCodeAttempts, @maxInfraAttempts, @backoffMs, @maxBackoffMs)`,
  getItem: `SELECT ${ITEM_COLUMNS} FROM items WHERE id = ?`,
  /** What failItem needs to decide between retry and dead. */
  itemBudget: `
    SELECT state, attempt, leased_at AS leasedAt, code_failures AS codeFailures, infra_failures AS infraFailures,
      max_code_attempts AS maxCodeAttempts, max_infra_attempts AS maxInfraAttempts, backoff_ms AS backoffMs,
      max_backoff_ms AS maxBackoffMs
    FROM items WHERE id = ?`,
  taskProgress: `
    SELECT model, COUNT(*) AS items, SUM(state = 'succeeded') AS succeeded, SUM(state = 'dead') AS dead,
      SUM(state = 'cancelled') AS cancelled, MIN(started_at) AS firstStartedAt
    FROM items WHERE run_id = ? GROUP BY model ORDER BY model`,
  listItems: `SELECT ${ITEM_COLUMNS} FROM items WHERE run_id = ? ORDER BY model, item_no`,
  listTaskItems: `SELECT ${ITEM_COLUMNS} FROM items WHERE run_id = ? AND model = ? ORDER BY item_no`,

  // ---- claimItem, all in one BEGIN IMMEDIATE transaction
  /** Live slots: active workers heard from at or after @liveSince. */
  liveSlots: `SELECT COUNT(*) AS n FROM workers WHERE state = 'active' AND heartbeat_at >= @liveSince`,
  /**
   * Busy ms per queue over the items of running runs: finished attempts (queue_usage, kept by a
   * trigger on items.busy_ms) plus leases in progress, counted up to @now.
   */
  queueUsage: `
    SELECT queue, SUM(ms) AS usage FROM (
      SELECT u.queue AS queue, u.busy_ms AS ms
      FROM runs r INDEXED BY runs_running JOIN queue_usage u ON u.run_id = r.id
      WHERE r.status = 'running'
      UNION ALL
      SELECT i.queue, MAX(@now - i.leased_at, 0)
      FROM items i INDEXED BY items_state_queue JOIN runs r ON r.id = i.run_id
      WHERE i.state = 'leased' AND r.status = 'running'
    )
    GROUP BY queue`,
  leasedPerQueue: `SELECT queue, COUNT(*) AS n FROM items WHERE state = 'leased' GROUP BY queue`,
  /** Queues that have pending items: a loose index scan, one seek per queue. */
  pendingQueues: `
    WITH RECURSIVE q (name) AS (
      SELECT (SELECT queue FROM items WHERE state = 'pending' ORDER BY queue LIMIT 1)
      UNION ALL
      SELECT (SELECT queue FROM items WHERE state = 'pending' AND queue > q.name ORDER BY queue LIMIT 1) FROM q WHERE q.name IS NOT NULL
    )
    SELECT name FROM q WHERE name IS NOT NULL`,
  /**
   * The first claimable item of @queue in claim order (priority, age, id): the best item of each
   * admissible task (one index seek each), then the best of those. Cost follows the number of
   * admissible tasks, not of pending items: items of tasks blocked by their group's step
   * concurrency are never visited.
   */
  nextItem: `
    WITH admissible (run_id, model) AS (${ADMISSIBLE_TASKS}),
    best (id) AS (
      SELECT (
        SELECT i.id FROM items i INDEXED BY items_claim
        WHERE i.run_id = a.run_id AND i.model = a.model AND i.state = 'pending' AND i.queue = @queue
          AND i.not_before <= @now AND i.cpus <= @cpus AND i.memory_bytes <= @memoryBytes
        ORDER BY i.priority DESC, i.created_at, i.id
        LIMIT 1)
      FROM admissible a
    )
    SELECT i.id AS id, i.run_id AS runId, i.model AS model
    FROM best JOIN items i ON i.id = best.id
    ORDER BY i.priority DESC, i.created_at, i.id
    LIMIT 1`,
  leaseItem: `
    UPDATE items SET state = 'leased', attempt = attempt + 1, worker_id = @workerId, leased_at = @now,
      lease_expires_at = @expiresAt, started_at = COALESCE(started_at, @now)
    WHERE id = @id AND state = 'pending'`,

  // ---- fenced writes: each names the attempt; 0 changes means fenced
  heartbeatItem: `
    UPDATE items SET lease_expires_at = @expiresAt
    WHERE id = @id AND attempt = @attempt AND state = 'leased'`,
  completeItem: `
    UPDATE items SET state = 'succeeded', ended_at = @now, busy_ms = busy_ms + MAX(@now - leased_at, 0),
      lease_expires_at = NULL, rows_out = @rowsOut, bytes_out = @bytesOut, output = @output
    WHERE id = @id AND attempt = @attempt AND state = 'leased'`,
  failItem: `
    UPDATE items SET state = @state, code_failures = @codeFailures, infra_failures = @infraFailures,
      not_before = COALESCE(@notBefore, not_before), ended_at = @endedAt, busy_ms = busy_ms + MAX(@now - leased_at, 0),
      lease_expires_at = NULL, error = @error
    WHERE id = @id AND attempt = @attempt AND state = 'leased'`,
  countLateWrite: `UPDATE items SET late_writes = late_writes + 1 WHERE id = ?`,

  // ---- recovery and run control
  /** Expired leases fail as infra; the attempt's busy time ends at its expiry. */
  reapExpired: `
    UPDATE items SET ${FAIL_INFRA('lease_expires_at', `'lease of worker ' || worker_id || ' (attempt ' || attempt || ') expired at ' || lease_expires_at`)}
    WHERE state = 'leased' AND lease_expires_at < @now`,
  releaseWorkerLeases: `
    UPDATE items SET ${FAIL_INFRA('@now', '@error')}
    WHERE state = 'leased' AND worker_id = @workerId`,
  cancelRunItems: `
    UPDATE items SET state = 'cancelled', ended_at = @now, lease_expires_at = NULL,
      busy_ms = busy_ms + CASE WHEN state = 'leased' THEN MAX(@now - leased_at, 0) ELSE 0 END
    WHERE run_id = @runId AND state IN ('pending', 'leased')`,
  redriveDead: `
    UPDATE items SET state = 'pending', code_failures = 0, infra_failures = 0, not_before = @now, ended_at = NULL
    WHERE run_id = @runId AND state = 'dead'`,

  // ---- reopenRun (sluice retry)
  reopenRunRow: `UPDATE runs SET status = 'running', ended_at = NULL, error = NULL WHERE id = @runId AND status <> 'running'`,
  reviveItems: `
    UPDATE items SET state = 'pending', code_failures = 0, infra_failures = 0, not_before = @now, ended_at = NULL
    WHERE run_id = @runId AND state IN ('dead', 'cancelled')`,
  reopenTasksWithItems: `
    UPDATE tasks SET status = 'running', ended_at = NULL, error = NULL
    WHERE run_id = @runId AND status IN ('failed', 'not_run')
      AND EXISTS (SELECT 1 FROM items i WHERE i.run_id = tasks.run_id AND i.model = tasks.model)`,
  reopenTasksWithoutItems: `
    UPDATE tasks SET status = 'pending', started_at = NULL, ended_at = NULL, error = NULL
    WHERE run_id = @runId AND status IN ('failed', 'not_run')`,

  // ---- workers
  insertWorker: `
    INSERT INTO workers (id, host, pid, cpus, memory_bytes, started_at, heartbeat_at, state)
    VALUES (@id, @host, @pid, @cpus, @memoryBytes, @startedAt, @startedAt, 'active')`,
  workerState: `SELECT state FROM workers WHERE id = ?`,
  workerHeartbeat: `
    UPDATE workers SET heartbeat_at = MAX(heartbeat_at, @now),
      state = CASE WHEN state IN ('active', 'draining') THEN COALESCE(@state, state) ELSE state END
    WHERE id = @id`,
  stopWorker: `
    UPDATE workers SET state = @state, stopped_at = @now
    WHERE id = @id AND state IN ('active', 'draining')`,
  listWorkers: `
    SELECT w.id, w.host, w.pid, w.cpus, w.memory_bytes AS memoryBytes, w.started_at AS startedAt, w.state,
      w.heartbeat_at AS heartbeatAt, w.stopped_at AS stoppedAt,
      (SELECT COUNT(*) FROM items i WHERE i.worker_id = w.id AND i.state = 'leased') AS leased
    FROM workers w
    WHERE @includeStopped OR w.state IN ('active', 'draining')
    ORDER BY w.started_at, w.id`,
} as const;

export type QueryName = keyof typeof QUERIES;
