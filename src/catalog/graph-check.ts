import { closestName } from '../core/closest-name.js';
import type { Problem } from '../core/types.js';
import { PROBLEM } from './problem-codes.js';

/** A model as the graph check sees it: its references with the file lines they are on. */
export interface GraphModel {
  readonly name: string;
  readonly file: string;
  readonly refs: readonly { readonly name: string; readonly line: number }[];
}

/**
 * Reports references to unknown tables (with a "did you mean"), models that read themselves,
 * and one problem per dependency cycle naming its whole path, at the line of the cycle's first
 * reference.
 */
export function checkGraph(models: readonly GraphModel[], sourceNames: Iterable<string>): Problem[] {
  const byName = new Map(models.map((m) => [m.name, m] as const));
  const known = [...new Set([...byName.keys(), ...sourceNames])].sort();
  const knownSet = new Set(known);
  const problems: Problem[] = [];
  for (const m of models) {
    const reported = new Set<string>();
    for (const ref of m.refs) {
      if (reported.has(ref.name)) continue;
      if (ref.name === m.name) {
        reported.add(ref.name);
        problems.push({
          code: PROBLEM.selfReference,
          file: m.file,
          line: ref.line,
          model: m.name,
          message: `model '${m.name}' reads itself`,
        });
      } else if (!knownSet.has(ref.name)) {
        reported.add(ref.name);
        const hint = closestName(ref.name, known);
        problems.push({
          code: PROBLEM.unknownTable,
          file: m.file,
          line: ref.line,
          model: m.name,
          message: `unknown table '${ref.name}' (not a model or source)${hint ? `; did you mean '${hint}'?` : ''}`,
        });
      }
    }
  }
  for (const cycle of findCycles(models)) {
    const first = byName.get(cycle[0]!)!;
    const ref = first.refs.find((r) => r.name === cycle[1]);
    problems.push({
      code: PROBLEM.cycle,
      file: first.file,
      line: ref?.line ?? 1,
      model: first.name,
      message: `dependency cycle: ${cycle.join(' -> ')}`,
    });
  }
  return problems;
}

/**
 * One cycle per strongly connected component of more than one model (Tarjan), as a path that
 * starts and ends with the component's first model by name.
 */
export function findCycles(models: readonly GraphModel[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const m of models) {
    edges.set(m.name, [...new Set(m.refs.map((r) => r.name))].filter((n) => n !== m.name).sort());
  }
  for (const [k, v] of edges)
    edges.set(
      k,
      v.filter((n) => edges.has(n)),
    );

  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  // Iterative Tarjan: deep chains of models must not overflow the call stack.
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = edges.get(frame.node)!;
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components.map((c) => cyclePath(c, edges)).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** Shortest path from the component's first name back to itself (breadth-first, inside it). */
function cyclePath(component: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!;
    for (const w of edges.get(node) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let n: string | undefined = node; n !== undefined && n !== start; n = prev.get(n)) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, node);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
