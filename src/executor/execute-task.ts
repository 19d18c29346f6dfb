import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import type { ModelDef, Project } from '../core/types.js';
import type { Engine, InputRelation } from '../engine/engine.js';
import { snapshotRelationSql, sourceRelationSql } from '../engine/relation-sql.js';
import type { Manifest } from '../snapshot/manifest.js';
import { publishSnapshot } from '../snapshot/publish-snapshot.js';
import { readCurrentSnapshot } from '../snapshot/read-snapshot.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface TaskContext {
  readonly project: Project;
  readonly engine: Engine;
  readonly objects: ObjectStore;
}

/**
 * Run one task: resolve the model's inputs (sources, and the current snapshot of each upstream
 * model), run it on the engine into a staging folder unique to this attempt, then publish.
 * The staging folder is removed whatever happens.
 */
export async function executeTask(ctx: TaskContext, runId: string, model: ModelDef, signal?: AbortSignal): Promise<Manifest> {
  const inputs = await resolveInputs(ctx, model);
  const attempt = randomBytes(4).toString('hex');
  const stagingId = `${runId}-${model.name}-${attempt}`;
  const dir = await ctx.objects.createStaging(stagingId);
  try {
    const output = await ctx.engine.runModel({ model, inputs, outputDir: join(dir, 'out') }, signal);
    if (signal?.aborted) throw new SluiceError('EXEC_INTERRUPTED', `model ${model.name}: run interrupted before publishing`);
    const previous = await readCurrentSnapshot(ctx.objects, model.name);
    return await publishSnapshot(ctx.objects, { model: model.name, runId, attempt, partitionBy: model.partitionBy, output, previous });
  } finally {
    await ctx.objects.removeStaging(stagingId);
  }
}

async function resolveInputs(ctx: TaskContext, model: ModelDef): Promise<InputRelation[]> {
  const inputs: InputRelation[] = [];
  for (const dep of model.dependsOn) {
    const source = ctx.project.sources.get(dep);
    if (source) {
      inputs.push({ name: dep, query: `SELECT * FROM ${sourceRelationSql(ctx.project.root, source)}` });
      continue;
    }
    const manifest = await readCurrentSnapshot(ctx.objects, dep);
    if (!manifest) {
      throw new SluiceError('PLAN_NOT_BUILT', `model ${model.name} reads ${dep}, which has never been built: run it too (--select +${model.name})`);
    }
    const paths = await ctx.objects.localPaths(manifest.files.map((f) => f.key));
    inputs.push({ name: dep, query: snapshotRelationSql(paths, manifest.columns, manifest.partitionBy) });
  }
  return inputs;
}
