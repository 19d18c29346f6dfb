import { relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { errorMessage } from '../core/errors.js';
import type { ModelDef, Problem, Project, SourceDef } from '../core/types.js';
import { modelErrorLine, shortDuckDbMessage } from './duckdb-errors.js';
import { csvShapeProblem } from './csv-shape.js';
import { sourceGlobs, sourceRelationSql } from './relation-sql.js';
import { quoteIdent } from './sql-quote.js';

/**
 * Bind every source and model without running anything: sources become empty tables with the
 * schema DuckDB reads from their files, models become empty tables of their SQL's columns, in
 * dependency order. DuckDB rejects unknown columns, functions and type errors when binding. A model whose
 * upstream failed is not checked (its errors would only echo the first one).
 */
export async function checkBindings(
  engine: { connect(): Promise<DuckDBConnection> },
  project: Project,
  order: readonly string[],
): Promise<Problem[]> {
  const conn = await engine.connect();
  const problems: Problem[] = [];
  const broken = new Set<string>();
  try {
    for (const source of project.sources.values()) {
      const problem = await checkSource(conn, project.root, source);
      if (problem) {
        problems.push(problem);
        broken.add(source.name);
      }
    }
    for (const name of order) {
      const model = project.models.get(name)!;
      if (model.dependsOn.some((d) => broken.has(d))) {
        broken.add(name);
        continue;
      }
      const problem = await checkModel(conn, model);
      if (problem) {
        problems.push(problem);
        broken.add(name);
      }
    }
  } finally {
    conn.closeSync();
  }
  return problems;
}

async function checkSource(conn: DuckDBConnection, root: string, source: SourceDef): Promise<Problem | undefined> {
  const at = { file: source.location.file, line: source.location.line, key: `sources.${source.name}` };
  try {
    // An empty table with the source's schema, read from its first file (for CSV, sniffed) once, not on every bind.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(source.name)} AS SELECT * FROM ${sourceRelationSql(root, source, true)} LIMIT 0`,
    );
  } catch (err) {
    return {
      code: 'CONFIG_SOURCE',
      message: `source '${source.name}' (${source.format} at ${source.path}) cannot be read: ${shortDuckDbMessage(errorMessage(err))}`,
      ...at,
    };
  }
  const shape = source.format === 'csv' ? await csvShape(conn, root, source) : undefined;
  if (shape) return { code: 'CONFIG_SOURCE', message: `source '${source.name}': ${shape}`, ...at };
  if (!source.columns) return undefined;
  const actual = await describeView(conn, source.name);
  const wrong: string[] = [];
  for (const [column, type] of Object.entries(source.columns)) {
    const found = actual.get(column);
    if (found === undefined) wrong.push(`column '${column}' is missing`);
    else if (found.toUpperCase() !== type.toUpperCase())
      wrong.push(`column '${column}' is ${found}, contract says ${type}`);
  }
  if (wrong.length === 0) return undefined;
  return {
    code: 'CONFIG_CONTRACT',
    message: `source '${source.name}' breaks its column contract: ${wrong.join('; ')}`,
    ...at,
  };
}

async function checkModel(conn: DuckDBConnection, model: ModelDef): Promise<Problem | undefined> {
  try {
    // An empty table with the model's columns, not a view: models downstream then bind against a
    // table, not a chain of views re-bound at every level (linear, not quadratic, in DAG depth).
    // DuckDB plans `LIMIT 0` as an empty result, so the SQL is bound but never executed.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(model.name)} AS SELECT * FROM (\n${model.sql}\n) LIMIT 0`,
    );
  } catch (err) {
    const message = errorMessage(err);
    return {
      code: 'CONFIG_SQL',
      message: shortDuckDbMessage(message),
      file: model.file,
      line: modelErrorLine(message, model, 2) ?? model.sqlLine,
      model: model.name,
    };
  }
  const columns = await describeView(conn, model.name);
  const missing = model.partitionBy.filter((k) => !columns.has(k));
  if (missing.length === 0) return undefined;
  return {
    code: 'CONFIG_PARTITION',
    message: `partition_by column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} not in the model's output (columns: ${[...columns.keys()].join(', ')})`,
    file: model.file,
    line: model.location.line,
    model: model.name,
    key: 'partition_by',
  };
}

async function describeView(conn: DuckDBConnection, name: string): Promise<Map<string, string>> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${quoteIdent(name)}`);
  return new Map(reader.getRowObjects().map((r) => [String(r.column_name), String(r.column_type)] as const));
}

/** An empty or ragged first file of a CSV source, named relative to the project (csv-shape.ts). */
async function csvShape(conn: DuckDBConnection, root: string, source: SourceDef): Promise<string | undefined> {
  const [first] = sourceGlobs(root, source, true);
  if (first === undefined || /[*?[]/.test(first)) return undefined;
  const problem = csvShapeProblem(first, [...(await describeView(conn, source.name)).keys()], source.delimiter);
  return problem && `${relative(root, first)} ${problem}`;
}
