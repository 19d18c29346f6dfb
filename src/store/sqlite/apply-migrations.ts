import type Database from 'better-sqlite3';
import { checkKnownMigrations, type AppliedMigration } from '../check-migrations.js';
import { SluiceError, errorMessage } from '../../core/errors.js';
import { SCHEMA_MIGRATIONS_TABLE, type Migration } from './migrations.js';
import { MIGRATION_QUERIES } from './queries.js';

type Applied = AppliedMigration;

/**
 * Apply the migrations `db` has not seen, in id order, each in its own `BEGIN IMMEDIATE`
 * transaction that re-checks whether another process applied it first. Idempotent. Fails with
 * STORE_MIGRATION (naming the store and the migration) when a migration fails, when the database
 * was migrated by a newer sluice, or when a recorded migration does not match this version's.
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  label: string,
  now: () => number,
): void {
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  try {
    db.exec(SCHEMA_MIGRATIONS_TABLE);
  } catch (err) {
    throw new SluiceError(
      'STORE_MIGRATION',
      `metadata store ${label}: cannot create schema_migrations: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  const applied = db.prepare<[], Applied>(MIGRATION_QUERIES.appliedMigrations);
  const record = db.prepare(MIGRATION_QUERIES.recordMigration);
  checkKnownMigrations(applied.all(), sorted, label);

  for (const migration of sorted) {
    const apply = db.transaction(() => {
      if (applied.all().some((a) => a.id === migration.id)) return; // another process was first
      db.exec(migration.sql);
      record.run({ id: migration.id, name: migration.name, appliedAt: now() });
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new SluiceError(
        'STORE_MIGRATION',
        `metadata store ${label}: migration ${migration.id} (${migration.name}) failed and was rolled back: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
}

/** True when every migration in `migrations` is recorded in `db` (false if the table is missing). */
export function isMigrated(db: Database.Database, migrations: readonly Migration[]): boolean {
  try {
    const ids = new Set(
      db
        .prepare<[], Applied>(MIGRATION_QUERIES.appliedMigrations)
        .all()
        .map((a) => a.id),
    );
    return migrations.every((m) => ids.has(m.id));
  } catch {
    return false;
  }
}
