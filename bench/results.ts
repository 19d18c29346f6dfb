import type { Goal } from './report.js';
import type { Summary } from './stats.js';
import type { QueueResult } from './workloads/queue-throughput.js';
import type { IncrementalResult } from './workloads/incremental.js';
import type { JoinResult } from './workloads/joins.js';

/** The document `npm run bench` writes to bench/results/latest.json. */
export const RESULTS_SCHEMA = 'sluice.bench/v1';

export type ContenderName = 'sluice' | 'limit' | 'naive' | 'polars';

/**
 * ok: verified and timed. WRONG: its output differs from sluice's (not timed further).
 * failed: it threw. unavailable: it cannot run on this machine (the note says why).
 */
export type ContenderStatus = 'ok' | 'WRONG' | 'failed' | 'unavailable';

export interface ContenderResult {
  readonly status: ContenderStatus;
  readonly note?: string;
  /** Per-model differences, for WRONG. */
  readonly problems?: readonly string[];
  /** The contender's own timing of its work (see each contender's doc comment). */
  readonly wallMs?: Summary;
  /** Peak resident memory of its process tree (summed over processes alive at once, sampled). */
  readonly maxRssMb?: Summary;
}

export interface ClinicResult {
  readonly label: string;
  readonly days: number;
  readonly scale: number;
  readonly rawRows: number;
  readonly rawBytes: number;
  readonly models: number;
  /** Rows written by sluice over all models. */
  readonly outputRows: number;
  readonly contenders: Readonly<Record<ContenderName, ContenderResult>>;
  /** sluice's wall time split: load + validate (bind check) + plan, then the run loop. */
  readonly sluicePrepareMs: Summary;
  readonly sluiceRunMs: Summary;
  /** Ratios of medians; null when a side is not ok. */
  readonly ratios: {
    readonly sluiceOverLimit: number | null;
    /** The run loop only (without load/validate/plan) over the limit. */
    readonly sluiceRunOverLimit: number | null;
    readonly naiveOverSluice: number | null;
    readonly polarsOverSluice: number | null;
  };
}

export interface WideDagResult {
  readonly models: number;
  readonly chains: number;
  readonly depth: number;
  readonly workers: number;
  readonly sluice: ContenderResult;
  readonly limit: ContenderResult;
  readonly sluicePrepareMs: Summary;
  readonly sluiceRunMs: Summary;
  /** sluice run loop ÷ tasks. */
  readonly runPerTaskMs: Summary;
  /** (run loop − ideal) ÷ tasks; ideal = max(critical path, Σ ÷ workers) of the limit's per-model times. */
  readonly dispatchOverheadPerTaskMs: Summary;
  /** Median duration of one sluice task as its run records it (start to publish), and of one limit model. */
  readonly sluiceTaskMs: Summary;
  readonly limitModelMs: Summary;
  /** (sluice run loop − limit wall) ÷ tasks. */
  readonly overheadVsLimitPerTaskMs: Summary;
}

export interface PlanningResult {
  readonly models: number;
  readonly groups: number;
  readonly loadMs: Summary;
  readonly planMs: Summary;
  /** loadProject + buildPlan. */
  readonly totalMs: Summary;
  readonly maxRssMb: Summary;
  /** The validate bind check: on how many models, how long (one run), or why not. */
  readonly bind: { readonly models: number; readonly ms: number | null; readonly note: string };
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly duckdb: string;
  readonly polars: string;
  /** 1-minute load average when the suite started and ended (other work on the machine skews times). */
  readonly loadAvgStart: number;
  readonly loadAvgEnd: number;
}

export interface BenchResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly mode: 'quick' | 'full';
  readonly runs: number;
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly machine: Machine;
  /** The sluice code measured: commit, and how many files differed from it. */
  readonly source: { readonly commit: string; readonly uncommittedFiles: number; readonly build: string };
  readonly polarsNote: string;
  readonly clinic: readonly ClinicResult[];
  readonly wideDag: WideDagResult | null;
  /** The same wide DAG with the metadata store and queue on PostgreSQL (--postgres). */
  readonly wideDagPostgres: WideDagResult | null;
  readonly planning: PlanningResult | null;
  /** What the optimizer saves: incremental daily runs, unchanged re-runs, pruning (issue #5). */
  readonly incremental: readonly IncrementalResult[];
  /** The join strategy against one item per model and the limit (issue #5, ADR 0011). */
  readonly joins: JoinResult | null;
  /** The work-item queue alone, per metadata store (no-op items). */
  readonly queue: readonly QueueResult[];
  /** The goals, checked (report.ts). */
  readonly goals: readonly Goal[];
}
