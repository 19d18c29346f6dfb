import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors.js';
import type { ModelDef, OnSchemaChange, Problem, Project, ProjectConfig, SourceDef } from '../core/types.js';
import { deepFreeze } from './deep-freeze.js';
import { DEFAULTS } from './defaults.js';
import { durationMs } from './duration.js';
import { CONFIG_FILE } from './find-project-root.js';
import { checkGraph, type GraphModel } from './graph-check.js';
import { listFiles } from './list-files.js';
import { loadConfig, type LoadedConfig } from './load-config.js';
import { loadSources, type DeclaredSource } from './load-sources.js';
import { parseModelFile, type ModelDraft } from './parse-model-file.js';
import { PROBLEM } from './problem-codes.js';
import { projectRelative, readProjectFile, resolveInRoot } from './project-file.js';
import { sourceRootProblems } from './source-roots.js';
import { extractTableRefs, warmUpParser, type RefResult } from './sql-refs.js';

/**
 * Loads the project at `root` into a deeply frozen, validated `Project`. Throws SluiceError
 * CONFIG_NOT_FOUND without `sluice.yaml`, and a ValidationError listing every problem found.
 * `config`: `sluice.yaml` as `loadConfig(root)` already read it (it is not read again).
 */
export async function loadProject(root: string, opts: { readonly config?: LoadedConfig } = {}): Promise<Project> {
  const absRoot = resolve(root);
  warmUpParser(); // ready by the time the model files are read
  const config = opts.config ?? loadConfig(absRoot);
  const problems: Problem[] = [...config.problems];

  const sources = loadSources(absRoot, config.paths.sources);
  problems.push(...sources.problems, ...duplicateSources(sources.declared));

  const drafts = readModels(absRoot, config.paths.models, problems);
  const models = firstByName(drafts, problems);
  problems.push(...nameConflicts(models, sources.declared));

  const parsed = drafts.filter((d) => d.sql !== undefined);
  const results = await extractTableRefs(parsed.map((d) => d.sql!));
  const graph: GraphModel[] = [];
  const refsByFile = new Map<string, readonly string[]>();
  parsed.forEach((draft, i) => {
    const result = results[i]!;
    if (!result.ok) {
      problems.push(sqlProblem(draft, result));
      return;
    }
    problems.push(...fileReadProblems(draft, result.fileReads));
    const refs = result.refs.map((r) => ({ name: r.name, line: lineOf(draft, r.offset) }));
    refsByFile.set(draft.file, [...new Set(result.refs.map((r) => r.name))].sort());
    if (models.get(draft.name) === draft) graph.push({ name: draft.name, file: draft.file, refs });
  });
  problems.push(...checkGraph(graph, sources.declared.map((s) => s.name).concat([...models.keys()])));

  if (config.config) problems.push(...unknownQueues(models, config.config));
  if (config.config) problems.push(...sourceRootProblems(absRoot, config.config, sources.sources));
  if (problems.length > 0 || !config.config) throw new ValidationError(sortProblems(problems));
  const timeoutMs = config.config.execution.timeoutMs;

  const queueOf = queueResolver(config.config);
  const policy = config.config.defaults.onSchemaChange ?? 'fail';
  const modelDefs: ModelDef[] = [...models.values()].map((d) =>
    toModelDef(d, refsByFile.get(d.file) ?? [], queueOf(d.header!), timeoutMs, policy),
  );
  return deepFreeze({
    root: absRoot,
    config: config.config,
    sources: new Map(sortByName(sources.sources).map((s) => [s.name, s] as const)),
    models: new Map(sortByName(modelDefs).map((m) => [m.name, m] as const)),
  });
}

function readModels(root: string, modelsPath: string, problems: Problem[]): ModelDraft[] {
  const dir = resolveInRoot(root, modelsPath);
  if (!existsSync(dir)) return [];
  const drafts: ModelDraft[] = [];
  for (const rel of listFiles(dir, ['.sql'])) {
    const abs = join(dir, rel);
    const file = projectRelative(root, abs);
    const text = readProjectFile(abs, file, problems);
    if (text === undefined) continue;
    const { draft, problems: fileProblems } = parseModelFile(text, file);
    problems.push(...fileProblems);
    drafts.push(draft);
  }
  return drafts;
}

/** The first model file of each name; later files with the same name are problems naming all. */
function firstByName(drafts: readonly ModelDraft[], problems: Problem[]): Map<string, ModelDraft> {
  const groups = new Map<string, ModelDraft[]>();
  for (const d of drafts) groups.set(d.name, [...(groups.get(d.name) ?? []), d]);
  const first = new Map<string, ModelDraft>();
  for (const [name, group] of groups) {
    first.set(name, group[0]!);
    if (group.length < 2) continue;
    problems.push({
      code: PROBLEM.duplicateModel,
      file: group[1]!.file,
      line: 1,
      model: name,
      message: `duplicate model name '${name}': ${group.map((d) => d.file).join(' and ')} have the same base name`,
    });
  }
  return first;
}

