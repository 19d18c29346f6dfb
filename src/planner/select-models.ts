import { closestName } from '../core/closest-name.js';
import { SluiceError } from '../core/errors.js';
import type { ModelDef } from '../core/types.js';
import type { Grouping } from './group-models.js';
import { reachable, type ModelGraph } from './model-graph.js';

/**
 * Resolve a selection to model names. A selection is a list of selectors (separated by spaces
 * or commas); the result is their union:
 * - `name`            the model
 * - `+name`           the model and everything upstream of it
 * - `name+`           the model and everything downstream of it
 * - `+name+`          both
 * - `tag:x`           models tagged x
 * - `group:x`         models in group x
 * - `type:x`, `business_unit:x`  models of that type or business unit
 * An empty selection selects every model. Returns names in topological order.
 */
export function selectModels(
  selectors: readonly string[],
  models: ReadonlyMap<string, ModelDef>,
  graph: ModelGraph,
  grouping: Grouping,
): string[] {
  const tokens = selectors.flatMap((s) => s.split(/[\s,]+/)).filter((t) => t.length > 0);
  if (tokens.length === 0) return [...graph.order];
  const picked = new Set<string>();
  for (const token of tokens) for (const name of resolveToken(token, models, graph, grouping)) picked.add(name);
  return graph.order.filter((n) => picked.has(n));
}

function resolveToken(
  token: string,
  models: ReadonlyMap<string, ModelDef>,
  graph: ModelGraph,
  grouping: Grouping,
): string[] {
  const colon = token.indexOf(':');
  if (colon > 0) {
    const kind = token.slice(0, colon);
    const value = token.slice(colon + 1);
    const match = (pred: (m: ModelDef) => boolean, what: string, known: Iterable<string>): string[] => {
      const out = [...models.values()].filter(pred).map((m) => m.name);
      if (out.length === 0) throw selectionError(`no model has ${what} '${value}'`, value, known);
      return out;
    };
    switch (kind) {
      case 'tag':
        return match(
          (m) => m.tags.includes(value),
          'tag',
          [...models.values()].flatMap((m) => m.tags),
        );
      case 'type':
        return match(
          (m) => m.type === value,
          'type',
          [...models.values()].map((m) => m.type),
        );
      case 'business_unit':
      case 'bu':
        return match(
          (m) => m.businessUnit === value,
          'business unit',
          [...models.values()].map((m) => m.businessUnit),
        );
      case 'group': {
        const group = grouping.groups.find((g) => g.name === value);
        if (!group)
          throw selectionError(
            `no group named '${value}'`,
            value,
            grouping.groups.map((g) => g.name),
          );
        return [...group.models];
      }
      default:
        throw new SluiceError(
          'PLAN_SELECTION',
          `unknown selector kind '${kind}:' in '${token}' (use tag:, group:, type: or business_unit:)`,
        );
    }
  }
  const up = token.startsWith('+');
  const down = token.endsWith('+') && token.length > 1;
  const name = token.slice(up ? 1 : 0, down ? -1 : undefined);
  if (!models.has(name)) throw selectionError(`no model named '${name}'`, name, models.keys());
  const out = [name];
  if (up) out.push(...reachable(name, graph.upstream));
  if (down) out.push(...reachable(name, graph.downstream));
  return out;
}

function selectionError(message: string, value: string, known: Iterable<string>): SluiceError {
  const near = closestName(value, known);
  return new SluiceError('PLAN_SELECTION', `--select: ${message}${near ? ` (did you mean '${near}'?)` : ''}`);
}
