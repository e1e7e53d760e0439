// A level of the parallel search (src/check/frontier.ts) against a plain
// array: the same states in the same order whatever is spilled to disk, read
// back, stolen from the end (takeLast) or handed in (push while reading),
// with chunks small enough that most of a level lives in its spill file.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Frontier, type FrontierEntry } from '../src/check/frontier.js';

const dir = mkdtempSync(join(tmpdir(), 'mommie-frontier-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic pseudo-random source, so that a failure can be re-run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function entry(rnd: () => number, k: number): { fp: number; words: number[] } {
  const len = 1 + Math.floor(rnd() * 40);
  // Fingerprints use all 53 bits, as cyrb53's do.
  const fp = Math.floor(rnd() * 2 ** 21) * 4294967296 + Math.floor(rnd() * 4294967296);
  return { fp, words: Array.from({ length: len }, (_, i) => (k * 131 + i) | 0) };
}

const plain = (e: FrontierEntry): { fp: number; words: number[] } => ({ fp: e.fp, words: [...e.packed] });

describe('a level that spills to disk', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`keeps FIFO order through spills, read-backs, takeLast and pushes while reading (seed ${seed})`, () => {
      const rnd = random(seed);
      const path = join(dir, `level-${seed}.bin`);
      const f = new Frontier({ path, maxChunksInMemory: 3, chunkWords: 64 });
      const model: { fp: number; words: number[] }[] = [];
      let k = 0;
      for (let i = 0; i < 500; i++) {
        const e = entry(rnd, k++);
        f.push(e.fp, Int32Array.from(e.words));
        model.push(e);
      }
      expect(f.spilledBytes).toBeGreaterThan(0);
      expect(existsSync(path)).toBe(true);
      // At most the allowed chunks (of at most 64 words, or one record) are in memory.
      expect(f.bytes).toBeLessThanOrEqual(3 * 4 * 64);
      const got: { fp: number; words: number[] }[] = [];
      let read = 0;
      while (f.remaining > 0) {
        const op = rnd();
        if (op < 0.7) {
          got.push(plain(f.next()!));
          read++;
        } else if (op < 0.85) {
          const n = Math.floor(rnd() * Math.min(f.remaining, 60));
          const taken = f.takeLast(n).map(plain);
          expect(taken).toEqual(model.slice(model.length - n));
          model.splice(model.length - n, n);
        } else {
          const e = entry(rnd, k++);
          f.push(e.fp, Int32Array.from(e.words));
          model.push(e);
        }
        expect(f.remaining).toBe(model.length - read);
        expect(f.bytes).toBeLessThanOrEqual(3 * 4 * 64);
      }
      expect(f.next()).toBeUndefined();
      expect(got).toEqual(model);
      expect(f.size).toBe(model.length);
      f.dispose();
      expect(existsSync(path)).toBe(false);
    });
  }

  it('without a spill file keeps everything in memory and drops the chunks it has read', () => {
    const rnd = random(9);
    const f = new Frontier();
    const model = Array.from({ length: 20_000 }, (_, k) => entry(rnd, k));
    for (const e of model) f.push(e.fp, Int32Array.from(e.words));
    const full = f.bytes;
    expect(f.spilledBytes).toBe(0);
    const got = model.slice(0, 15_000).map(() => plain(f.next()!));
    expect(got).toEqual(model.slice(0, 15_000));
    expect(f.bytes).toBeLessThan(full);
    expect(f.takeLast(5_000).map(plain)).toEqual(model.slice(15_000));
    expect(f.next()).toBeUndefined();
  });
});
