import { randomUUID } from 'node:crypto';
import type { S3Api } from './s3-api.js';
import { listAllObjects } from './list-all-objects.js';
import { SluiceError } from '../../core/errors.js';

export interface ClaimPutOptions {
  /** Rounds of claim → list → withdraw before giving up (each waits a jittered backoff). */
  readonly maxRounds: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_CLAIM_OPTIONS: ClaimPutOptions = { maxRounds: 40, baseDelayMs: 20, maxDelayMs: 1000 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Create-if-absent for servers that ignore `If-None-Match: *`, built on strongly consistent
 * list-after-write (AWS S3 since 2020, MinIO, s3rver). `claims` is a folder (full key prefix)
 * that belongs to `key` alone. One round:
 *
 *   1. head(key): present → false.
 *   2. put a claim `claims/<time>-<uuid>` (unique to this call and round);
 *   3. list `claims/`: if it shows only our claim, head(key) once more (false if present), else
 *      put(key) and return true; afterwards delete our claim (the key now answers for it).
 *   4. otherwise someone else is claiming: withdraw our claim, back off (random, growing) and
 *      start the next round (whose head(key) returns false once the other caller has written).
 *
 * Why at most one caller writes: a claim is deleted only by its owner, and only when the owner
 * has decided not to write in that round or after the key exists. Take two callers that both
 * saw only their own claim, and say A's list happened before B's. A put its claim before its
 * list, and A did not withdraw it (A wrote), so at B's list A's claim was still there unless A
 * had already written the key and deleted it afterwards; in the first case B sees two claims
 * and does not write, in the second B's head(key) finds the key. Either way B returns false.
 *
 * Cost: 5 requests (head, claim, list, head, delete) plus the write, against 1 for a conditional
 * PUT; under contention, rounds and backoff until one caller is alone (the contract's 10 racing
 * callers settle well within the round budget). Not live under crashes: a caller killed between its claim
 * and its decision leaves a claim that makes everyone else withdraw until it is deleted by
 * hand; after `maxRounds` callers fail with an error naming the claims folder.
 */
export async function claimPut(
  api: S3Api,
  bucket: string,
  key: string,
  body: Uint8Array,
  claims: string,
  opts: ClaimPutOptions = DEFAULT_CLAIM_OPTIONS,
): Promise<boolean> {
  let others: string[] = [];
  for (let round = 0; round < opts.maxRounds; round++) {
    if (round > 0) await sleep(Math.random() * Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** round));
    if ((await api.headObject({ bucket, key })) !== undefined) return false;
    const mine = `${claims}${String(Date.now()).padStart(15, '0')}-${randomUUID()}`;
    let writing = false;
    let wrote = false;
    try {
      await api.putObject({ bucket, key: mine, body: new Uint8Array(0) });
      others = (await listAllObjects(api, bucket, claims)).map((o) => o.key).filter((k) => k !== mine);
      if (others.length === 0) {
        if ((await api.headObject({ bucket, key })) !== undefined) return false;
        writing = true;
        await api.putObject({ bucket, key, body });
        wrote = true;
        return true;
      }
    } finally {
      // Withdraw (we do not write this round: a claim left behind would block everyone, so a
      // failure here is an error) or tidy up (the key exists now: a leftover claim is harmless).
      // Not when the write failed: it may still land, so the claim stays and keeps others out.
      const remove = async (): Promise<void> => {
        const failed = await api.deleteObjects({ bucket, keys: [mine] });
        if (failed.length > 0)
          throw new SluiceError('STORAGE_IO', `cannot withdraw claim "${mine}": ${failed[0]?.reason ?? ''}`);
      };
      if (wrote) await remove().catch(() => undefined);
      else if (!writing) await remove();
    }
  }
  const oldest = others
    .map((k) => Number(k.slice(claims.length, claims.length + 15)))
    .filter(Number.isFinite)
    .sort((a, b) => a - b)[0];
  throw new SluiceError(
    'STORAGE_IO',
    `gave up after ${opts.maxRounds} rounds: ${others.length} other claim(s) under "${claims}"` +
      `${oldest === undefined ? '' : ` (oldest from ${new Date(oldest).toISOString()})`} but the key was not written; ` +
      'a writer that died between claiming and writing leaves such a claim: if no writer is running, delete that folder',
  );
}
