import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem, SourceDef } from '../core/types.js';
import { DEFAULTS } from './defaults.js';
import { identifierError } from './identifier.js';
import { listFiles } from './list-files.js';
import { PROBLEM } from './problem-codes.js';
import { escapesRoot, projectRelative, readProjectFile, resolveInRoot } from './project-file.js';
import { sourceEntrySchema, sourceFileSchema } from './source-schema.js';
import { ancestorLine, keyLine, parseYaml, valueLine, type YamlSource } from './yaml-locate.js';
import { validate } from './zod-problems.js';

/** A source name as declared, valid or not (for duplicate and reference checks). */
export interface DeclaredSource {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

export interface LoadedSources {
  /** Every declaration without problems, in file order. */
  readonly sources: SourceDef[];
  readonly declared: DeclaredSource[];
  readonly problems: Problem[];
}

/** Reads every `*.yml`/`*.yaml` file below the sources folder (recursive, sorted by path). */
export function loadSources(root: string, sourcesPath: string): LoadedSources {
  const dir = resolveInRoot(root, sourcesPath);
  const out: LoadedSources = { sources: [], declared: [], problems: [] };
  if (!existsSync(dir)) return out;
  for (const rel of listFiles(dir, ['.yml', '.yaml'])) {
    const abs = join(dir, rel);
    const file = projectRelative(root, abs);
    const text = readProjectFile(abs, file, out.problems);
    if (text !== undefined) parseSourceFile(text, file, out);
  }
  return out;
}

/** Parses one sources file, adding its sources, declarations and problems to `out`. */
export function parseSourceFile(text: string, file: string, out: LoadedSources): void {
  const { source, data, problems: yamlProblems } = parseYaml(text, file);
  out.problems.push(...yamlProblems);
  if (yamlProblems.length > 0) return;
  if (data === null || data === undefined) return; // an empty file declares nothing
  const fileResult = validate(sourceFileSchema, { source, data });
  out.problems.push(...fileResult.problems);
  const entries = fileResult.value?.sources;
  if (!entries) return;
  for (const [name, entry] of Object.entries(entries)) {
    const line = keyLine(source, ['sources', name]) ?? 1;
    out.declared.push({ name, file, line });
    const def = parseEntry(source, name, entry, line, out.problems);
    if (def) out.sources.push(def);
  }
}

function parseEntry(
  source: YamlSource,
  name: string,
  entry: unknown,
  line: number,
  problems: Problem[],
): SourceDef | undefined {
  const { file } = source;
  const before = problems.length;
  const nameError = identifierError(name);
  if (nameError !== undefined) {
    problems.push({
      code: PROBLEM.invalidName,
      file,
      line,
      key: `sources.${name}`,
      message: `source name ${JSON.stringify(name)} ${nameError}`,
    });
  }
  const prefix = ['sources', name];
  const result = validate(sourceEntrySchema, { source, data: entry ?? {}, prefix });
  problems.push(...result.problems);
  // The checks below read the raw entry, so they report even when the schema found problems.
  const raw = (entry !== null && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
  const columns =
    raw.columns !== null && typeof raw.columns === 'object' && !Array.isArray(raw.columns) ? raw.columns : {};
  for (const column of Object.keys(columns)) {
    const why = identifierError(column);
    if (why === undefined) continue;
    const path = [...prefix, 'columns', column];
    problems.push({
      code: PROBLEM.invalidName,
      file,
      line: keyLine(source, path) ?? ancestorLine(source, path),
      key: `sources.${name}.columns.${column}`,
      message: `column name ${JSON.stringify(column)} ${why}`,
    });
  }
  if (typeof raw.format === 'string' && raw.format !== 'csv') {
    for (const key of ['delimiter', 'header'] as const) {
      if (!(key in raw)) continue;
      problems.push({
        code: PROBLEM.csvOnly,
        file,
        line: keyLine(source, [...prefix, key]) ?? line,
        key: `sources.${name}.${key}`,
        message: `sources.${name}.${key} applies to csv sources only (this source's format is ${raw.format})`,
      });
    }
  }
  if (typeof raw.path === 'string' && escapesRoot(raw.path)) {
    problems.push({
      code: PROBLEM.pathEscapes,
      file,
      line: valueLine(source, [...prefix, 'path']),
      key: `sources.${name}.path`,
      message: `sources.${name}.path ${JSON.stringify(raw.path)} leaves the project folder; use a path inside it or an absolute path`,
    });
  }
  const value = result.value;
  if (!value || problems.length > before) return undefined;
  const csv = value.format === 'csv';
  return {
    name,
    format: value.format,
    path: value.path,
    hivePartitioning: value.hive_partitioning ?? DEFAULTS.source.hivePartitioning,
    ...(value.columns ? { columns: { ...value.columns } } : {}),
    ...(csv && value.delimiter !== undefined ? { delimiter: value.delimiter } : {}),
    ...(csv ? { header: value.header ?? DEFAULTS.source.header } : {}),
    description: value.description ?? DEFAULTS.source.description,
    location: { file, line },
  };
}
