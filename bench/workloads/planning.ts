import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { quoteLiteral } from '../../src/engine/sql-quote.js';
import type { loadProject as LoadProject } from '../../src/catalog/load-project.js';
import type { buildPlan as BuildPlan } from '../../src/planner/build-plan.js';
import type { openEngine as OpenEngine } from '../../src/runtime/open-runtime.js';
import { childMain, runInChild } from '../child.js';
import type { PlanningResult as PlanningSummary } from '../results.js';
import { summarise } from '../stats.js';

/**
 * Planning at scale: a generated project of `chains` x `depth` model files over ten small
 * Parquet sources. Each chain starts from a source; every later model joins its predecessor with
 * a source, and every fifth level also reads the previous level of the next chain, so the graph
 * crosses chains and groups. Timed in its own process: `loadProject` (read, parse headers, find
 * references with DuckDB's parser, check the graph), `buildPlan` (graph, groups, selection) and,
 * separately, the validate bind check (every model bound as a view against the real sources).
 */
export interface PlanningShape {
  readonly chains: number;
  readonly depth: number;
}

export const PLANNING: PlanningShape = { chains: 500, depth: 20 };
const SOURCES = 10;

function modelName(chain: number, level: number): string {
  return `p_${String(chain).padStart(4, '0')}_${String(level).padStart(2, '0')}`;
}

/** Writes the project into `dir` (emptied first); returns the number of models. */
export async function writePlanningProject(dir: string, shape: PlanningShape = PLANNING): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'sources'), { recursive: true });
  writeFileSync(join(dir, 'sluice.yaml'), 'name: planning\n');
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await instance.connect();
  let yaml = 'sources:\n';
  for (let s = 0; s < SOURCES; s++) {
    const file = join(dir, 'data', `src_${s}.parquet`);
    await conn.run(
      `COPY (SELECT i AS id, i * ${s + 1} AS v, 'k' || (i % 7) AS k FROM range(100) t(i)) TO ${quoteLiteral(file)} (FORMAT parquet)`,
    );
    yaml += `  src_${s}:\n    format: parquet\n    path: data/src_${s}.parquet\n`;
  }
  conn.closeSync();
  instance.closeSync();
  writeFileSync(join(dir, 'sources', 'sources.yml'), yaml);

  const types = ['dimension', 'fact', 'report'] as const;
  for (let c = 0; c < shape.chains; c++) {
    const folder = join(dir, 'models', `bu${c % 20}`, `chain_${String(c).padStart(4, '0')}`);
    mkdirSync(folder, { recursive: true });
    for (let l = 0; l < shape.depth; l++) {
      const type = types[Math.min(2, Math.floor((l * 3) / shape.depth))]!;
      const header = `/*---\ntype: ${type}\nbusiness_unit: bu${c % 20}\ntags: [level_${l % 4}]\ndescription: Model ${l} of chain ${c}.\n---*/\n`;
      const src = `src_${(c + l) % SOURCES}`;
      let sql: string;
      if (l === 0) sql = `select id, v, k from ${src}\nwhere v >= 0\n`;
      else {
        const cross = l % 5 === 0 && c + 1 < shape.chains ? `\njoin ${modelName(c + 1, l - 1)} n using (id)` : '';
        sql = `with prev as (\n  select id, v, k from ${modelName(c, l - 1)}\n)\nselect p.id, p.v + s.v as v, p.k\nfrom prev p\njoin ${src} s using (id)${cross}\n`;
      }
      writeFileSync(join(folder, `${modelName(c, l)}.sql`), header + sql);
    }
  }
  return shape.chains * shape.depth;
}

export interface PlanningJob {
  readonly root: string;
  /** Where the sluice under test lives (SluiceBuild.dir). */
  readonly build: string;
  readonly bindCheck: boolean;
}

export interface PlanningResult {
  readonly models: number;
  readonly groups: number;
  readonly loadMs: number;
  readonly planMs: number;
  /** The validate bind check, when asked for. */
  readonly bindMs: number | null;
  readonly bindProblems: number | null;
}

export async function timePlanning(job: PlanningJob): Promise<PlanningResult> {
  const load = async <T>(path: string) => (await import(pathToFileURL(join(job.build, path)).href)) as T;
  const { loadProject } = await load<{ loadProject: typeof LoadProject }>('catalog/load-project.js');
  const { buildPlan } = await load<{ buildPlan: typeof BuildPlan }>('planner/build-plan.js');
  const { openEngine } = await load<{ openEngine: typeof OpenEngine }>('runtime/open-runtime.js');
  let t = performance.now();
  const project = await loadProject(job.root);
  const loadMs = performance.now() - t;
  t = performance.now();
  const plan = buildPlan(project);
  const planMs = performance.now() - t;
  let bindMs: number | null = null;
  let bindProblems: number | null = null;
  if (job.bindCheck) {
    t = performance.now();
    const engine = await openEngine(project);
    try {
      bindProblems = (await engine.checkBindings(project, plan.graph.order)).length;
    } finally {
      await engine.close();
    }
    bindMs = performance.now() - t;
  }
  return { models: plan.models.length, groups: plan.groups.length, loadMs, planMs, bindMs, bindProblems };
}

export interface PlanningOptions {
  readonly runs: number;
  readonly build: string;
  /** Chains of the project the bind check runs on (same depth); the full shape in the full suite. */
  readonly bindChains: number;
  readonly log: (line: string) => void;
}

const SELF = import.meta.url;

/** Times loading and planning `runs` times in fresh processes, then the bind check once. */
export async function benchPlanning(
  dir: string,
  shape: PlanningShape,
  opts: PlanningOptions,
): Promise<PlanningSummary> {
  const models = await writePlanningProject(dir, shape);
  const load: number[] = [];
  const plan: number[] = [];
  const rss: number[] = [];
  let groups = 0;
  for (let run = 1; run <= opts.runs; run++) {
    const r = await runInChild<PlanningResult>(SELF, {
      root: dir,
      build: opts.build,
      bindCheck: false,
    } satisfies PlanningJob);
    load.push(r.result.loadMs);
    plan.push(r.result.planMs);
    rss.push(r.treeRssMb);
    groups = r.result.groups;
    opts.log(
      `  planning (${models} models)  run ${run}/${opts.runs}: load ${(r.result.loadMs / 1000).toFixed(2)}s  plan ${(r.result.planMs / 1000).toFixed(2)}s`,
    );
  }
  const bindShape = { chains: Math.min(opts.bindChains, shape.chains), depth: shape.depth };
  const bindDir = bindShape.chains === shape.chains ? dir : `${dir}-bind`;
  const bindModels = bindDir === dir ? models : await writePlanningProject(bindDir, bindShape);
  const b = await runInChild<PlanningResult>(SELF, {
    root: bindDir,
    build: opts.build,
    bindCheck: true,
  } satisfies PlanningJob);
  const bindNote = b.result.bindProblems === 0 ? 'every model bound' : `${b.result.bindProblems} problem(s) reported`;
  opts.log(
    `  planning: bind check of ${bindModels} models ${((b.result.bindMs ?? 0) / 1000).toFixed(2)}s (${bindNote})`,
  );
  if (bindDir !== dir) rmSync(bindDir, { recursive: true, force: true });
  return {
    models,
    groups,
    loadMs: summarise(load),
    planMs: summarise(plan),
    totalMs: summarise(load.map((l, i) => l + plan[i]!)),
    maxRssMb: summarise(rss),
    bind: { models: bindModels, ms: b.result.bindMs, note: bindNote },
  };
}

childMain(import.meta.url, timePlanning);
