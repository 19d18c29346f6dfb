import { createHash } from 'node:crypto';

/**
 * OpenLineage RunEvents (spec 2-0-2, openlineage.io/spec/2-0-2/OpenLineage.json): one job per
 * model (`namespace` = the project's lineage namespace, `name` = the model), one OpenLineage run
 * per task, START when its first item is claimed and COMPLETE or FAIL when it ends. The parent
 * facet links every task to its sluice run (job `<project>`). Pure: no I/O.
 */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
/** The producer URI (required by the spec): sluice and its version. */
export const PRODUCER = 'urn:sluice:0.1.0';

const FACETS = 'https://openlineage.io/spec/facets';
const facet = (path: string) => ({ _producer: PRODUCER, _schemaURL: `${FACETS}/${path}` });

export interface Dataset {
  readonly namespace: string;
  readonly name: string;
  readonly facets?: Record<string, unknown>;
  readonly outputFacets?: Record<string, unknown>;
}

export interface RunEvent {
  readonly eventType: 'START' | 'COMPLETE' | 'FAIL';
  readonly eventTime: string;
  readonly run: { readonly runId: string; readonly facets: Record<string, unknown> };
  readonly job: { readonly namespace: string; readonly name: string; readonly facets: Record<string, unknown> };
  readonly inputs: readonly Dataset[];
  readonly outputs: readonly Dataset[];
  readonly producer: string;
  readonly schemaURL: string;
}

/** A stable UUID (version 5 layout, SHA-1 of the name) for a sluice run or task. */
export function lineageRunId(name: string): string {
  const h = createHash('sha1').update(`sluice:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface TaskEventInput {
  readonly eventType: RunEvent['eventType'];
  readonly at: Date;
  readonly namespace: string;
  /** The sluice run id and the model. */
  readonly runId: string;
  readonly model: string;
  readonly sql: string;
  readonly inputs: readonly Dataset[];
  readonly output: Dataset;
  readonly rowsOut?: number | null;
  readonly bytesOut?: number | null;
  readonly error?: string | null;
}

export function taskRunEvent(e: TaskEventInput): RunEvent {
  const runFacets: Record<string, unknown> = {
    parent: {
      ...facet('1-0-1/ParentRunFacet.json#/$defs/ParentRunFacet'),
      run: { runId: lineageRunId(e.runId) },
      job: { namespace: e.namespace, name: e.namespace },
    },
  };
  if (e.eventType === 'FAIL') {
    runFacets.errorMessage = {
      ...facet('1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet'),
      message: e.error ?? 'failed',
      programmingLanguage: 'SQL',
    };
  }
  const output: Dataset =
    e.eventType === 'COMPLETE' && e.rowsOut != null
      ? {
          ...e.output,
          outputFacets: {
            outputStatistics: {
              ...facet('1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet'),
              rowCount: e.rowsOut,
              ...(e.bytesOut != null && { size: e.bytesOut }),
            },
          },
        }
      : e.output;
  return {
    eventType: e.eventType,
    eventTime: e.at.toISOString(),
    run: { runId: lineageRunId(`${e.runId}/${e.model}`), facets: runFacets },
    job: {
      namespace: e.namespace,
      name: e.model,
      facets: {
        jobType: {
          ...facet('2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet'),
          processingType: 'BATCH',
          integration: 'SLUICE',
          jobType: 'MODEL',
        },
        sql: { ...facet('1-0-1/SQLJobFacet.json#/$defs/SQLJobFacet'), query: e.sql },
      },
    },
    inputs: e.inputs,
    outputs: [output],
    producer: PRODUCER,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
  };
}