function duplicateSources(declared: readonly DeclaredSource[]): Problem[] {
  const groups = new Map<string, DeclaredSource[]>();
  for (const s of declared) groups.set(s.name, [...(groups.get(s.name) ?? []), s]);
  return [...groups.values()]
    .filter((g) => g.length > 1)
    .map((g) => ({
      code: PROBLEM.duplicateSource,
      file: g[1]!.file,
      line: g[1]!.line,
      key: `sources.${g[0]!.name}`,
      message: `duplicate source name '${g[0]!.name}': declared at ${g.map((s) => `${s.file}:${s.line}`).join(' and ')}`,
    }));
}

function nameConflicts(models: ReadonlyMap<string, ModelDraft>, declared: readonly DeclaredSource[]): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const s of declared) {
    const model = models.get(s.name);
    if (!model || seen.has(s.name)) continue;
    seen.add(s.name);
    out.push({
      code: PROBLEM.nameConflict,
      file: model.file,
      line: model.line,
      model: model.name,
      message: `model '${s.name}' has the same name as the source declared at ${s.file}:${s.line}; rename one of them`,
    });
  }
  return out;
}

/**
 * A model's queue: its header's `queue`; else the queue named after its type, if configured;
 * else `defaults.queue`.
 */
function queueResolver(config: ProjectConfig): (h: NonNullable<ModelDraft['header']>) => string {
  const queues = new Set(config.queues.map((q) => q.name));
  return (h) => h.queue ?? (queues.has(h.type) ? h.type : config.defaults.queue);
}

/** A model's queue must be one of the configured queues. */
function unknownQueues(models: ReadonlyMap<string, ModelDraft>, config: ProjectConfig): Problem[] {
  const out: Problem[] = [];
  const queues = new Set(config.queues.map((q) => q.name));
  const queueOf = queueResolver(config);
  for (const m of models.values()) {
    if (!m.header) continue;
    const queue = queueOf(m.header);
    if (queues.has(queue)) continue;
    out.push({
      code: PROBLEM.invalidValue,
      file: m.file,
      line: m.line,
      model: m.name,
      key: 'queue',
      message: `queue '${queue}'${m.header.queue ? '' : ' (the default: defaults.queue)'} is not configured; configured queues: ${[...queues].join(', ')} (sluice.yaml queues:)`,
    });
  }
  return out;
}

function lineOf(draft: ModelDraft, offset: number): number {
  let line = draft.sqlLine;
  const sql = draft.sql ?? '';
  for (let i = sql.indexOf('\n'); i >= 0 && i < offset; i = sql.indexOf('\n', i + 1)) line++;
  return line;
}

const SQL_CODES = {
  syntax: PROBLEM.sqlSyntax,
  not_select: PROBLEM.notSelect,
  multiple_statements: PROBLEM.multipleStatements,
  empty: PROBLEM.emptySql,
} as const;

function sqlProblem(draft: ModelDraft, result: Extract<RefResult, { ok: false }>): Problem {
  return {
    code: SQL_CODES[result.reason],
    file: draft.file,
    line: result.offset === undefined ? draft.sqlLine : lineOf(draft, result.offset),
    model: draft.name,
    message: result.reason === 'syntax' ? `SQL syntax error: ${result.message}` : result.message,
  };
}

/** Model SQL reads only declared sources and models (docs/adr/0014-sandbox.md). */
function fileReadProblems(draft: ModelDraft, reads: Extract<RefResult, { ok: true }>['fileReads']): Problem[] {
  return reads.map((r) => ({
    code: PROBLEM.fileRead,
    file: draft.file,
    line: lineOf(draft, r.offset),
    model: draft.name,
    message:
      `${r.what} reads files directly, which models may not do; declare the files as a source ` +
      `in sources/*.yml and select from the source by name`,
  }));
}

function toModelDef(
  draft: ModelDraft,
  dependsOn: readonly string[],
  queue: string,
  timeoutMs: number,
  onSchemaChange: OnSchemaChange,
): ModelDef {
  const h = draft.header!;
  return {
    name: draft.name,
    file: draft.file,
    sql: draft.sql!,
    sqlLine: draft.sqlLine,
    type: h.type,
    businessUnit: h.business_unit,
    partitionBy: h.partition_by ?? [...DEFAULTS.model.partitionBy],
    queue,
    tags: h.tags ?? [...DEFAULTS.model.tags],
    description: h.description ?? DEFAULTS.model.description,
    splitBy: h.split_by ?? null,
    incremental: h.incremental ?? null,
    onSchemaChange: h.on_schema_change ?? onSchemaChange,
    uniqueKey: h.unique_key === undefined ? [] : typeof h.unique_key === 'string' ? [h.unique_key] : [...h.unique_key],
    resources: {
      ...(h.resources?.cpus !== undefined ? { cpus: h.resources.cpus } : {}),
      ...(h.resources?.memory !== undefined ? { memory: h.resources.memory } : {}),
    },
    dependsOn,
    timeoutMs: h.timeout === undefined ? timeoutMs : durationMs(h.timeout)!,
    location: { file: draft.file, line: draft.line },
  };
}

function sortByName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `sluice.yaml` first, then by file and line (stable for problems on the same line). */
function sortProblems(problems: readonly Problem[]): Problem[] {
  const rank = (p: Problem): string => (p.file === CONFIG_FILE ? '' : `~${p.file ?? ''}`);
  return [...problems].sort((a, b) => {
    const fa = rank(a);
    const fb = rank(b);
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.line ?? 0) - (b.line ?? 0);
  });
}
