/**
 * Every statement the PostgreSQL metadata store runs, one per named query, each a prepared
 * statement on each pooled connection. Parameters are named (`@now`, compiled to `$1`...);
 * columns are aliased (quoted) to the RunRecord / TaskRecord / ItemRecord / WorkerRecord /
 * QueueConfig field names; times are BIGINT epoch milliseconds, read back as numbers.
 * The same queries as ../sqlite/queries.ts, in PostgreSQL's dialect, except the claim, which is
 * one call of a PL/pgSQL function (migration 6) that takes locks between its steps (claim-item.ts).
 */

import { PG_METRICS_QUERIES } from './metrics-queries.js';

const RUN_COLUMNS = `id, project, status, selector, started_at AS "startedAt", ended_at AS "endedAt", error, coordinator,
  heartbeat_at AS "heartbeatAt"`;

const TASK_COLUMNS = `run_id AS "runId", model, group_name AS "group", status, started_at AS "startedAt",
  ended_at AS "endedAt", rows_out AS "rowsOut", bytes_out AS "bytesOut", files, snapshot, error`;

const ITEM_COLUMNS = `id, run_id AS "runId", model, item_no AS "itemNo", group_name AS "group", queue, priority, cpus,
  memory_bytes AS "memoryBytes", state, attempt, code_failures AS "codeFailures", infra_failures AS "infraFailures",
  late_writes AS "lateWrites", worker_id AS "workerId", leased_at AS "leasedAt", lease_expires_at AS "leaseExpiresAt",
  not_before AS "notBefore", created_at AS "createdAt", started_at AS "startedAt", ended_at AS "endedAt", busy_ms AS "busyMs",
  rows_out AS "rowsOut", bytes_out AS "bytesOut", output, error, spec`;

/** Backoff before the n-th failure's retry, n = `failures` + 1: min(backoff * 2^(n-1), max), without overflow. */
const backoff = (failures: string): string =>
  `LEAST(backoff_ms * power(2::float8, LEAST(${failures}, 60)), max_backoff_ms)::bigint`;

/**
 * A leased item's attempt fails as infra (lease expired, worker gone): pending after backoff
 * while the infra budget lasts, dead when it is spent. `busyEnd` is when the attempt ended.
 * (Every SET expression sees the row as it was before the UPDATE.)
 */
const FAIL_INFRA = (busyEnd: string, error: string): string => `
  state            = CASE WHEN infra_failures + 1 >= max_infra_attempts THEN 'dead' ELSE 'pending' END,
  infra_failures   = infra_failures + 1,
  not_before       = CASE WHEN infra_failures + 1 >= max_infra_attempts THEN not_before ELSE @now::bigint + ${backoff('infra_failures')} END,
  ended_at         = CASE WHEN infra_failures + 1 >= max_infra_attempts THEN @now::bigint ELSE NULL END,
  busy_ms          = busy_ms + GREATEST(${busyEnd} - leased_at, 0),
  lease_expires_at = NULL,
  error            = ${error}`;

/** failItem: the failing kind's budget is spent (every SET expression sees the row before the UPDATE). */
const FAIL_DEAD = `(CASE WHEN @kind::text = 'code' THEN code_failures + 1 >= max_code_attempts
  ELSE infra_failures + 1 >= max_infra_attempts END)`;

/**
 * Statements that change many items lock them first, in id order: two of them (a reaper and a
 * cancel, say) then wait for each other instead of deadlocking.
 */
const lockedItems = (where: string, skipLocked = false): string =>
  `id IN (SELECT id FROM items WHERE ${where} ORDER BY id FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''})`;

/** Advisory locks: two int4 keys, the first marks sluice, the second hashes what is locked. */
export const LOCK_NAMESPACE = 0x736c75; // "slu"

/** Used by `migrate()`, before the tables the other queries need exist. */
export const MIGRATION_QUERIES = {
  /** Serialises migrate() across processes; the key names the schema (it may not exist yet). */
  lock: `SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext('migrate/' || @schema::text))`,
  appliedMigrations: `SELECT id, name FROM schema_migrations ORDER BY id`,
  recordMigration: `INSERT INTO schema_migrations (id, name, applied_at) VALUES (@id, @name, @appliedAt)`,
} as const;

