import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage } from '../core/errors.js';
import type { DataInterval, Project } from '../core/types.js';
import { compileItems, type CompiledTask } from './compile-items.js';
import type { InputScan } from '../protocol/item-spec.js';
import type { Plan } from '../planner/build-plan.js';
import type { Manifest } from '../snapshot/manifest.js';
import { readCurrentSnapshot } from '../snapshot/read-snapshot.js';
import type { JoinChoice } from '../optimizer/join-strategy.js';
import type { ObjectStore } from '../storage/object-store.js';
import { skipReason } from '../optimizer/skip-decision.js';

/** `sluice plan --explain --json`. Versioned: fields are only added within a version. */
export const EXPLAIN_SCHEMA = 'sluice.explain/v1';

export interface ExplainedModel {
  readonly name: string;
  readonly group: string;
  /** build: items would run; skip: unchanged; unknown: cannot tell before an upstream model is built. */
  readonly decision: 'build' | 'skip' | 'unknown';
  readonly reason: string;
  /**
   * Per input: files and bytes the items would read vs what the input holds, and the filter.
   * `role` is the join strategy for it: `split` (each item reads its own partitions or files of
   * it), `broadcast` (every item reads all of it: `readBytes` = bytes × items), `shuffle`
   * (hash-partitioned by the join key by map items, one bucket per reduce item), or `whole` (one item).
   */
  readonly inputs: readonly (InputScan & {
    readonly pruned: number;
    readonly role: 'split' | 'broadcast' | 'shuffle' | 'whole';
    readonly readBytes: number;
  })[];
  /** The layout chosen for the model's inputs and why (null: not compiled). Added within v1. */
  readonly join: JoinChoice | null;
  /** Each work item: the values of the split column it covers (null: all) and what it reads. A shuffle lists its map items (the reduce items depend on what they write). */
  readonly items: readonly {
    readonly values: readonly string[] | null;
    readonly part: { readonly index: number; readonly of: number } | null;
    readonly files: number;
    readonly bytes: number;
  }[];
  /** Split models: target bytes per item, values coalesced, values split into parts, and skew (largest value ÷ median). */
  readonly sizing: CompiledTask['sizing'];
  /** Incremental models: values of the split column to build, unchanged, and gone. */
  readonly incremental: {
    readonly built: readonly string[];
    readonly unchanged: number;
    readonly removed: readonly string[];
  } | null;
  /**
   * True when an upstream model in this run would be rebuilt first: the inputs shown are its
   * current snapshot, which the run replaces before this model reads it.
   */
  readonly estimate: boolean;
}

export interface ExplainDocument {
  readonly schema: typeof EXPLAIN_SCHEMA;
  readonly project: string;
  readonly selector: string;
  readonly interval: DataInterval | null;
  readonly fullRefresh: boolean;
  readonly models: readonly ExplainedModel[];
}

export interface ExplainContext {
  readonly project: Project;
  readonly objects: ObjectStore;
  readonly conn: DuckDBConnection;
  readonly interval?: DataInterval;
  readonly fullRefresh?: boolean;
  readonly maxItems: number;
}

/**
 * What a run of `plan` would read and build, model by model, without running anything: the
 * same listing, pruning, fingerprints and incremental decisions as the coordinator makes, on
 * the current snapshots. Reads manifests and lists files; reads no data.
 */
