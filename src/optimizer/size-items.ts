/**
 * Adaptive work sizing for a split task (pure). Each value of the split column is a unit of
 * work of some size (the bytes of its input partitions). Consecutive small values are coalesced
 * into one item up to `targetBytes`; a value bigger than twice the target is divided into parts
 * of about the target when the model allows it (`maxParts(value) > 1`: a row-wise model whose
 * partition has several files). If that makes more than `maxItems` items, the target is raised
 * until it does not. `targetBytes` 0 turns sizing off: one item per value, batched to
 * `maxItems` as before.
 */
export interface ValueSize {
  readonly value: string;
  readonly bytes: number;
}

export interface SizedItem {
  readonly values: readonly string[];
  /** This item is part `index` (0-based) of `of` of its single value. */
  readonly part?: { readonly index: number; readonly of: number };
  readonly bytes: number;
}

export interface Sizing {
  readonly items: SizedItem[];
  /** The target actually used (raised to respect maxItems). */
  readonly targetBytes: number;
  /** Values divided into parts. */
  readonly split: readonly { readonly value: string; readonly parts: number; readonly bytes: number }[];
  /** Values that share an item with others. */
  readonly coalesced: number;
  /** Largest value's bytes ÷ the median value's: 1 = even; high = skewed. Null for < 2 values. */
  readonly skew: number | null;
  readonly largest: ValueSize | null;
}

export function sizeItems(
  values: readonly ValueSize[],
  opts: { targetBytes: number; maxItems: number; maxParts: (value: string) => number },
): Sizing {
  const sorted = [...values].sort((a, b) => a.bytes - b.bytes);
  const median = sorted.length > 0 ? sorted[Math.floor((sorted.length - 1) / 2)]!.bytes : 0;
  const largest = sorted.at(-1) ?? null;
  const skew = values.length < 2 ? null : median > 0 ? largest!.bytes / median : largest!.bytes > 0 ? Infinity : 1;
  const report = { skew: skew === Infinity ? null : skew, largest };
  if (opts.targetBytes <= 0) {
    const size = Math.max(1, Math.ceil(values.length / opts.maxItems));
    const items: SizedItem[] = [];
    for (let i = 0; i < values.length; i += size) {
      const batch = values.slice(i, i + size);
      items.push({ values: batch.map((v) => v.value), bytes: batch.reduce((s, v) => s + v.bytes, 0) });
    }
    return {
      items,
      targetBytes: 0,
      split: [],
      coalesced: items.filter((i) => i.values.length > 1).reduce((s, i) => s + i.values.length, 0),
      ...report,
    };
  }
  let target = opts.targetBytes;
  for (;;) {
    const items: SizedItem[] = [];
    const split: { value: string; parts: number; bytes: number }[] = [];
    let group: ValueSize[] = [];
    const flush = () => {
      if (group.length > 0)
        items.push({ values: group.map((v) => v.value), bytes: group.reduce((s, v) => s + v.bytes, 0) });
      group = [];
    };
    for (const v of values) {
      const parts = v.bytes > 2 * target ? Math.min(opts.maxParts(v.value), Math.ceil(v.bytes / target)) : 1;
      if (parts > 1) {
        flush();
        split.push({ value: v.value, parts, bytes: v.bytes });
        for (let i = 0; i < parts; i++)
          items.push({ values: [v.value], part: { index: i, of: parts }, bytes: v.bytes / parts });
        continue;
      }
      if (group.length > 0 && group.reduce((s, g) => s + g.bytes, 0) + v.bytes > target) flush();
      group.push(v);
    }
    flush();
    if (items.length <= opts.maxItems || target > Number.MAX_SAFE_INTEGER / 4) {
      return {
        items,
        targetBytes: target,
        split,
        coalesced: items.filter((i) => i.values.length > 1).reduce((s, i) => s + i.values.length, 0),
        ...report,
      };
    }
    target *= 2;
  }
}

/** Divide files among `parts` bins of about equal bytes (largest first into the lightest bin); deterministic. */
export function divideFiles<F extends { readonly id: string; readonly bytes: number }>(
  files: readonly F[],
  parts: number,
): F[][] {
  const bins = Array.from({ length: parts }, () => ({ bytes: 0, files: [] as F[] }));
  for (const f of [...files].sort((a, b) => b.bytes - a.bytes || (a.id < b.id ? -1 : 1))) {
    const bin = bins.reduce((min, b) => (b.bytes < min.bytes ? b : min), bins[0]!);
    bin.files.push(f);
    bin.bytes += f.bytes;
  }
  return bins.map((b) => b.files.sort((a, c) => (a.id < c.id ? -1 : 1)));
}
