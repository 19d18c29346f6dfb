import { cpus, totalmem } from 'node:os';
import { SluiceError } from '../core/errors.js';

/** How a DuckDB instance is configured. Every setting is explicit (docs/adr/0003). */
export interface EngineSettings {
  readonly threads: number;
  /** DuckDB size string, e.g. `14000MB`. */
  readonly memoryLimit: string;
  /** Where DuckDB spills joins, aggregates and sorts that exceed the memory limit. */
  readonly tempDirectory: string;
}

/**
 * Resolve configured values: threads 0 means one per core; memory as `NN%` of this machine's
 * RAM (shared by `shareOf` engines running at once) or a DuckDB size like `4GB`.
 */
export function resolveEngineSettings(opts: { threads: number; memoryLimit: string; tempDirectory: string; shareOf?: number }): EngineSettings {
  const threads = opts.threads > 0 ? opts.threads : Math.max(1, cpus().length);
  return { threads, memoryLimit: resolveMemoryLimit(opts.memoryLimit, opts.shareOf ?? 1), tempDirectory: opts.tempDirectory };
}

export function resolveMemoryLimit(value: string, shareOf = 1): string {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (pct) {
    const fraction = Number(pct[1]) / 100;
    if (!(fraction > 0 && fraction <= 0.95)) throw new SluiceError('CONFIG_INVALID', `execution.memory_limit: ${value} must be between 1% and 95%`);
    return `${Math.max(64, Math.floor((totalmem() * fraction) / shareOf / 2 ** 20))}MB`;
  }
  if (/^\d+(?:\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(value.trim())) return value.trim();
  throw new SluiceError('CONFIG_INVALID', `execution.memory_limit: '${value}' is neither a percentage (60%) nor a size (4GB)`);
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
