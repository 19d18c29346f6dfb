/**
 * The work-item queue, part of the metadata store. Protocol (docs/adr/0006-work-item-protocol.md):
 *
 *   pending --claim--> leased --complete--> succeeded
 *      ^                 |  \--fail(code) / lease lost / release--> pending (retry, after backoff)
 *      |                 |                                     \--> dead (retry budget spent)
 *      +-- redriveDead --+-- cancelRun --> cancelled (pending or leased items of an aborted run)
 *
 * Every write a worker makes after its claim names the attempt number it was given; a write
 * whose attempt is no longer current (the lease expired and someone else claimed the item) is
 * rejected, changes nothing, and is counted in `lateWrites`. Times are epoch milliseconds,
 * always passed in by the caller (the store never reads a clock), so tests control time.
 */

export type ItemState = 'pending' | 'leased' | 'succeeded' | 'dead' | 'cancelled';

/** Which retry budget a failure spends: the model's SQL (code) or the machine (infra). */
export type FailureKind = 'code' | 'infra';

export interface RetryPolicy {
  /** Attempts that may fail for code reasons before the item is dead (>= 1). */
  readonly maxCodeAttempts: number;
  /** Attempts that may be lost to infrastructure (lease expiry, SIGTERM) before it is dead. */
  readonly maxInfraAttempts: number;
  /** Backoff before retry n (1-based) is min(backoffMs * 2^(n-1), maxBackoffMs). */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

export interface QueueConfig {
  readonly name: string;
  /** Guaranteed share of the worker slots, in percent (all queues sum to 100). */
  readonly share: number;
  /** The most it may use when others are idle, in percent (>= share, <= 100). */
  readonly maxShare: number;
}

export interface NewItem {
  /** 0-based, unique within the task. */
  readonly itemNo: number;
  readonly queue: string;
  /** Higher first within a queue (the task's downstream weight). */
  readonly priority: number;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** The compiled work (JSON), opaque to the store. */
  readonly spec: string;
}

export interface ItemRecord {
  /** `<runId>/<model>/<itemNo, zero-padded to 6 digits>`: id order is item order within a task. */
  readonly id: string;
  readonly runId: string;
  readonly model: string;
  readonly itemNo: number;
  readonly group: string;
  readonly queue: string;
  readonly priority: number;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly state: ItemState;
  /** Claims so far; the current lease's fencing token. */
  readonly attempt: number;
  readonly codeFailures: number;
  readonly infraFailures: number;
  /** Writes rejected because their attempt was no longer current. */
  readonly lateWrites: number;
  readonly workerId: string | null;
  readonly leasedAt: number | null;
  readonly leaseExpiresAt: number | null;
  /** Not claimable before this time (retry backoff). */
  readonly notBefore: number;
  readonly createdAt: number;
  /** First claim. */
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** Milliseconds spent leased, summed over finished attempts. */
  readonly busyMs: number;
  readonly rowsOut: number | null;
  readonly bytesOut: number | null;
  /** What the successful attempt produced (JSON), opaque to the store. */
  readonly output: string | null;
  readonly error: string | null;
  readonly spec: string;
}

export interface ClaimRequest {
  readonly workerId: string;
  /** What the worker has: only items that fit are claimed. */
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly now: number;
  readonly leaseMs: number;
  /** Workers whose last heartbeat is at or after this count as live slots (for queue maxima). */
  readonly liveSince: number;
}

export interface Lease {
  readonly item: ItemRecord;
  readonly attempt: number;
  readonly expiresAt: number;
}

export interface CompleteItem {
  readonly now: number;
  readonly rowsOut: number;
  readonly bytesOut: number;
  readonly output: string;
}

export type FailOutcome = 'retry' | 'dead' | 'fenced';

/** How far a task's items are: what the coordinator polls (cheap: no specs or outputs). */
export interface TaskProgress {
  readonly model: string;
  readonly items: number;
  readonly succeeded: number;
  readonly dead: number;
  readonly cancelled: number;
  /** The first claim of any of its items, or null if none was claimed yet. */
  readonly firstStartedAt: number | null;
}

/** Work waiting and in hand in one queue, over the running runs. */
export interface QueueDepth {
  readonly queue: string;
  readonly pending: number;
  readonly leased: number;
}

export interface WorkerInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly startedAt: number;
}

export type WorkerState = 'active' | 'draining' | 'stopped' | 'lost';

