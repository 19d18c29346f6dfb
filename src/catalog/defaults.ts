/** Every default value of sluice.yaml, sources and model headers, in one place. */
export const DEFAULTS = deepFreeze({
  paths: { models: 'models', sources: 'sources', state: '.sluice' },
  storage: {
    objects: 'warehouse',
    /** The metadata store is `sqlite:<paths.state>/<metadataFile>` unless set. */
    metadataFile: 'sluice.db',
  },
  execution: {
    threads: 0,
    memoryLimit: '60%',
    workers: 0,
    leaseSeconds: 60,
    heartbeatSeconds: 20,
    maxItemsPerTask: 64,
    targetItemSize: '64MB',
    retries: { code: 3, infra: 5 },
    backoffSeconds: 1,
    maxBackoffSeconds: 60,
  },
  /** Field report 2's split: three queues of 30% and a default of 10%, each may borrow up to 100%. */
  queues: {
    dimension: { share: 30, maxShare: 100 },
    fact: { share: 30, maxShare: 100 },
    report: { share: 30, maxShare: 100 },
    default: { share: 10, maxShare: 100 },
  } as Record<string, { share: number; maxShare: number }>,
  defaults: { maxTasksPerGroup: 16, stepConcurrency: 4, queue: 'default' },
  source: { hivePartitioning: false, description: '', header: true },
  model: { partitionBy: [] as string[], tags: [] as string[], description: '' },
});

/** `sqlite:<state>/sluice.db`, the default metadata store for a state folder. */
export function defaultMetadataUrl(state: string): string {
  return `sqlite:${state.replace(/[\\/]+$/, '')}/${DEFAULTS.storage.metadataFile}`;
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(value);
}
