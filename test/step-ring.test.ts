// What a simulated run keeps for a violation's trace: the last steps, in
// order, with the count of those dropped before them; and a violation found
// on the simulated network shows its steps numbered from the initial state.

import { describe, expect, it } from 'vitest';
import { StepRing } from '../src/runtime/step-ring.js';
import { mommie } from './helpers/cli.js';

describe('StepRing', () => {
  it('keeps everything below its capacity', () => {
    const r = new StepRing<number>(4);
    for (let i = 1; i <= 3; i++) r.push(i);
    expect(r.items()).toEqual([1, 2, 3]);
    expect(r.dropped).toBe(0);
  });
  it('keeps the last `capacity` items, oldest first, and counts the rest', () => {
    for (const n of [4, 5, 7, 8, 9, 23]) {
      const r = new StepRing<number>(4);
      for (let i = 1; i <= n; i++) r.push(i);
      expect(r.items(), `${n} pushed`).toEqual([n - 3, n - 2, n - 1, n]);
      expect(r.dropped).toBe(n - 4);
    }
  });
});

describe('a violation on the simulated network', () => {
  it('prints its steps from the initial state, each rendered, numbered without a gap', async () => {
    const r = await mommie(['run', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '--deploy', 'specs/buggy/PrimaryBackupSmallQuorum.deploy', '--network', 'sim', '--model', 'ByzantineBackup', '--seeds', '200', '--faults', 'drop=0.1,dup=0.1,delay=1-40'], { timeoutMs: 120_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/invariant ValidReplies violated at seed \d+/);
    const numbers = [...r.stdout.matchAll(/^\s*(\d+)\. /gm)].map((m) => Number(m[1]));
    expect(numbers[0]).toBe(1);
    expect(numbers.length).toBeGreaterThan(3);
    numbers.forEach((n, i) => expect(n).toBe(i + 1));
    // Fires show their bindings' and changes' values as MOMMIE text.
    expect(r.stdout).toMatch(/fires /);
  });
});
