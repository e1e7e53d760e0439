// Seeded randomness for fuzz and differential tests: a failure is replayed
// from its seed. The checker's generator and two helpers, shared.


/** A random number in [0, 1). */
export type Rand = () => number;

/** mulberry32, the seeded generator `verify --simulate` draws from. */
export { mulberry32 } from '../../src/check/simulate.js';

/** An integer in [0, n). */
export const int = (r: Rand, n: number): number => Math.floor(r() * n);

/** One of `xs`. */
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;
