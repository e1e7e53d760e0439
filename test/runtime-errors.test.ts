import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRight } from 'fp-ts/lib/Either.js';
import { decodeVerifyResult } from '../src/report/codec.js';
import { CLI, mommie, ROOT } from './helpers/cli.js';

describe('evaluation errors while model checking', () => {
  it('reports a value outside its type with the MOMMIE location and the trace that reached it', async () => {
    const r = await mommie(['verify', 'test/fixtures/runtime/Overflow.mom']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('test/fixtures/runtime/Overflow.mom:20:41: error MOM501: field k of Tick would be 3, outside its type 0..2 (while n1 fires Step)');
    expect(r.stdout).toMatch(/trace to the failing evaluation \(3 states\)/);
    expect(r.stdout).toContain('3. n1 fires Step(t=Tick(k: 0))');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a division by zero inside a function as MOM500, in JSON too', async () => {
    const r = await mommie(['verify', '--json', 'test/fixtures/runtime/DivZero.mom']);
    expect(r.exitCode).toBe(2);
    const decoded = decodeVerifyResult(JSON.parse(r.stdout));
    expect(isRight(decoded)).toBe(true);
    if (!isRight(decoded)) return;
    const m = decoded.right.models[0]!;
    expect(m.status).toBe('error');
    expect(m.error?.code).toBe('MOM500');
    expect(m.error?.location).toBe('test/fixtures/runtime/DivZero.mom:6:47');
    expect(m.error?.trace?.steps.length).toBe(1);
  });

  it('an invariant that cannot be evaluated: the trace ends in the state where it failed', async () => {
    const r = await mommie(['verify', 'test/fixtures/runtime/InvariantDivZero.mom']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('test/fixtures/runtime/InvariantDivZero.mom:15:34: error MOM500: division by zero (10 / 0)');
    expect(r.stdout).toMatch(/trace to the failing evaluation \(2 states\)/);
    expect(r.stdout).toContain('2. n1 fires Drain()');
    expect(r.stdout).toMatch(/\? Share\s+unknown \(the search stopped at an evaluation error\)/);
  });

  it('an invariant that cannot be evaluated in the initial state: a one-state trace', async () => {
    const r = await mommie(['verify', 'test/fixtures/runtime/InitialInvariantDivZero.mom']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('InitialInvariantDivZero.mom:15:34: error MOM500: division by zero (10 / 0)');
    expect(r.stdout).toMatch(/trace to the failing evaluation \(1 state\):\n\s+1\. initial state\n\s+n1\.left = 0/);
  });
});

describe('Ctrl-C during a long run', () => {
  it('stops, prints the statistics so far and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-int-'));
    try {
      // Two active clients and four replicas, no symmetry: millions of states.
      const big = readFileSync(join(ROOT, 'specs', 'PrimaryBackup.mom'), 'utf8') + '\nMODEL Huge { }\n';
      const file = join(dir, 'Huge.mom');
      writeFileSync(file, big);
      const child = execa('node', [CLI, 'verify', file, '-m', 'Huge'], { reject: false });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(String(r.stderr)).toContain('interrupted');
      expect(String(r.stdout)).toMatch(/model Huge: interrupted/);
      expect(String(r.stdout)).toMatch(/\d+ states generated, \d+ distinct states/);
      expect(String(r.stdout)).toMatch(/unknown \(interrupted\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
