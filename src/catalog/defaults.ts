/** Every default value of sluice.yaml, sources and model headers, in one place. */
export const DEFAULTS = deepFreeze({
  paths: { models: 'models', sources: 'sources', state: '.sluice', allowedRoots: [] as string[] },
  storage: {
    objects: 'warehouse',
    /** The metadata store is `sqlite:<paths.state>/<metadataFile>` unless set. */
    metadataFile: 'sluice.db',
    /** An s3:// object store keeps its download cache and staging folders in `<paths.state>/<folder>`. */
    s3: { cacheFolder: 's3-cache', stagingFolder: 's3-staging', cacheMaxBytes: 10 * 1024 ** 3 },
  },
  execution: {
    threads: 0,
    memoryLimit: '60%',
    workers: 0,
    leaseSeconds: 60,
    heartbeatSeconds: 20,
    maxItemsPerTask: 64,
    targetItemSize: '64MB',
    broadcastThreshold: '1GB',
    retries: { code: 1, infra: 5 },
    backoffSeconds: 1,
    maxBackoffSeconds: 60,
    /** execution.timeout: how long one work item may run. */
    timeout: '1h',
  },
  /** Field report 2's split: three queues of 30% and a default of 10%, each may borrow up to 100%. */
  queues: {
    dimension: { share: 30, maxShare: 100 },
    fact: { share: 30, maxShare: 100 },
    report: { share: 30, maxShare: 100 },
    default: { share: 10, maxShare: 100 },
  } as Record<string, { share: number; maxShare: number }>,
  /** Settings of a schedule that neither it nor `defaults.schedule` sets (docs/guide.md#schedules). */
  schedule: {
    timezone: 'UTC',
    catchup: true,
    maxActiveRuns: 1,
    priority: 0,
    retries: { code: 1, infra: 3 },
    retryBackoff: '1m',
    maxRetryBackoff: '1h',
  },
  defaults: { maxTasksPerGroup: 16, stepConcurrency: 4, queue: 'default', onSchemaChange: 'fail' as const },
  /**
   * The price catalogue (docs/guide.md#cost), US East list prices in USD:
   * - on demand: AWS Fargate, Linux/x86, per vCPU-hour and per GB-hour (aws.amazon.com/fargate/pricing);
   * - spot: Fargate Spot, ~70% below on demand (the same page; spot prices move);
   * - managed uplift: Amazon EMR's charge on an m5.xlarge, $0.048 on $0.192 per hour = 25%
   *   (aws.amazon.com/emr/pricing);
   * - object store: S3 Standard, $0.005 per 1,000 PUT/COPY/POST/LIST, $0.0004 per 1,000 GET,
   *   $0.023 per GB-month (aws.amazon.com/s3/pricing).
   */
  alerts: { retries: 3, backoffSeconds: 1, timeoutSeconds: 5, anomaly: { factor: 3, minRuns: 3 } },
  cost: {
    currency: 'USD',
    pricing: 'on_demand' as 'on_demand' | 'spot',
    onDemand: { coreHour: 0.04048, gibHour: 0.004445 },
    spot: { coreHour: 0.012144, gibHour: 0.0013335 },
    managedUpliftPct: 25,
    objectStore: { writePer1000: 0.005, readPer1000: 0.0004, gibMonth: 0.023 },
  },
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
