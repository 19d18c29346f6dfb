import { SluiceError } from './errors.js';
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `2GB` -> bytes (DuckDB's units: KB = 1000, KiB = 1024). */
export function parseMemory(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new SluiceError('CONFIG_INVALID', `not a memory size: '${value}'`);
  return Math.round(Number(m[1]) * unit);
}
