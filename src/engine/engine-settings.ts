import { cpus, totalmem } from 'node:os';
import { SluiceError } from '../core/errors.js';
import { parseMemory } from '../core/parse-memory.js';

/** How a DuckDB instance is configured. Every setting is explicit (docs/adr/0003). */
export interface EngineSettings {
  readonly threads: number;
  /** DuckDB size string, e.g. `14000MB`. */
  readonly memoryLimit: string;
  /** Where DuckDB spills joins, aggregates and sorts that exceed the memory limit. */
  readonly tempDirectory: string;
}

/**
 * Resolve configured values: threads 0 means one per core; memory by resolveMemoryLimit.
 * `shareOf`: workers running at once on this machine; `machineBytes`: the memory they have
 * (default: this machine's RAM; a `sluice worker --memory 8GB` has 8GB).
 */
export function resolveEngineSettings(opts: {
  threads: number;
  memoryLimit: string;
  tempDirectory: string;
  shareOf?: number;
  machineBytes?: number;
}): EngineSettings {
  const threads = opts.threads > 0 ? opts.threads : Math.max(1, cpus().length);
  const memoryLimit = resolveMemoryLimit(opts.memoryLimit, opts.shareOf ?? 1, opts.machineBytes);
  return { threads, memoryLimit, tempDirectory: opts.tempDirectory };
}

/**
 * `execution.memory_limit` is one rule for sizes and percentages: it is the total for the
 * workers of one machine (a percentage of `machineBytes`, or a size), divided evenly among the
 * `shareOf` workers running there at once. `sluice run` divides it among its local workers; a
 * `sluice worker` is one worker with `machineBytes` = its `--memory`, else the RAM. The result is
 * one worker's DuckDB memory_limit in MB, at least 64MB.
 */
export function resolveMemoryLimit(value: string, shareOf = 1, machineBytes = totalmem()): string {
  const v = value.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(v);
  let total: number;
  if (pct) {
    const fraction = Number(pct[1]) / 100;
    if (!(fraction > 0 && fraction <= 0.95)) {
      throw new SluiceError('CONFIG_INVALID', `execution.memory_limit: ${value} must be between 1% and 95%`);
    }
    total = machineBytes * fraction;
  } else if (/^\d+(?:\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v)) {
    total = parseMemory(v);
  } else {
    const why = 'is neither a percentage (60%) nor a size (4GB)';
    throw new SluiceError('CONFIG_INVALID', `execution.memory_limit: '${value}' ${why}`);
  }
  return `${Math.max(64, Math.floor(total / Math.max(1, shareOf) / 2 ** 20))}MB`;
}

/** Options passed to `DuckDBInstance.create`. Extension downloads are always off. */
export function duckdbOptions(s: EngineSettings): Record<string, string> {
  return {
    threads: String(s.threads),
    memory_limit: s.memoryLimit,
    temp_directory: s.tempDirectory,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    enable_external_access: 'true',
  };
}
