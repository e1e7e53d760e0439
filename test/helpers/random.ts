// Seeded randomness for fuzz and differential tests: a failure is replayed
// from its seed. One copy of the generator and its two helpers, shared.

/** A random number in [0, 1). */
export type Rand = () => number;

/** mulberry32: a small seeded generator. */
export function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

/** One of `xs`. */
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
