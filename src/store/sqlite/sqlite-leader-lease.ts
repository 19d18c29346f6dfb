import type Database from 'better-sqlite3';
import type { Lease, LeaderLeases } from '../leader-lease.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** The statements of LeaderLeases (migration 6), one per query, with named parameters. */
const LEASE_QUERIES = {
  acquire: `
INSERT INTO leader_leases (name, holder, generation, acquired_at, expires_at)
VALUES (@name, @holder, 1, @now, @expiresAt)
ON CONFLICT (name) DO UPDATE SET
  generation  = CASE WHEN leader_leases.holder = excluded.holder AND leader_leases.expires_at > @now
                     THEN leader_leases.generation ELSE leader_leases.generation + 1 END,
  acquired_at = CASE WHEN leader_leases.holder = excluded.holder AND leader_leases.expires_at > @now
                     THEN leader_leases.acquired_at ELSE excluded.acquired_at END,
  holder      = excluded.holder,
  expires_at  = excluded.expires_at
WHERE leader_leases.expires_at <= @now OR leader_leases.holder = excluded.holder
RETURNING name, holder, generation, acquired_at AS acquiredAt, expires_at AS expiresAt`,
  renew: `
UPDATE leader_leases SET expires_at = @expiresAt
WHERE name = @name AND holder = @holder AND generation = @generation AND expires_at > @now
RETURNING name, holder, generation, acquired_at AS acquiredAt, expires_at AS expiresAt`,
  release: `
UPDATE leader_leases SET expires_at = 0
WHERE name = @name AND holder = @holder AND generation = @generation AND expires_at > 0`,
  get: `
SELECT name, holder, generation, acquired_at AS acquiredAt, expires_at AS expiresAt
FROM leader_leases WHERE name = @name`,
} as const;

/** LeaderLeases on SQLite, sharing the metadata store's connection (one machine: the embedded default). */
export class SqliteLeaderLeases implements LeaderLeases {
  private statements: { readonly [K in keyof typeof LEASE_QUERIES]: Database.Statement } | undefined;

  constructor(private readonly conn: SqliteConnection) {}

  async acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<Lease | undefined> {
    return this.write((q) => q.acquire.get({ name, holder, now, expiresAt: now + ttlMs }) as Lease | undefined);
  }

  async renewLease(lease: Lease, now: number, ttlMs: number): Promise<Lease | undefined> {
    const { name, holder, generation } = lease;
    return this.write(
      (q) => q.renew.get({ name, holder, generation, now, expiresAt: now + ttlMs }) as Lease | undefined,
    );
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const { name, holder, generation } = lease;
    return this.write((q) => q.release.run({ name, holder, generation }).changes === 1);
  }

  async getLease(name: string): Promise<Lease | undefined> {
    return this.write((q) => q.get.get({ name }) as Lease | undefined);
  }

  private write<T>(fn: (q: NonNullable<SqliteLeaderLeases['statements']>) => T): T {
    return this.conn.write(() => {
      if (this.statements === undefined) {
        const db = this.conn.db;
        this.statements = {
          acquire: db.prepare(LEASE_QUERIES.acquire),
          renew: db.prepare(LEASE_QUERIES.renew),
          release: db.prepare(LEASE_QUERIES.release),
          get: db.prepare(LEASE_QUERIES.get),
        };
      }
      return fn(this.statements);
    });
  }
}
