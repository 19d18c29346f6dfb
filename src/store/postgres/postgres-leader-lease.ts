import type { Lease, LeaderLeases } from '../leader-lease.js';
import type { PostgresConnection } from './postgres-connection.js';

const COLUMNS = 'name, holder, generation, acquired_at AS "acquiredAt", expires_at AS "expiresAt"';

/**
 * The statements of LeaderLeases (migration 6), one per query. `acquire` is one upsert: under READ
 * COMMITTED, ON CONFLICT DO UPDATE locks the row and re-checks its WHERE against the latest
 * version, so of processes racing for a free lease exactly one gets a row back.
 */
const LEASE_QUERIES = {
  acquire: `
INSERT INTO leader_leases (name, holder, generation, acquired_at, expires_at)
VALUES ($1, $2, 1, $3, $4)
ON CONFLICT (name) DO UPDATE SET
  generation  = CASE WHEN leader_leases.holder = EXCLUDED.holder AND leader_leases.expires_at > $3
                     THEN leader_leases.generation ELSE leader_leases.generation + 1 END,
  acquired_at = CASE WHEN leader_leases.holder = EXCLUDED.holder AND leader_leases.expires_at > $3
                     THEN leader_leases.acquired_at ELSE EXCLUDED.acquired_at END,
  holder      = EXCLUDED.holder,
  expires_at  = EXCLUDED.expires_at
WHERE leader_leases.expires_at <= $3 OR leader_leases.holder = EXCLUDED.holder
RETURNING ${COLUMNS}`,
  renew: `
UPDATE leader_leases SET expires_at = $5
WHERE name = $1 AND holder = $2 AND generation = $3 AND expires_at > $4
RETURNING ${COLUMNS}`,
  release: `
UPDATE leader_leases SET expires_at = 0
WHERE name = $1 AND holder = $2 AND generation = $3 AND expires_at > 0
RETURNING name`,
  get: `SELECT ${COLUMNS} FROM leader_leases WHERE name = $1`,
} as const;

/** LeaderLeases on PostgreSQL, sharing the metadata store's pooled connection: serve processes on many hosts. */
export class PostgresLeaderLeases implements LeaderLeases {
  constructor(private readonly conn: PostgresConnection) {}

  async acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<Lease | undefined> {
    return this.one(LEASE_QUERIES.acquire, [name, holder, now, now + ttlMs]);
  }

  async renewLease(lease: Lease, now: number, ttlMs: number): Promise<Lease | undefined> {
    return this.one(LEASE_QUERIES.renew, [lease.name, lease.holder, lease.generation, now, now + ttlMs]);
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    return (await this.one(LEASE_QUERIES.release, [lease.name, lease.holder, lease.generation])) !== undefined;
  }

  async getLease(name: string): Promise<Lease | undefined> {
    return this.one(LEASE_QUERIES.get, [name]);
  }

  /** One statement, its own transaction; the first row it returns. */
  private async one(sql: string, params: readonly unknown[]): Promise<Lease | undefined> {
    const rows = await this.conn.autocommit((tx) => tx.exec(sql, params));
    return rows[0] as Lease | undefined;
  }
}
