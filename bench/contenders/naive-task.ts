import { fileURLToPath } from 'node:url';

/**
 * The program each naive task runs: a fresh `node` process (plain JavaScript, no TypeScript
 * loader, so start-up costs what node and DuckDB cost) that creates a new DuckDB instance with
 * the given options and runs the statements in order. It prints its result line in the form
 * `runInChild` reads (see child.ts).
 */
export interface NaiveTaskJob {
  /** Options for DuckDBInstance.create (duckdbOptions of the engine settings). */
  readonly options: Readonly<Record<string, string>>;
  readonly tempDirectory: string;
  readonly statements: readonly string[];
}

export const NAIVE_TASK_SOURCE = `
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readFileSync } from 'node:fs';
const job = JSON.parse(process.argv[1]);
const started = performance.now();
mkdirSync(job.tempDirectory, { recursive: true });
const instance = await DuckDBInstance.create(':memory:', job.options);
const conn = await instance.connect();
for (const sql of job.statements) await conn.run(sql);
conn.closeSync();
instance.closeSync();
const result = { ms: performance.now() - started };
// VmHWM, not maxRSS: Linux keeps ru_maxrss across fork and exec (see bench/child.ts peakRssKb).
const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
process.stdout.write('\\n@@bench-result ' + JSON.stringify({ result, maxRssKb: hwm === undefined ? process.resourceUsage().maxRSS : Number(hwm) }) + '\\n');
`;

/** The repository root, where \`node_modules/@duckdb/node-api\` resolves from. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
