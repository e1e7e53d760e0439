// `mommie verify --simulate N` (issue 27 item 5): random walks find every
// planted bug of specs/buggy (the liveness one decided on a complete fair
// behaviour), under seeds 1-5, reproducibly; without a violation nothing is
// claimed to hold; cut walks decide safety only; bad combinations refused.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { chooseStep, simulateModel } from '../src/check/simulate.js';
import type { Successor } from '../src/semantics/system.js';
import { decodedVerify, mommie, ROOT } from './helpers/cli.js';

/** Each planted bug and what must be found violated (the one an exhaustive search reports, or another the bug breaks). */
const PLANTED = [
  { file: 'specs/buggy/BrachaSmallAmplification.mom', model: 'ByzantineProcess', violated: ['Validity', 'Agreement', 'Integrity'] },
  { file: 'specs/buggy/PBFTUnsignedRequest.mom', model: 'ByzantinePrimary', violated: ['Agreement', 'OnlySubmitted', 'SameState', 'ConsistentReplies'] },
  { file: 'specs/buggy/PrimaryBackupCrashedPrimary.mom', model: 'CrashedPrimary', violated: ['ClientsServed'] },
  { file: 'specs/buggy/PrimaryBackupSmallQuorum.mom', model: 'ByzantineBackup', violated: ['ValidReplies', 'InOrder'] },
];

describe('simulation finds the planted bugs', () => {
  for (const p of PLANTED) {
    it(`${p.file} (${p.model}), seeds 1-5, at most 10,000 walks each`, async () => {
      const fe = checkFile(join(ROOT, p.file));
      expect(fe.ok).toBe(true);
      for (let seed = 1; seed <= 5; seed++) {
        const r = await simulateModel(fe.program!, fe.source, p.model, { walks: 10_000, seed, deadlock: false, symmetry: true });
        expect(r.status, `seed ${seed}`).toBe('violation');
        const found = r.properties.filter((x) => x.verdict === 'violated');
        expect(found.length, `seed ${seed}`).toBe(1);
        expect(p.violated, `seed ${seed}`).toContain(found[0]!.name);
        expect(found[0]!.trace!.steps.length).toBeGreaterThan(1);
        // Nothing else is claimed to hold.
        expect(r.properties.filter((x) => x.verdict === 'holds')).toEqual([]);
      }
    });
  }

  it('decides liveness on a complete fair behaviour: the counterexample ends stuttering', async () => {
    const r = await mommie(['verify', 'specs/buggy/PrimaryBackupCrashedPrimary.mom', '--simulate', '100', '--json', '-q']);
    expect(r.exitCode).toBe(2);
    const cs = decodedVerify(r).models[0]!.properties.find((x) => x.name === 'ClientsServed')!;
    expect(cs.verdict).toBe('violated');
    expect(cs.detail).toMatch(/^ClientsServed\[c=c1, op=0\]: a fair behaviour that never satisfies it; walk \d+ of seed 1/);
    expect(cs.trace!.loopsTo).toBe(cs.trace!.steps.length);
  });

  it('repeats a counterexample from its seed and walk number', async () => {
    const first = decodedVerify(await mommie(['verify', 'specs/buggy/PBFTUnsignedRequest.mom', '--simulate', '10000', '--seed', '4', '--json', '-q']));
    const v = first.models[0]!.properties.find((x) => x.verdict === 'violated')!;
    const walk = /walk (\d+) of seed 4: --simulate (\d+) --seed 4 repeats it/.exec(v.detail ?? '');
    expect(walk).not.toBeNull();
    const again = decodedVerify(await mommie(['verify', 'specs/buggy/PBFTUnsignedRequest.mom', '--simulate', walk![2]!, '--seed', '4', '--json', '-q']));
    const w = again.models[0]!.properties.find((x) => x.verdict === 'violated')!;
    expect(w.name).toBe(v.name);
    expect(w.trace).toEqual(v.trace);
  });
});

describe('simulation of a correct model', () => {
  it('claims nothing holds, counts its walks, and exits 4', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '-m', 'TwoClients', '--simulate', '60', '--seed', '7', '--json', '-q']);
    expect(r.exitCode).toBe(4);
    const m = decodedVerify(r).models[0]!;
    expect(m.status).toBe('limit');
    expect(m.bounds.simulation).toEqual({ walks: 60, seed: 7 });
    for (const p of m.properties) {
      expect(p.verdict).toBe('unknown');
      expect(p.detail).toBe('not violated in 60 random walks from seed 7; 60 ran to a fair end; simulation does not prove it');
    }
    expect(m.stats.distinct).toBeGreaterThan(60);
  });

  it('says when cut walks could not decide a liveness property', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '-m', 'TwoClients', '--simulate', '20', '--depth', '3', '--json', '-q']);
    expect(r.exitCode).toBe(4);
    const props = decodedVerify(r).models[0]!.properties;
    expect(props.find((p) => p.name === 'ClientsServed')!.detail).toContain('not decided: no walk of the 20 random walks from seed 1 ran to a fair end (every one was cut at depth 3)');
    expect(props.find((p) => p.name === 'ValidReplies')!.detail).toContain('not violated in 20 random walks from seed 1; 0 ran to a fair end, 20 cut at depth 3');
  });
});

describe('simulation: bad input', () => {
  const cases: [string, string[], string][] = [
    ['zero walks', ['--simulate', '0'], '--simulate takes a positive whole number'],
    ['--depth alone', ['--depth', '3'], '--depth goes with --simulate N'],
    ['with --por', ['--simulate', '5', '--por'], '--por applies to the exhaustive search, not to --simulate'],
    ['with --max-depth', ['--simulate', '5', '--max-depth', '3'], '(use --depth D)'],
    ['a bad seed', ['--simulate', '5', '--seed', 'x'], '--seed x: not a whole number >= 0'],
    ['with TLC', ['--simulate', '5', '--engine', 'tlc'], "--simulate is the built-in engine's"],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await mommie(['verify', 'specs/PrimaryBackup.mom', ...args]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(message);
    });
  }
});

describe('chooseStep', () => {
  it('draws the kind of step and the node before the step, so one fire is not drowned by 100 publications', () => {
    const step = (kind: 'fire' | 'byzantine', node: number, k: number): Successor => ({ action: kind === 'fire' ? ({ kind, node, k } as never) : { kind, node, statement: k }, state: undefined as never });
    const steps = [step('fire', 0, 0), ...Array.from({ length: 100 }, (_, k) => step('byzantine', 1, k))];
    let a = 1;
    const random = (): number => {
      a = (a * 48271) % 2147483647;
      return a / 2147483647;
    };
    let fires = 0;
    for (let i = 0; i < 2000; i++) if (chooseStep(steps, random).action.kind === 'fire') fires++;
    expect(fires).toBeGreaterThan(850);
    expect(fires).toBeLessThan(1150);
  });
});