export interface WorkerRecord extends WorkerInfo {
  readonly state: WorkerState;
  readonly heartbeatAt: number;
  readonly stoppedAt: number | null;
  /** Items this worker holds a lease on now. */
  readonly leased: number;
}

export interface WorkQueue {
  /** Replace the queue configuration (capacity shares) used by claims. */
  setQueues(queues: readonly QueueConfig[]): Promise<void>;
  listQueues(): Promise<QueueConfig[]>;
  /** Pending and leased items per queue, over running runs (queues with neither are left out). */
  queueDepths(): Promise<QueueDepth[]>;

  /**
   * Add a task's work items (state pending, claimable from `now`). The task must exist and be
   * pending, or running (a later stage of its work: the reduce items of a shuffle); its retry
   * policy is stored with the items.
   */
  enqueueItems(runId: string, model: string, items: readonly NewItem[], retry: RetryPolicy, now: number): Promise<void>;

  /**
   * In ONE transaction: pick the item to run next and lease it, or return undefined.
   * Claimable: pending, notBefore <= now, fits the worker (cpus, memory), its run is running,
   * its queue is below its maxShare of the live slots, and its task is already running or its
   * group has fewer running tasks in that run than the task's step concurrency.
   * Choice: the queue with the lowest usage ÷ share (usage = busy ms of the items of running
   * runs, including leases in progress), ties by queue name; within it, priority (higher
   * first), then age (createdAt), then id. The lease: state leased, attempt + 1, workerId,
   * leasedAt = now, leaseExpiresAt = now + leaseMs, startedAt set on the first claim; the task
   * becomes running (startedAt = now) if it was pending.
   */
  claimItem(req: ClaimRequest): Promise<Lease | undefined>;

  /** Extend the lease to now + leaseMs. False (and a late write counted) if no longer ours. */
  heartbeat(itemId: string, attempt: number, now: number, leaseMs: number): Promise<boolean>;

  /** leased -> succeeded, recording the output. False (and a late write counted) if fenced. */
  completeItem(itemId: string, attempt: number, result: CompleteItem): Promise<boolean>;

  /**
   * leased -> pending with backoff (the kind's failures + 1 within its budget) or -> dead.
   * 'fenced' (and a late write counted) if the attempt is no longer current.
   */
  failItem(itemId: string, attempt: number, kind: FailureKind, error: string, now: number): Promise<FailOutcome>;

  /** Leases that expired before `now` fail as infra, in one statement (or one transaction). */
  reapExpired(now: number): Promise<number>;

  /** A worker known to be gone: its leases fail as infra now (no wait for expiry). */
  releaseWorker(workerId: string, now: number, reason: string): Promise<number>;

  /** pending and leased items of the run -> cancelled (workers see it on their next heartbeat). */
  cancelRun(runId: string, now: number): Promise<number>;

  /** dead items of the run -> pending with fresh budgets; returns how many. */
  redriveDead(runId: string, now: number): Promise<number>;

  /**
   * Open a finished run to be driven again (`sluice retry`), in one transaction: its dead and
   * cancelled items become pending with fresh budgets; its failed and not_run tasks become
   * running if they have items (the coordinator watches those) or pending if not (it queues
   * those), with ended_at and error cleared; the run becomes running. Succeeded tasks and items
   * are kept. STORE_CONFLICT if the run is still running.
   */
  reopenRun(runId: string, now: number): Promise<{ readonly items: number; readonly tasks: number }>;

  /** Per task of the run that has items: counts by state, without the items' specs and outputs. */
  taskProgress(runId: string): Promise<TaskProgress[]>;

  /** Items of a run (optionally one task), by model then itemNo. */
  listItems(runId: string, model?: string): Promise<ItemRecord[]>;

  registerWorker(worker: WorkerInfo): Promise<void>;
  /** Record liveness; returns the worker's state (a coordinator may have marked it lost). */
  workerHeartbeat(
    workerId: string,
    now: number,
    state?: Extract<WorkerState, 'active' | 'draining'>,
  ): Promise<WorkerState>;
  /** stopped (clean exit) or lost (died); lost also releases its leases. */
  stopWorker(workerId: string, now: number, state: Extract<WorkerState, 'stopped' | 'lost'>): Promise<void>;
  listWorkers(options?: { includeStopped?: boolean }): Promise<WorkerRecord[]>;
}
