/** Every default value of sluice.yaml, sources and model headers, in one place. */
export const DEFAULTS = deepFreeze({
  paths: { models: 'models', sources: 'sources', state: '.sluice' },
  storage: {
    objects: 'warehouse',
    /** The metadata store is `sqlite:<paths.state>/<metadataFile>` unless set. */
    metadataFile: 'sluice.db',
  },
  execution: { threads: 0, memoryLimit: '60%', workers: 0 },
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
