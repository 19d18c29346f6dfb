import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/run-cli.js';
import { fileDigests } from '../../helpers/snapshot-digest.js';
import { buildBaseProject, type BaseProject } from './base-project.js';
import type { BadInputCase } from './case.js';

/** Every `cases-*.ts` beside this file. */
async function loadCases(): Promise<BadInputCase[]> {
  const dir = new URL('.', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => /^cases-.*\.ts$/.test(f))
    .sort();
  const all: BadInputCase[] = [];
  for (const f of files) all.push(...((await import(new URL(f, dir).href)) as { cases: BadInputCase[] }).cases);
  return all;
}

const cases = await loadCases();
/** A JavaScript stack frame in user-facing output: an internal error leaked. */
const STACK_FRAME = /^\s+at .+[(/].+:\d+:\d+\)?$/m;

/** Published data per file, without the models a case may rebuild. */
function published(warehouse: string, mayPublish: readonly string[]): Record<string, string> {
  const all = fileDigests(warehouse);
  return Object.fromEntries(Object.entries(all).filter(([k]) => !mayPublish.some((m) => k.startsWith(`${m}/`))));
}

describe(`bad input: ${cases.length} cases, each a clear error, the documented exit code, published data intact`, () => {
  let base: BaseProject;
  before(async () => {
    base = await buildBaseProject();
  });
  after(() => base?.cleanup());

  it('has unique case names', () => {
    const names = cases.map((c) => c.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
  });

  for (const c of cases) {
    it(c.name, { timeout: (c.timeoutMs ?? 60_000) + 30_000 }, async () => {
      base.reset();
      for (const rel of c.remove ?? []) rmSync(join(base.root, rel), { recursive: true, force: true });
      for (const [rel, content] of Object.entries(c.files ?? {})) base.write(rel, content);
      await c.setup?.(base);
      const before = published(base.warehouse, c.mayPublish ?? []);
      const args = c.args.map((a) => a.replaceAll('@root', base.root).replaceAll('@warehouse', base.warehouse));
      const out = await runCli(args, { env: { ...c.env } });
      const text = `${out.stderr}${out.stdout}`;
      assert.equal(out.code, c.exit, `exit code of sluice ${args.join(' ')}:\n${text}`);
      assert.match(text, c.message);
      if (c.forbid) assert.doesNotMatch(text, c.forbid);
      assert.doesNotMatch(text, STACK_FRAME, 'no stack trace in the output');
      assert.doesNotMatch(text, /internal error/);
      assert.deepEqual(published(base.warehouse, c.mayPublish ?? []), before, 'published data is byte-identical');
    });
  }
});
