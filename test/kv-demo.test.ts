// The key-value store's demo (examples/kv-store/README.md): the README's
// second command, run twice in a row from the repository (the first, `npm
// install`, built dist/ as it does on a clean clone), each exiting 0 within
// 60 s with every answer as expected and the history linearizable.

import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

describe('examples/kv-store/demo.mjs', () => {
  it('runs twice in a row, each time exiting 0 within 60 s', async () => {
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      const r = await execa('node', [join('examples', 'kv-store', 'demo.mjs')], { cwd: ROOT, reject: false, timeout: 120_000 });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(Date.now() - t0).toBeLessThan(60_000);
      expect(r.stdout).toContain('c2 Cas(key 0, 2 -> 3)              -> true');
      expect(r.stdout).toMatch(/^verdict: linearizable$/m);
      expect(r.stdout).not.toContain('expected');
    }
  }, 240_000);
});
