import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../core/types.js';
import { PROBLEM } from './problem-codes.js';

export type YamlPath = readonly (string | number)[];

/** A parsed YAML text and how to turn its positions into lines of the file it came from. */
export interface YamlSource {
  readonly doc: Document.Parsed;
  readonly file: string;
  /** The file line of the text's first line minus one (model headers start below line 1). */
  readonly lineOffset: number;
  /** Line used when nothing better is known (the header's first line, or 1). */
  readonly fallbackLine: number;
  readonly lineCounter: LineCounter;
}

/** Aliases one document may expand: enough for any real file, far too few for a billion laughs. */
export const MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML, reporting syntax errors (and duplicate keys) as problems at the file's line, and
 * its value as plain data (`undefined` when there are problems). An alias bomb (anchors that
 * expand to more than MAX_ALIAS_COUNT aliases) is a problem too, not an exception.
 */
export function parseYaml(
  text: string,
  file: string,
  options: { lineOffset?: number; fallbackLine?: number; model?: string } = {},
): { source: YamlSource; data: unknown; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const lineOffset = options.lineOffset ?? 0;
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((e) => ({
    code: PROBLEM.yaml,
    message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    file,
    line: (e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line) + lineOffset,
    ...(options.model ? { model: options.model } : {}),
  }));
  const source = { doc, file, lineOffset, fallbackLine: options.fallbackLine ?? lineOffset + 1, lineCounter };
  if (problems.length > 0) return { source, data: undefined, problems };
  try {
    return { source, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), problems };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const message = `invalid YAML: its aliases expand too far (${why}; at most ${MAX_ALIAS_COUNT} are allowed)`;
    const model = options.model ? { model: options.model } : {};
    problems.push({ code: PROBLEM.yaml, message, file, line: source.fallbackLine, ...model });
    return { source, data: undefined, problems };
  }
}

/** The file line of a character offset in the YAML text. */
export function lineAtOffset(src: YamlSource, offset: number): number {
  return src.lineCounter.linePos(offset).line + src.lineOffset;
}

function nodeAt(src: YamlSource, path: YamlPath): unknown {
  return path.length === 0 ? src.doc.contents : src.doc.getIn(path, true);
}

function nodeLine(src: YamlSource, node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? lineAtOffset(src, range[0]) : undefined;
}

/** The line of the key that ends `path` (or of the sequence item), if present in the document. */
export function keyLine(src: YamlSource, path: YamlPath): number | undefined {
  if (path.length === 0) return undefined;
  const parent = nodeAt(src, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(last)) return nodeLine(src, pair.key) ?? nodeLine(src, pair.value);
    }
  } else if (isSeq(parent) && typeof last === 'number') {
    return nodeLine(src, parent.items[last]);
  }
  return undefined;
}

/**
 * The best line for a value at `path`: the value itself when it is a scalar, the key for maps and
 * sequences, else the nearest ancestor key, else the fallback line.
 */
export function valueLine(src: YamlSource, path: YamlPath): number {
  const node = nodeAt(src, path);
  if (isScalar(node) && node.value !== null) {
    const line = nodeLine(src, node);
    if (line !== undefined) return line;
  }
  return ancestorLine(src, path);
}

/** The line of the key that ends `path`, or of the closest ancestor key, or the fallback line. */
export function ancestorLine(src: YamlSource, path: YamlPath): number {
  for (let n = path.length; n > 0; n--) {
    const line = keyLine(src, path.slice(0, n));
    if (line !== undefined) return line;
  }
  return src.fallbackLine;
}

/** `a.b[2].c` for messages and `Problem.key`. */
export function formatPath(path: YamlPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}
