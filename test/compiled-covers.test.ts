// The compiled join's `*` check (coversAll) against its definition,
// `everyone.every((p) => actual.includes(p))`, on random principal lists:
// ascending ones (as statements carry them), unsorted ones and ones with
// duplicates (which only the definition's fallback sees).

import { describe, expect, it } from 'vitest';
import { coversAll } from '../src/semantics/compiled/join.js';
import { rng } from './helpers/compiled-diff.js';

describe('coversAll', () => {
  it('decides as everyone.every(includes) on sorted, unsorted and duplicated lists', () => {
    const r = rng(24);
    const names = ['c1', 'c2', 'c10', 'r1', 'r2', 'r3', 'r4', 'B', 'a_'];
    let covered = 0;
    for (let k = 0; k < 3000; k++) {
      const everyone = names.filter(() => r() < 0.7);
      const pool = [...names, 'x9'];
      let actual = pool.filter(() => r() < 0.8);
      if (r() < 0.3) actual = [...actual, ...actual.slice(0, 2)];
      if (r() < 0.5) actual.sort();
      else if (r() < 0.5) actual.reverse();
      const sorted = [...new Set(everyone)].sort();
      const want = everyone.every((p) => actual.includes(p));
      expect(coversAll(sorted, everyone, actual), `${everyone.join(',')} in ${actual.join(',')}`).toBe(want);
      if (want) covered++;
    }
    expect(covered).toBeGreaterThan(100);
  });
});
