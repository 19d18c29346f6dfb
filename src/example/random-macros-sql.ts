/**
 * DuckDB macros that turn (seed, row id, column salt) into pseudo-random values with
 * `hash()`. Unlike `random()`, the result depends only on the arguments, so generated data
 * is the same for a seed whatever the thread count or the order rows are produced in.
 */
export function randomMacrosSql(seed: number): string[] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return [
    // Uniform in [0, 1): the top 53 bits of the hash over 2^53. DuckDB combines the hashes of
    // several arguments with a final XOR, which would make columns of one row correlated
    // (rnd(id, 'a') and rnd(id, 'b') differ by a constant XOR); hashing again mixes that away.
    `create or replace macro rnd(id, salt) as
       ((hash(hash(${seed}::BIGINT, id, salt)) >> 11)::DOUBLE / 9007199254740992.0)`,
    // Uniform integer in 0 .. n-1.
    `create or replace macro pick(id, salt, n) as (floor(rnd(id, salt) * n)::BIGINT)`,
    // Skewed integer in 0 .. n-1: P(rank < q*n) = q^(1/a), so with a = 3 the first 1% of ranks
    // draw about 21% of the picks (a power law: a few very busy entities, a long tail).
    `create or replace macro zipf_rank(id, salt, n, a) as
       (least(n - 1, floor(n * pow(rnd(id, salt), a)))::BIGINT)`,
    // A rank for busy-entity draws: a share \`hot\` of the draws go to the top 1% of ranks
    // (frequent customers), the rest follow zipf_rank. Keeps the head heavy without one entity
    // taking an absurd share, as a pure power law would with many entities.
    `create or replace macro hot_rank(id, salt, n, hot, a) as
       (case when rnd(id, salt || '_hot') < hot then pick(id, salt, greatest(1, n // 100))
             else zipf_rank(id, salt, n, a) end)`,
    // Maps a rank 0 .. n-1 to an id 1 .. n through a fixed permutation (multiplying by a prime
    // larger than n), so the busiest entities are spread over the id range, not ids 1, 2, 3.
    `create or replace macro scramble(r, n) as (((r::BIGINT * 2147483647) % n) + 1)`,
    // One element of a list, uniformly.
    `create or replace macro choose(items, id, salt) as (items[1 + pick(id, salt, len(items))])`,
    // Minutes after midnight as an interval.
    `create or replace macro minutes(m) as (to_minutes(m::BIGINT))`,
  ];
}
