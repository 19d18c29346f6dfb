import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFixture } from './contract-kit.js';
import type { MetadataStoreFixture } from './metadata-store.contract.js';

/**
 * The behaviour of LeaderLeases every MetadataStore implementation must have. `connect` opens a
 * second store on the same database (another serve process), for the race.
 */
export function leaderLeaseContract(
  name: string,
  make: () => Promise<MetadataStoreFixture & { readonly connect: () => Promise<MetadataStoreFixture['store']> }>,
): void {
  const withLeases = (fn: (f: Awaited<ReturnType<typeof make>>) => Promise<void>): Promise<void> =>
    withFixture(make, fn);
  const ttl = 1_000;

  describe(`LeaderLeases contract: ${name}`, () => {
    it('acquires a free lease at generation 1; another holder is refused while it is live', () =>
      withLeases(async ({ store }) => {
        assert.equal(await store.leases.getLease('shop'), undefined);
        const a = await store.leases.acquireLease('shop', 'a', 100, ttl);
        assert.deepEqual(a, { name: 'shop', holder: 'a', generation: 1, acquiredAt: 100, expiresAt: 1_100 });
        assert.equal(await store.leases.acquireLease('shop', 'b', 1_099, ttl), undefined);
        assert.deepEqual(await store.leases.getLease('shop'), a);
        // Leases are per name: another project's is independent.
        assert.equal((await store.leases.acquireLease('other', 'b', 100, ttl))?.generation, 1);
      }));

    it('the holder acquiring again extends its lease at the same generation', () =>
      withLeases(async ({ store }) => {
        await store.leases.acquireLease('shop', 'a', 100, ttl);
        assert.deepEqual(await store.leases.acquireLease('shop', 'a', 500, ttl), {
          name: 'shop',
          holder: 'a',
          generation: 1,
          acquiredAt: 100,
          expiresAt: 1_500,
        });
      }));

    it('an expired lease is taken over at the next generation; the old holder can neither renew nor release', () =>
      withLeases(async ({ store }) => {
        const a = (await store.leases.acquireLease('shop', 'a', 100, ttl))!;
        const b = await store.leases.acquireLease('shop', 'b', 1_100, ttl);
        assert.deepEqual(b, { name: 'shop', holder: 'b', generation: 2, acquiredAt: 1_100, expiresAt: 2_100 });
        assert.equal(await store.leases.renewLease(a, 1_200, ttl), undefined);
        assert.equal(await store.leases.releaseLease(a), false);
        assert.deepEqual(await store.leases.getLease('shop'), b);
        // Even the same holder name at a stale generation is fenced.
        const back = (await store.leases.acquireLease('shop', 'a', 2_100, ttl))!;
        assert.equal(back.generation, 3);
        assert.equal(await store.leases.renewLease(a, 2_200, ttl), undefined);
      }));

    it('renews only while live, by the holder at its generation', () =>
      withLeases(async ({ store }) => {
        const a = (await store.leases.acquireLease('shop', 'a', 100, ttl))!;
        const renewed = await store.leases.renewLease(a, 900, ttl);
        assert.deepEqual(renewed, { ...a, expiresAt: 1_900 });
        assert.equal(await store.leases.renewLease({ ...a, holder: 'b' }, 950, ttl), undefined);
        assert.equal(await store.leases.renewLease({ ...a, generation: 2 }, 950, ttl), undefined);
        assert.equal(await store.leases.renewLease(a, 1_900, ttl), undefined, 'expired: lost, not renewed');
        assert.equal((await store.leases.getLease('shop'))?.expiresAt, 1_900);
      }));

    it('a released lease is free at once for the next holder', () =>
      withLeases(async ({ store }) => {
        const a = (await store.leases.acquireLease('shop', 'a', 100, ttl))!;
        assert.equal(await store.leases.releaseLease(a), true);
        assert.equal(await store.leases.releaseLease(a), false, 'released once');
        assert.equal(await store.leases.renewLease(a, 200, ttl), undefined);
        const b = await store.leases.acquireLease('shop', 'b', 200, ttl);
        assert.equal(b?.holder, 'b');
        assert.equal(b?.generation, 2);
      }));

    it('processes racing for a free lease: exactly one wins', () =>
      withLeases(async ({ store, connect }) => {
        const others = await Promise.all(Array.from({ length: 4 }, () => connect()));
        try {
          for (const s of others) await s.migrate();
          const all = [store, ...others];
          for (let round = 0; round < 5; round++) {
            const now = 10_000 * (round + 1);
            const won = await Promise.all(all.map((s, i) => s.leases.acquireLease('shop', `p${i}`, now, ttl)));
            const winners = won.filter((l) => l !== undefined);
            assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(won)}`);
            assert.equal(winners[0]!.generation, round + 1);
          }
        } finally {
          for (const s of others) await s.close();
        }
      }));
  });
}
