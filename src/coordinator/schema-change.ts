import { SluiceError } from '../core/errors.js';
import type { ModelDef } from '../core/types.js';
import type { ColumnDef } from '../protocol/column-def.js';

/** How a model's columns differ from its current snapshot's. */
export interface SchemaChange {
  readonly added: readonly ColumnDef[];
  readonly removed: readonly ColumnDef[];
  readonly retyped: readonly { readonly name: string; readonly from: string; readonly to: string }[];
}

/** The difference between two column lists (by name; order alone is not a change). Null: none. */
export function schemaChange(previous: readonly ColumnDef[], next: readonly ColumnDef[]): SchemaChange | null {
  const before = new Map(previous.map((c) => [c.name, c.type] as const));
  const after = new Map(next.map((c) => [c.name, c.type] as const));
  const added = next.filter((c) => !before.has(c.name));
  const removed = previous.filter((c) => !after.has(c.name));
  const retyped = next.flatMap((c) => {
    const from = before.get(c.name);
    return from !== undefined && from !== c.type ? [{ name: c.name, from, to: c.type }] : [];
  });
  return added.length + removed.length + retyped.length === 0 ? null : { added, removed, retyped };
}

/** `added x INTEGER; removed y VARCHAR; retyped order_date DATE -> VARCHAR`. */
export function describeSchemaChange(change: SchemaChange): string {
  const parts: string[] = [];
  if (change.added.length > 0) parts.push(`added ${change.added.map((c) => `${c.name} ${c.type}`).join(', ')}`);
  if (change.removed.length > 0) parts.push(`removed ${change.removed.map((c) => `${c.name} ${c.type}`).join(', ')}`);
  const retyped = change.retyped.map((c) => `${c.name} ${c.from} -> ${c.to}`);
  if (retyped.length > 0) parts.push(`retyped ${retyped.join(', ')}`);
  return parts.join('; ');
}

/**
 * Refuse a build whose columns differ from the model's current snapshot unless its
 * `on_schema_change` policy allows the change (docs/adr/0015-schema-evolution.md):
 * - `fail` (the default): any change;
 * - `append_new_columns`: only added columns (a removed or retyped column still fails);
 * - `sync_all_columns`: nothing (the snapshot takes the new columns).
 * `--full-refresh` rebuilds with the new columns whatever the policy: the explicit way out.
 * Files carried forward from the previous snapshot must have the new columns (drive-run.ts
 * checks it): a change with carried files needs `--full-refresh` under every policy.
 */
export function checkSchemaChange(
  model: ModelDef,
  previous: { readonly snapshot: number; readonly columns: readonly ColumnDef[] } | null | undefined,
  next: readonly ColumnDef[],
  fullRefresh: boolean,
): void {
  if (!previous || fullRefresh) return;
  const change = schemaChange(previous.columns, next);
  if (!change) return;
  const policy = model.onSchemaChange ?? 'fail';
  if (policy === 'sync_all_columns') return;
  if (policy === 'append_new_columns' && change.removed.length === 0 && change.retyped.length === 0) return;
  const allows =
    policy === 'fail'
      ? 'append_new_columns (added columns) or sync_all_columns (any change)'
      : 'sync_all_columns (removed or retyped columns)';
  const where = `${model.file}:${model.location.line}: [model ${model.name}]`;
  throw new SluiceError(
    'EXEC_FAILED',
    `${where} its columns changed since snapshot ${previous.snapshot}: ${describeSchemaChange(change)}; ` +
      `on_schema_change: ${policy} refuses it (set on_schema_change: ${allows} in the header ` +
      'or defaults.on_schema_change in sluice.yaml, or rebuild it with --full-refresh)',
  );
}
