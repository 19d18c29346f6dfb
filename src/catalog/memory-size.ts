const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)$/i;
const PERCENT = /^(\d{1,2})%$/;

/** A DuckDB memory size such as `4GB`, `512MB` or `1.5GiB` (greater than zero). */
export function isMemorySize(value: string): boolean {
  const m = SIZE.exec(value.trim());
  return m !== null && Number(m[1]) > 0;
}

/** A memory limit: a share of RAM `NN%` (1 to 95) or a DuckDB size. */
export function isMemoryLimit(value: string): boolean {
  const p = PERCENT.exec(value.trim());
  if (p) {
    const n = Number(p[1]);
    return n >= 1 && n <= 95;
  }
  return isMemorySize(value);
}
