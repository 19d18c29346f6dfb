import { basename } from 'node:path';
import type { Problem } from '../core/types.js';
import { identifierError } from './identifier.js';
import { modelHeaderSchema, splitModelFile, type ModelHeader } from './model-header.js';
import { PROBLEM } from './problem-codes.js';
import { keyLine, parseYaml } from './yaml-locate.js';
import { validate } from './zod-problems.js';

/** A model file read as far as it could be: what later checks need even when it has problems. */
export interface ModelDraft {
  /** The file's base name without `.sql` (possibly not a valid identifier). */
  readonly name: string;
  readonly file: string;
  /** Line of the header opener `/*---` (1 when there is no header). */
  readonly line: number;
  /** The SQL body, when the header could be separated from it and the body is not empty. */
  readonly sql?: string;
  readonly sqlLine: number;
  /** The validated header, when it has no problems. */
  readonly header?: ModelHeader;
}

/** Parses a model file's name, header and body; `file` is relative to the project root. */
export function parseModelFile(text: string, file: string): { draft: ModelDraft; problems: Problem[] } {
  const name = basename(file).replace(/\.sql$/, '');
  const problems: Problem[] = [];
  const nameError = identifierError(name);
  if (nameError !== undefined) {
    problems.push({
      code: PROBLEM.invalidName,
      file,
      line: 1,
      model: name,
      message: `model name ${JSON.stringify(name)} (the file name without .sql) ${nameError}; rename the file`,
    });
  }
  const split = splitModelFile(text);
  if (!split.ok) {
    problems.push({ code: PROBLEM.modelHeader, file, line: split.line, model: name, message: split.message });
    return { draft: { name, file, line: split.line, sqlLine: split.line }, problems };
  }

  const {
    source,
    data: parsed,
    problems: yamlProblems,
  } = parseYaml(split.header, file, { lineOffset: split.headerLine, fallbackLine: split.headerLine, model: name });
  problems.push(...yamlProblems);
  let header: ModelHeader | undefined;
  if (yamlProblems.length === 0) {
    const data: unknown = parsed ?? {};
    const result = validate(modelHeaderSchema, { source, data, model: name });
    problems.push(...result.problems);
    header = result.value;
    const partitionBy = (data as { partition_by?: unknown } | null)?.partition_by;
    if (Array.isArray(partitionBy)) {
      const seen = new Set<unknown>();
      partitionBy.forEach((column, i) => {
        if (seen.has(column)) {
          problems.push({
            code: PROBLEM.duplicateColumn,
            file,
            line: keyLine(source, ['partition_by', i]) ?? split.headerLine,
            model: name,
            key: 'partition_by',
            message: `partition_by lists column ${JSON.stringify(column)} twice`,
          });
        }
        seen.add(column);
      });
    }
  }
  if (split.sql === '') {
    problems.push({
      code: PROBLEM.emptySql,
      file,
      line: split.sqlLine,
      model: name,
      message: 'the model has no SQL: write one SELECT statement after the header',
    });
  }
  const draft: ModelDraft = {
    name,
    file,
    line: split.headerLine,
    sqlLine: split.sqlLine,
    ...(split.sql !== '' ? { sql: split.sql } : {}),
    ...(header && !problems.some((p) => p.code === PROBLEM.duplicateColumn) ? { header } : {}),
  };
  return { draft, problems };
}
