import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The runtime exports of src/index.ts and their kinds (types are checked by the compiler). */
const EXPECTED: Record<string, string> = {
  runProject: 'function',
  loadProject: 'function',
  createMetadataStore: 'function',
  createObjectStore: 'function',
  readCurrentSnapshot: 'function',
  parseManifest: 'function',
  formatProblem: 'function',
  SluiceError: 'function',
  ValidationError: 'function',
  runResultSchema: 'object',
  taskOutcomeSchema: 'object',
  runEventSchema: 'object',
  RUN_RESULT_SCHEMA: 'string',
  MANIFEST_SCHEMA: 'string',
  PLAN_SCHEMA: 'string',
  EXPLAIN_SCHEMA: 'string',
  COST_SCHEMA: 'string',
  STATS_SCHEMA: 'string',
  ALERT_SCHEMA: 'string',
};

// Imports the built package the way a user does, in a fresh process: exactly the listed names,
// a store that opens, an error with its code, a document schema that parses.
const PROBE = `
const m = await import(process.argv[1]);
const kinds = Object.fromEntries(Object.keys(m).map((k) => [k, typeof m[k]]));
const store = m.createMetadataStore('sqlite::memory:', process.cwd());
await store.migrate();
await store.close();
const err = new m.SluiceError('CLI_USAGE', 'x');
const doc = { schema: m.RUN_RESULT_SCHEMA, runId: 'r', project: 'p', selector: '*', interval: null, status: 'succeeded',
  startedAt: 1, endedAt: 2, durationMs: 1, tasks: [], counts: { pending: 0, running: 0, succeeded: 0, skipped: 0, failed: 0, not_run: 0 } };
console.log(JSON.stringify({ kinds, code: err.code, isError: err instanceof Error, parses: m.runResultSchema.safeParse(doc).success }));
`;

test(
  'npm run build gives dist/index.js with the public API, importable as package.json declares',
  { timeout: 180_000 },
  () => {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string };
    assert.ok(existsSync(join(ROOT, pkg.main)), `${pkg.main} is built`);
    assert.ok(existsSync(join(ROOT, pkg.types)), `${pkg.types} is built`);
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, join(ROOT, pkg.main)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const probe = JSON.parse(out) as { kinds: Record<string, string>; code: string; isError: boolean; parses: boolean };
    assert.deepEqual(probe.kinds, EXPECTED, 'exactly the listed exports, each of its kind');
    assert.deepEqual([probe.code, probe.isError, probe.parses], ['CLI_USAGE', true, true]);
  },
);