export async function explainPlan(ctx: ExplainContext, plan: Plan): Promise<ExplainDocument> {
  const sourceListings = new Map<string, Promise<unknown>>();
  const decisions = new Map<string, ExplainedModel['decision']>();
  const models: ExplainedModel[] = [];
  for (const m of plan.models) {
    const model = ctx.project.models.get(m.name)!;
    const base = {
      name: m.name,
      group: m.group,
      inputs: [],
      items: [],
      incremental: null,
      sizing: null,
      join: null,
      estimate: false,
    } as const;
    const snapshots = new Map<string, Manifest>();
    let missing: string | undefined;
    for (const dep of model.dependsOn) {
      if (ctx.project.sources.has(dep)) continue;
      const manifest = await readCurrentSnapshot(ctx.objects, dep);
      if (manifest) snapshots.set(dep, manifest);
      else missing ??= dep;
    }
    if (missing !== undefined) {
      const inRun = m.waitsFor.includes(missing);
      models.push({
        ...base,
        decision: inRun ? 'unknown' : 'build',
        reason: inRun
          ? `reads ${missing}, which this run builds first (never built yet)`
          : `reads ${missing}, which has never been built: the run would fail (select +${m.name})`,
      });
      decisions.set(m.name, inRun ? 'unknown' : 'build');
      continue;
    }
    const current = await readCurrentSnapshot(ctx.objects, m.name);
    try {
      const compiled = await compileItems(
        {
          project: ctx.project,
          conn: ctx.conn,
          snapshots,
          sourceListings,
          targetItemBytes: ctx.project.config.execution.targetItemBytes,
          broadcastBytes: ctx.project.config.execution.broadcastBytes,
          ...(ctx.interval && { interval: ctx.interval }),
          ...(current && { previous: current }),
          ...(ctx.fullRefresh && { fullRefresh: true }),
        },
        model,
        (current?.snapshot ?? 0) + 1,
        ctx.maxItems,
      );
      const rebuiltUpstream = m.waitsFor.filter((u) => decisions.get(u) !== 'skip');
      const skip = skipReason(current, compiled, ctx.fullRefresh ?? false);
      const decision =
        rebuiltUpstream.length > 0
          ? rebuiltUpstream.some((u) => decisions.get(u) === 'unknown')
            ? 'unknown'
            : 'build'
          : skip !== undefined
            ? 'skip'
            : 'build';
      const reason =
        rebuiltUpstream.length > 0
          ? `upstream ${rebuiltUpstream.join(', ')} ${rebuiltUpstream.length === 1 ? 'is' : 'are'} rebuilt first`
          : (skip ??
            (ctx.fullRefresh
              ? 'full refresh'
              : !current
                ? 'never built'
                : compiled.incremental && current.partitions
                  ? `incremental ${model.incremental}: ${compiled.incremental.built.length} new or changed ${model.splitBy} value(s), ${compiled.incremental.unchanged} unchanged${compiled.incremental.removed.length ? `, ${compiled.incremental.removed.length} gone` : ''}`
                  : 'SQL or input files changed since the current snapshot'));
      decisions.set(m.name, decision);
      models.push({
        name: m.name,
        group: m.group,
        decision,
        reason,
        inputs: compiled.scans.map((s) => {
          const items = compiled.items.length;
          const shuffled = compiled.join.strategy === 'shuffle' && compiled.join.large.includes(s.name);
          const role = shuffled
            ? 'shuffle'
            : compiled.join.strategy === 'shuffle'
              ? 'broadcast'
              : items <= 1
                ? 'whole'
                : compiled.items.some((i) => i.inputs.find((x) => x.name === s.name)?.scan?.files !== s.files)
                  ? 'split'
                  : 'broadcast';
          // A shuffle's broadcast inputs are read by each reduce item (one per bucket).
          const readers = compiled.join.strategy === 'shuffle' ? (compiled.join.buckets ?? 1) : 0;
          const readBytes = shuffled
            ? s.bytes
            : readers > 0
              ? s.bytes * readers
              : compiled.items.reduce((n, i) => n + (i.inputs.find((x) => x.name === s.name)?.scan?.bytes ?? 0), 0);
          return { ...s, pruned: s.totalFiles - s.files, role, readBytes };
        }),
        items:
          decision === 'skip'
            ? []
            : compiled.items.map((i) => ({
                values: i.slice?.values ?? null,
                part: i.slice?.part ?? null,
                files: sum(i.inputs, 'files'),
                bytes: sum(i.inputs, 'bytes'),
              })),
        sizing: compiled.sizing,
        join: compiled.join,
        incremental: compiled.incremental,
        estimate: rebuiltUpstream.length > 0,
      });
    } catch (err) {
      decisions.set(m.name, 'build');
      models.push({ ...base, decision: 'build', reason: `cannot compile: ${errorMessage(err)}` });
    }
  }
  return {
    schema: EXPLAIN_SCHEMA,
    project: plan.project,
    selector: plan.selector,
    interval: ctx.interval ?? null,
    fullRefresh: ctx.fullRefresh ?? false,
    models,
  };
}

function sum(inputs: readonly { scan?: InputScan }[], key: 'files' | 'bytes'): number {
  return inputs.reduce((s, i) => s + (i.scan?.[key] ?? 0), 0);
}