export const QUERIES = {
  appliedMigrations: MIGRATION_QUERIES.appliedMigrations,

  insertRun: `
    INSERT INTO runs (id, project, selector, status, started_at, coordinator, heartbeat_at)
    VALUES (@id, @project, @selector, 'running', @startedAt, @coordinator, @startedAt)`,
  /** createRun's one-live-run-per-project check, serialised per project until commit. */
  lockProjectRuns: `SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(current_schema() || '/project-runs/' || @project::text))`,
  /** A running run of the project whose coordinator showed life at or after @since. */
  liveRunOfProject: `
    SELECT ${RUN_COLUMNS} FROM runs
    WHERE project = @project AND status = 'running' AND heartbeat_at >= @since
    ORDER BY started_at DESC LIMIT 1`,
  runHeartbeat: `
    UPDATE runs SET heartbeat_at = GREATEST(COALESCE(heartbeat_at, 0), @now), coordinator = COALESCE(@coordinator, coordinator)
    WHERE id = @runId AND status = 'running'`,
  insertTasks: `
    INSERT INTO tasks (run_id, model, seq, group_name, concurrency, status)
    SELECT @runId, t.model, t.seq - 1, t.group_name, t.concurrency, 'pending'
    FROM unnest(@models::text[], @groups::text[], @concurrencies::int[]) WITH ORDINALITY AS t (model, group_name, concurrency, seq)`,

  finishRun: `
    UPDATE runs SET status = @status, ended_at = @endedAt, error = @error
    WHERE id = @runId AND status = 'running'`,

  startTask: `
    UPDATE tasks SET status = 'running', started_at = @startedAt
    WHERE run_id = @runId AND model = @model AND status = 'pending'`,
  finishTask: `
    UPDATE tasks SET status = @status::text, ended_at = @endedAt, rows_out = @rowsOut, bytes_out = @bytesOut,
      files = @files, snapshot = @snapshot, error = @error
    WHERE run_id = @runId AND model = @model AND status = @fromStatus::text`,

  skipTask: `
    UPDATE tasks SET status = 'succeeded', started_at = @endedAt, ended_at = @endedAt, rows_out = @rowsOut,
      bytes_out = @bytesOut, files = @files, snapshot = @snapshot, error = NULL
    WHERE run_id = @runId AND model = @model AND status = 'pending'`,
  insertTaskSkip: `
    INSERT INTO task_skips (run_id, model, snapshot, reason, fingerprint, skipped_at)
    VALUES (@runId, @model, @snapshot, @reason, @fingerprint, @endedAt)`,
  listTaskSkips: `
    SELECT s.run_id AS "runId", s.model, s.snapshot, s.reason, s.fingerprint, s.skipped_at AS "skippedAt"
    FROM task_skips s JOIN tasks t ON t.run_id = s.run_id AND t.model = s.model
    WHERE s.run_id = @runId ORDER BY t.seq`,

  abandonRunningTasks: `
    UPDATE tasks SET status = 'failed', ended_at = @endedAt, error = @error
    WHERE run_id = @runId AND status = 'running'`,
  abandonPendingTasks: `
    UPDATE tasks SET status = 'not_run', ended_at = @endedAt, error = @error
    WHERE run_id = @runId AND status = 'pending'`,

  getRun: `SELECT ${RUN_COLUMNS} FROM runs WHERE id = @runId`,
  taskStatus: `SELECT status FROM tasks WHERE run_id = @runId AND model = @model`,
  /** A NULL limit is no limit. */
  listRuns: `SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, seq DESC LIMIT @limit`,
  listTasks: `SELECT ${TASK_COLUMNS} FROM tasks WHERE run_id = @runId ORDER BY seq`,
  /** enqueueItems: the task, locked so that no claim starts it while its items are added. */
  lockTaskForEnqueue: `SELECT status, group_name AS "group" FROM tasks WHERE run_id = @runId AND model = @model FOR UPDATE`,

  // ---- queues
  listQueues: `SELECT name, share, max_share AS "maxShare" FROM queues ORDER BY name`,
  queueDepths: `
    SELECT i.queue, COUNT(*) FILTER (WHERE i.state = 'pending') AS pending, COUNT(*) FILTER (WHERE i.state = 'leased') AS leased
    FROM items i JOIN runs r ON r.id = i.run_id
    WHERE i.state IN ('pending', 'leased') AND r.status = 'running'
    GROUP BY i.queue ORDER BY i.queue`,
  deleteQueues: `DELETE FROM queues`,
  insertQueues: `
    INSERT INTO queues (name, share, max_share)
    SELECT * FROM unnest(@names::text[], @shares::float8[], @maxShares::float8[])`,

  // ---- items
  insertItems: `
    INSERT INTO items (id, run_id, model, item_no, group_name, queue, priority, cpus, memory_bytes, state,
      not_before, created_at, spec, max_code_attempts, max_infra_attempts, backoff_ms, max_backoff_ms)
    SELECT i.id, @runId, @model, i.item_no, @group, i.queue, i.priority, i.cpus, i.memory_bytes, 'pending',
      @now, @now, i.spec, @maxCodeAttempts, @maxInfraAttempts, @backoffMs, @maxBackoffMs
    FROM unnest(@ids::text[], @itemNos::bigint[], @queues::text[], @priorities::float8[], @cpus::float8[],
      @memoryBytes::bigint[], @specs::text[]) AS i (id, item_no, queue, priority, cpus, memory_bytes, spec)`,
  firstExistingItem: `SELECT id FROM items WHERE id = ANY (@ids::text[]) ORDER BY id LIMIT 1`,
  getItem: `SELECT ${ITEM_COLUMNS} FROM items WHERE id = @id`,
  taskProgress: `
    SELECT model, COUNT(*) AS items, COUNT(*) FILTER (WHERE state = 'succeeded') AS succeeded,
      COUNT(*) FILTER (WHERE state = 'dead') AS dead, COUNT(*) FILTER (WHERE state = 'cancelled') AS cancelled,
      MIN(started_at) AS "firstStartedAt"
    FROM items WHERE run_id = @runId GROUP BY model ORDER BY model`,
  listItems: `SELECT ${ITEM_COLUMNS} FROM items WHERE run_id = @runId ORDER BY model, item_no`,
  listTaskItems: `SELECT ${ITEM_COLUMNS} FROM items WHERE run_id = @runId AND model = @model ORDER BY item_no`,

  // ---- claimItem: the whole claim is sluice_claim_item (migration 6); see claim-item.ts
  claimItem: `
    SELECT ${ITEM_COLUMNS}
    FROM sluice_claim_item(@workerId::text, @cpus::float8, @memoryBytes::float8, @now::float8, @expiresAt::bigint, @liveSince::float8)`,

  // ---- fenced writes: each names the attempt; 0 rows means fenced
  heartbeatItem: `
    UPDATE items SET lease_expires_at = @expiresAt
    WHERE id = @id AND attempt = @attempt AND state = 'leased'`,
  completeItem: `
    UPDATE items SET state = 'succeeded', ended_at = @now::bigint, busy_ms = busy_ms + GREATEST(@now::bigint - leased_at, 0),
      lease_expires_at = NULL, rows_out = @rowsOut, bytes_out = @bytesOut, output = @output
    WHERE id = @id AND attempt = @attempt AND state = 'leased'`,
  /**
   * The attempt fails (@kind 'code' or 'infra'): that kind's failures + 1; dead when it reaches
   * the kind's budget, else pending after backoff (work-queue-input.ts backoffFor). One
   * statement: the row is locked and re-checked (attempt, leased) by the UPDATE itself.
   */
  failItem: `
    UPDATE items SET
      state          = CASE WHEN ${FAIL_DEAD} THEN 'dead' ELSE 'pending' END,
      code_failures  = code_failures + CASE WHEN @kind::text = 'code' THEN 1 ELSE 0 END,
      infra_failures = infra_failures + CASE WHEN @kind::text = 'code' THEN 0 ELSE 1 END,
      not_before     = CASE WHEN ${FAIL_DEAD} THEN not_before
                       ELSE @now::bigint + ${backoff("CASE WHEN @kind::text = 'code' THEN code_failures ELSE infra_failures END")} END,
      ended_at       = CASE WHEN ${FAIL_DEAD} THEN @now::bigint ELSE NULL END,
      busy_ms        = busy_ms + GREATEST(@now::bigint - leased_at, 0),
      lease_expires_at = NULL,
      error          = @error
    WHERE id = @id AND attempt = @attempt AND state = 'leased'
    RETURNING state`,
  countLateWrite: `UPDATE items SET late_writes = late_writes + 1 WHERE id = @id`,

  // ---- recovery and run control
  /**
   * Expired leases fail as infra, in one statement; the attempt's busy time ends at its expiry.
   * SKIP LOCKED: a lease whose holder is writing right now is left to the next reap, and two
   * reapers never wait for each other.
   */
  reapExpired: `
    UPDATE items SET ${FAIL_INFRA('lease_expires_at', `'lease of worker ' || worker_id || ' (attempt ' || attempt || ') expired at ' || lease_expires_at`)}
    WHERE state = 'leased' AND lease_expires_at < @now::bigint
      AND ${lockedItems(`state = 'leased' AND lease_expires_at < @now::bigint`, true)}`,
  releaseWorkerLeases: `
    UPDATE items SET ${FAIL_INFRA('@now::bigint', '@error::text')}
    WHERE state = 'leased' AND worker_id = @workerId AND ${lockedItems(`state = 'leased' AND worker_id = @workerId`)}`,
  cancelRunItems: `
    UPDATE items SET state = 'cancelled', ended_at = @now::bigint, lease_expires_at = NULL,
      busy_ms = busy_ms + CASE WHEN state = 'leased' THEN GREATEST(@now::bigint - leased_at, 0) ELSE 0 END
    WHERE run_id = @runId AND state IN ('pending', 'leased') AND ${lockedItems(`run_id = @runId AND state IN ('pending', 'leased')`)}`,
  redriveDead: `
    UPDATE items SET state = 'pending', code_failures = 0, infra_failures = 0, not_before = @now, ended_at = NULL
    WHERE run_id = @runId AND state = 'dead' AND ${lockedItems(`run_id = @runId AND state = 'dead'`)}`,

  // ---- reopenRun (sluice retry)
  reopenRunRow: `UPDATE runs SET status = 'running', ended_at = NULL, error = NULL WHERE id = @runId AND status <> 'running'`,
  reviveItems: `
    UPDATE items SET state = 'pending', code_failures = 0, infra_failures = 0, not_before = @now, ended_at = NULL
    WHERE run_id = @runId AND state IN ('dead', 'cancelled') AND ${lockedItems(`run_id = @runId AND state IN ('dead', 'cancelled')`)}`,
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
    VALUES (@id, @host, @pid, @cpus, @memoryBytes, @startedAt::bigint, @startedAt::bigint, 'active')`,
  workerState: `SELECT state FROM workers WHERE id = @id`,
  workerHeartbeat: `
    UPDATE workers SET heartbeat_at = GREATEST(heartbeat_at, @now::bigint),
      state = CASE WHEN state IN ('active', 'draining') THEN COALESCE(@state::text, state) ELSE state END
    WHERE id = @id
    RETURNING state`,
  stopWorker: `
    UPDATE workers SET state = @state, stopped_at = @now
    WHERE id = @id AND state IN ('active', 'draining')`,
  listWorkers: `
    SELECT w.id, w.host, w.pid, w.cpus, w.memory_bytes AS "memoryBytes", w.started_at AS "startedAt", w.state,
      w.heartbeat_at AS "heartbeatAt", w.stopped_at AS "stoppedAt",
      (SELECT COUNT(*) FROM items i WHERE i.worker_id = w.id AND i.state = 'leased') AS leased
    FROM workers w
    WHERE @includeStopped::boolean OR w.state IN ('active', 'draining')
    ORDER BY w.started_at, w.id`,

  // ---- metrics (postgres-metrics-store.ts)
  ...PG_METRICS_QUERIES,
} as const;

export type QueryName = keyof typeof QUERIES;

/** A query with `@name` parameters compiled to `$n`, and the names in `$n` order. */
export interface CompiledQuery {
  readonly text: string;
  readonly names: readonly string[];
}

export function compileNamed(sql: string): CompiledQuery {
  const names: string[] = [];
  const text = sql.replace(/@([A-Za-z][A-Za-z0-9]*)/g, (_, name: string) => {
    let n = names.indexOf(name);
    if (n === -1) n = names.push(name) - 1;
    return `$${n + 1}`;
  });
  return { text, names };
}
