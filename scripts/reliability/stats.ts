/** Small numeric helpers for the reliability run: a seeded PRNG, percentiles, formatting. */

/** mulberry32: a small seeded PRNG, so a run's sequence of operations is reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with the given PRNG. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The `p`-th percentile (0–100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Milliseconds with one decimal, or "–". */
export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "–");

/** A count with thousands separators. */
export const n = (v: number): string => v.toLocaleString("en-US");

/** p50 / p99 / max of a list of latencies. */
export function spread(values: readonly number[]): string {
  if (values.length === 0) return "–";
  return `p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}, max ${ms(values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY))}`;
}
