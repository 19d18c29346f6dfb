import { SluiceError } from '../core/errors.js';

/** A migration as `schema_migrations` records it (both stores). */
export interface AppliedMigration {
  readonly id: number;
  readonly name: string;
}

/**
 * Refuse a metadata store migrated by a newer sluice (a migration this version does not know)
 * or one whose recorded migration names differ from this version's. Shared by every store.
 */
export function checkKnownMigrations(
  recorded: readonly AppliedMigration[],
  migrations: readonly AppliedMigration[],
  label: string,
): void {
  const known = new Map(migrations.map((m) => [m.id, m]));
  for (const a of recorded) {
    const m = known.get(a.id);
    if (m === undefined) {
      throw new SluiceError(
        'STORE_MIGRATION',
        `metadata store ${label}: it has migration ${a.id} (${a.name}), which this version of sluice does not know; upgrade sluice or use another metadata store`,
      );
    }
    if (m.name !== a.name) {
      throw new SluiceError(
        'STORE_MIGRATION',
        `metadata store ${label}: migration ${a.id} is recorded as "${a.name}" but this version of sluice calls it "${m.name}"`,
      );
    }
  }
}
