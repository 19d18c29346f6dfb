import { isAbsolute, resolve } from 'node:path';
import type { Project } from '../core/types.js';
import type { Dataset } from '../observability/lineage/lineage-event.js';
import { taskRunEvent } from '../observability/lineage/lineage-event.js';
import { LineageTransport } from '../observability/lineage/lineage-transport.js';
import type { RunEvent } from '../protocol/run-event.js';

export interface RunLineage {
  onEvent(event: RunEvent): void;
  /** Wait for every event sent; returns the failures (never throws). */
  flush(): Promise<string[]>;
}

/**
 * OpenLineage events for a run's tasks, when `lineage:` is configured: START when a task's
 * first item is claimed, COMPLETE or FAIL when it ends (not-run tasks send nothing). Datasets:
 * models in the object store's namespace (its URI), sources as `file` paths (as declared, absolute).
 */
export function startRunLineage(project: Project, objectsUri: string): RunLineage | undefined {
  const config = project.config.lineage;
  if (!config) return undefined;
  const transport = new LineageTransport({
    url: config.url,
    file: config.file === null ? null : isAbsolute(config.file) ? config.file : resolve(project.root, config.file),
    timeoutMs: config.timeoutMs,
    retries: config.retries,
  });
  const dataset = (name: string): Dataset => {
    const source = project.sources.get(name);
    if (source)
      return { namespace: 'file', name: isAbsolute(source.path) ? source.path : resolve(project.root, source.path) };
    return { namespace: objectsUri, name };
  };
  let runId = '';
  const emit = (
    eventType: 'START' | 'COMPLETE' | 'FAIL',
    modelName: string,
    extra: { rowsOut?: number | null; bytesOut?: number | null; error?: string | null } = {},
  ) => {
    const model = project.models.get(modelName);
    if (!model) return;
    transport.emit(
      taskRunEvent({
        eventType,
        at: new Date(),
        namespace: config.namespace,
        runId,
        model: modelName,
        sql: model.sql,
        inputs: model.dependsOn.map(dataset),
        output: dataset(modelName),
        ...extra,
      }),
    );
  };
  return {
    onEvent(event) {
      if (event.kind === 'run_started') runId = event.runId;
      else if (event.kind === 'task_started') emit('START', event.model);
      else if (
        event.kind === 'task_finished' &&
        (event.task.status === 'succeeded' || event.task.status === 'failed')
      ) {
        const t = event.task;
        emit(t.status === 'succeeded' ? 'COMPLETE' : 'FAIL', t.model, {
          rowsOut: t.rowsOut,
          bytesOut: t.bytesOut,
          error: t.error,
        });
      }
    },
    flush: () => transport.flush(),
  };
}
