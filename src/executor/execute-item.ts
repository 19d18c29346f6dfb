import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { formatDuration } from '../core/format-duration.js';
import type { Engine, InputRelation } from '../engine/engine.js';
import type { InputFiles, InputStats } from '../engine/input-stats.js';
import { filesRelationSql, snapshotRelationSql } from '../engine/relation-sql.js';
import { shufflePrefix } from '../snapshot/manifest.js';
import { uploadOutput } from '../snapshot/publish-snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ItemInput, ItemSpec } from '../protocol/item-spec.js';
import type { ItemOutput } from '../protocol/item-output.js';

/**
 * Run one attempt of a work item: build its inputs, run the model on the engine into a staging
 * folder unique to the attempt, and move the output to its final (still unpublished) keys.
 * An aborted `signal` (the lease was lost) stops the upload between files and deletes what it
 * moved. The staging folder is removed whatever happens. An attempt running past the model's
 * timeout is interrupted and fails with EXEC_TIMEOUT (docs/adr/0014-sandbox.md).
 */
export async function executeItem(
  objects: ObjectStore,
  engine: Engine,
  spec: ItemSpec,
  attemptTag: string,
  signal?: AbortSignal,
  workerId = 'local',
  /** Called with what the inputs amount to (files, bytes, rows), before the model runs. */
  onInputs?: (stats: InputStats) => void,
): Promise<ItemOutput> {
  return withTimeout(spec, signal, async (limited) => {
    const inputs: InputRelation[] = [];
    const files: InputFiles[] = [];
    const reads: string[] = [];
    for (const input of spec.inputs)
      inputs.push({ name: input.name, query: await inputQuery(objects, input, files, reads) });
    if (onInputs && engine.inputStats) {
      // Metrics never fail an item: unknown inputs are simply not counted.
      const stats = await engine.inputStats(files).catch(() => undefined);
      if (stats) onInputs(stats);
    }
    // Named after the worker, so a sweep can tell a live worker's staging from a dead one's.
    const stagingId = `${stagingOwnerPrefix(workerId)}${attemptTag}-${randomBytes(3).toString('hex')}`;
    const dir = await objects.createStaging(stagingId);
    try {
      const output = await engine.runModel({ model: spec.model, inputs, outputDir: join(dir, 'out'), reads }, limited);
      const target =
        spec.shuffle?.stage === 'map' ? shufflePrefix(spec.model.name, spec.shuffle.input) : spec.model.name;
      const written = await uploadOutput(objects, target, spec.snapshot, attemptTag, output, limited);
      return { columns: output.columns, rows: output.rows, bytes: output.bytes, files: written };
    } finally {
      // Off the item's critical path: the outputs were moved out already, so what is left is
      // scratch. If this process dies first, the next run's staging sweep removes it.
      void objects.removeStaging(stagingId).catch(() => undefined);
    }
  });
}

/** `run` with `signal`, also aborted once the model's timeout passes (then it fails with EXEC_TIMEOUT). */
async function withTimeout<T>(
  spec: ItemSpec,
  signal: AbortSignal | undefined,
  run: (signal?: AbortSignal) => Promise<T>,
): Promise<T> {
  const limit = spec.model.timeoutMs;
  if (limit === undefined) return run(signal);
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), limit);
  try {
    return await run(signal ? AbortSignal.any([signal, timer.signal]) : timer.signal);
  } catch (err) {
    if (timer.signal.aborted && !signal?.aborted) throw timedOut(spec, limit, err);
    throw err;
  } finally {
    clearTimeout(handle);
  }
}

function timedOut(spec: ItemSpec, limit: number, cause: unknown): SluiceError {
  const { model } = spec;
  return new SluiceError(
    'EXEC_TIMEOUT',
    `${model.file}:${model.location.line}: [model ${model.name}] timed out after ${formatDuration(limit)} ` +
      `(timeout); raise the model's timeout or execution.timeout in sluice.yaml, or make the model cheaper`,
    { cause },
  );
}

/** The relation an input is, adding what it reads to `read` (for metrics) and `reads` (the sandbox). */
async function inputQuery(
  objects: ObjectStore,
  input: ItemInput,
  read: InputFiles[],
  reads: string[],
): Promise<string> {
  if (input.kind === 'files') {
    reads.push(...input.files.paths);
    if (!input.empty) read.push({ format: input.files.format, paths: input.files.paths });
    return `SELECT * FROM ${filesRelationSql(input.files)}${input.empty ? ' WHERE false' : ''}`;
  }
  const paths = await objects.localPaths(input.keys);
  reads.push(...paths);
  read.push({
    format: 'parquet',
    paths,
    ...(input.sizes && { known: input.empty ? { rows: 0, bytes: 0 } : input.sizes }),
  });
  // An empty selection reads one real file with no rows: the column types are the files' own.
  return `${snapshotRelationSql(paths, input.columns, input.partitionBy)}${input.empty ? ' WHERE false' : ''}`;
}

/** Staging folders of a worker start with this. */
export function stagingOwnerPrefix(workerId: string): string {
  return `${workerId.replace(/[^A-Za-z0-9_-]/g, '_')}.`;
}
