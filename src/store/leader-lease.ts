/**
 * Leader leases, part of the metadata store (issue 13): of the `sluice serve` processes sharing
 * one metadata store, the one holding the lease named after the project is the leader, the only
 * one that starts runs. A lease is a row: who holds it, until when, and a generation number that
 * grows by one each time the lease changes hands, so a holder that lost it (it paused past its
 * expiry and another took over) can never renew or release the new holder's lease: every write
 * names the generation it holds. Times are epoch milliseconds on the caller's clock (serve
 * processes on several machines need clocks closer together than the lease's length).
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly generation: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
}

export interface LeaderLeases {
  /**
   * Take lease `name` for `holder` until `now + ttlMs` if it is free or expired (a new
   * generation), or extend it if `holder` holds it already (same generation). Undefined when
   * another holder's lease is live. Atomic: of processes racing, exactly one wins.
   */
  acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Extend a held lease to `now + ttlMs`: only by its holder at its generation, and only while it
   * has not expired. The renewed lease, or undefined if it was lost (the holder must stop leading).
   */
  renewLease(lease: Lease, now: number, ttlMs: number): Promise<Lease | undefined>;
  /** Give a held lease up (it expires at once); false if it was not held at that generation any more. */
  releaseLease(lease: Lease): Promise<boolean>;
  /** The lease row as it is, live or expired; undefined if never taken. */
  getLease(name: string): Promise<Lease | undefined>;
}
