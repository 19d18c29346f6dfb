import { checkKnownMigrations, type AppliedMigration } from '../check-migrations.js';
import { SCHEMA_MIGRATIONS_TABLE, type Migration } from './migrations.js';
import type { PostgresConnection, Tx } from './postgres-connection.js';
import { compileNamed, MIGRATION_QUERIES } from './queries.js';

type Applied = AppliedMigration;

const q = {
  lock: compileNamed(MIGRATION_QUERIES.lock),
  record: compileNamed(MIGRATION_QUERIES.recordMigration),
};

/**
 * Apply the migrations the store has not seen, in id order, each in its own transaction that
 * first takes `pg_advisory_xact_lock` on the schema's name and re-checks whether another
 * process applied it meanwhile: several processes may call migrate() at once. The first
 * transaction creates the schema (if the URL names one) and `schema_migrations`. Idempotent.
 * Fails with STORE_MIGRATION (naming the store and the migration) when a migration fails,
 * when the store was migrated by a newer sluice, or when a recorded migration does not match.
 */
export async function applyMigrations(
  conn: PostgresConnection,
  migrations: readonly Migration[],
  schema: string | undefined,
  now: () => number,
): Promise<void> {
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  const inLock = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> =>
    conn.transaction(
      'BEGIN ISOLATION LEVEL READ COMMITTED',
      async (tx) => {
        await tx.exec(q.lock.text, [schema ?? '']);
        return fn(tx);
      },
      true,
    );
  const applied = async (tx: Tx): Promise<Applied[]> =>
    (await tx.exec(MIGRATION_QUERIES.appliedMigrations)) as unknown as Applied[];

  let recorded: Applied[];
  try {
    recorded = await inLock(async (tx) => {
      if (schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await tx.exec(SCHEMA_MIGRATIONS_TABLE);
      return applied(tx);
    });
  } catch (err) {
    throw conn.wrap(err, 'cannot create schema_migrations', 'STORE_MIGRATION');
  }
  checkKnownMigrations(recorded, sorted, conn.label);

  for (const migration of sorted) {
    if (recorded.some((a) => a.id === migration.id)) continue;
    try {
      await inLock(async (tx) => {
        if ((await applied(tx)).some((a) => a.id === migration.id)) return; // another process was first
        await tx.exec(migration.sql);
        await tx.exec(
          q.record.text,
          q.record.names.map((n) => ({ id: migration.id, name: migration.name, appliedAt: now() })[n]),
        );
      });
    } catch (err) {
      throw conn.wrap(
        err,
        `migration ${migration.id} (${migration.name}) failed and was rolled back`,
        'STORE_MIGRATION',
      );
    }
  }
}

/** True when every migration in `migrations` is recorded (false if schema_migrations is missing). */
export async function isMigrated(tx: Tx, migrations: readonly Migration[]): Promise<boolean> {
  try {
    const ids = new Set((await tx.exec(MIGRATION_QUERIES.appliedMigrations)).map((a) => a.id));
    return migrations.every((m) => ids.has(m.id));
  } catch (err) {
    if ((err as { code?: unknown }).code === '42P01') return false; // undefined_table (or no schema yet)
    throw err;
  }
}
