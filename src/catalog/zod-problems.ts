import type { z } from 'zod';
import type { Problem } from '../core/types.js';
import { PROBLEM } from './problem-codes.js';
import { ancestorLine, formatPath, keyLine, valueLine, type YamlPath, type YamlSource } from './yaml-locate.js';

export interface IssueContext {
  readonly source: YamlSource;
  /** The schema that produced the issues (to list allowed keys). */
  readonly schema: z.ZodType;
  /** The value that was validated. */
  readonly data: unknown;
  /** Where `data` sits in the YAML document (e.g. `['sources', 'orders']`). */
  readonly prefix?: YamlPath;
  readonly model?: string;
}

/** Validates `data` and turns every zod issue into a problem at the line of the key or value. */
export function validate<S extends z.ZodType>(
  schema: S,
  ctx: Omit<IssueContext, 'schema'>,
): { value?: z.output<S>; problems: Problem[] } {
  const result = schema.safeParse(ctx.data, { reportInput: true });
  if (result.success) return { value: result.data, problems: [] };
  return { problems: issuesToProblems(result.error.issues, { ...ctx, schema }) };
}

export function issuesToProblems(issues: readonly z.core.$ZodIssue[], ctx: IssueContext): Problem[] {
  const prefix = ctx.prefix ?? [];
  const base = { file: ctx.source.file, ...(ctx.model ? { model: ctx.model } : {}) };
  const out: Problem[] = [];
  for (const issue of issues) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = [...prefix, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(ctx.schema, rel);
      const where = path.length > 0 ? ` in ${formatPath(path)}` : '';
      for (const key of issue.keys) {
        out.push({
          ...base,
          code: PROBLEM.unknownKey,
          key: formatPath([...path, key]),
          line: keyLine(ctx.source, [...path, key]) ?? ancestorLine(ctx.source, path),
          message: `unknown key '${key}'${where}${allowed ? `; allowed keys: ${allowed.join(', ')}` : ''}`,
        });
      }
    } else if (rel.length > 0 && isMissing(ctx.data, rel)) {
      const parent = path.slice(0, -1);
      out.push({
        ...base,
        code: PROBLEM.missingKey,
        key: formatPath(path),
        line: parent.length > 0 ? ancestorLine(ctx.source, parent) : ctx.source.fallbackLine,
        message: `missing required key '${String(path[path.length - 1])}'${parent.length > 0 ? ` in ${formatPath(parent)}` : ''}`,
      });
    } else {
      const got = valueAt(ctx.data, rel);
      const key = formatPath(path);
      const text =
        issue.code === 'invalid_type' && issue.expected === 'object' ? 'expected a map of keys' : issue.message;
      out.push({
        ...base,
        code: PROBLEM.invalidValue,
        ...(key ? { key } : {}),
        line: valueLine(ctx.source, path),
        message: `${key ? `${key}: ` : ''}${text}${text.includes(preview(got)) ? '' : ` (got ${preview(got)})`}`,
      });
    }
  }
  return out;
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function isMissing(data: unknown, path: YamlPath): boolean {
  const parent = valueAt(data, path.slice(0, -1));
  return (
    parent !== null &&
    typeof parent === 'object' &&
    !Array.isArray(parent) &&
    !Object.hasOwn(parent, path[path.length - 1]!)
  );
}

export function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  // Never echo credentials written into a URL (`scheme://user:password@host`).
  const s = JSON.stringify(value).replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s"]*@/gi, '$1***@');
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return s;
    s = inner;
  }
}

/** The keys an object schema accepts at `path` (records and arrays consume one path element). */
export function allowedKeys(schema: z.ZodType, path: YamlPath): string[] | undefined {
  let s = unwrap(schema);
  for (const _ of path) {
    const def = defOf(s);
    const next = def.type === 'object' ? undefined : (def.valueType ?? def.element);
    if (def.type === 'object') {
      const key = String(_);
      const child = def.shape?.[key];
      if (!child) return undefined;
      s = unwrap(child as z.ZodType);
    } else if (next) {
      s = unwrap(next);
    } else {
      return undefined;
    }
  }
  const def = defOf(s);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}
