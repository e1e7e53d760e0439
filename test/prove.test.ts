// `mommie prove` with a real tlapm, found as the product finds it (TLAPM,
// PATH, the cache); skipped with a message where there is none. Without tlapm:
// one sentence saying what to do.

import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proveResultCodec } from '../src/prove/result.js';
import { doctorReportCodec } from '../src/tools/doctor.js';
import { currentHost } from '../src/tools/platform.js';
import { resolveTlapm } from '../src/tools/tlapm.js';
import { CLI, ROOT } from './helpers/cli.js';

const tlapm = await resolveTlapm(currentHost());
const hasTlapm = isRight(tlapm);
if (!hasTlapm) console.log(`SKIPPED: mommie prove tests with tlapm (proofs, fingerprint cache, Ctrl-C) did not run: ${isLeft(tlapm) ? tlapm.left.message : ''}`);

async function cli(args: string[], env: Record<string, string>) {
  const r = await execa(process.execPath, [CLI, ...args], { cwd: ROOT, reject: false, env: { NO_COLOR: '1', ...env }, timeout: 180_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const PROOF = `---- MODULE PBProof ----
EXTENDS PrimaryBackup
THEOREM NoOneEmpty == NOONE = {}
  BY DEF NOONE
THEOREM EveryoneCorrect == Correct = Principals
  BY DEF Correct
====
`;

describe('without tlapm', () => {
  it('says what to do, exit 1, no stack trace', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mommie-notlapm-'));
    try {
      const r = await cli(['prove', 'specs/PrimaryBackup.mom'], { PATH: empty, TLAPM: '', XDG_CACHE_HOME: empty, HOME: empty });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('mommie prove: prove needs tlapm: tlapm (the TLA+ proof manager) is not on PATH');
      expect(r.stderr).toContain('Install TLAPS');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('--stretch takes a positive number; a proof module may not take the generated TypeOK proof\'s name', async () => {
    const bad = await cli(['prove', 'specs/PrimaryBackup.mom', '--stretch', '0'], {});
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("mommie prove: --stretch takes a number above 0 and at most 100, not '0'");
    const dir = mkdtempSync(join(tmpdir(), 'mommie-prove-name-'));
    try {
      const clash = join(dir, 'PrimaryBackup_TypeOK.tla');
      writeFileSync(clash, '---- MODULE PrimaryBackup_TypeOK ----\n====\n');
      const r = await cli(['prove', 'specs/PrimaryBackup.mom', clash], {});
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('has the name of the generated TypeOK proof');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing proof module is bad input before tlapm is looked for', async () => {
    const r = await cli(['prove', 'specs/PrimaryBackup.mom', 'proofs/Nope.tla'], {});
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('mommie prove: proofs/Nope.tla does not exist');
  });
});

describe.skipIf(!hasTlapm)('with tlapm', () => {
  it('tools doctor reports tlapm, its version and which backends answer', async () => {
    const r = await cli(['tools', 'doctor', '--json'], {});
    const report = doctorReportCodec.decode(JSON.parse(r.stdout));
    expect(isRight(report)).toBe(true);
    if (!isRight(report)) return;
    expect(report.right.tlapm.status).toBe('ok');
    expect(report.right.tlapm.backends).not.toBeNull();
    expect(report.right.tlapm.backends!.zenon.status).toBe('ok');
  });

  it('proves the generated module and a proof module: one proved, one failed, exit 2; nothing next to the proof; the cache remembers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-prove-test-'));
    const cache = mkdtempSync(join(tmpdir(), 'mommie-prove-cache-'));
    try {
      const proof = join(dir, 'PBProof.tla');
      writeFileSync(proof, PROOF);
      const first = await cli(['prove', 'specs/PrimaryBackup.mom', proof, '--no-typeok', '--json'], { XDG_CACHE_HOME: cache });
      expect(first.exitCode).toBe(2);
      const decoded = proveResultCodec.decode(JSON.parse(first.stdout));
      expect(isRight(decoded)).toBe(true);
      if (!isRight(decoded)) return;
      const r = decoded.right;
      expect(r.modules.map((m) => [m.file, m.generated, m.status])).toEqual([
        ['PrimaryBackup.tla', true, 'checked'],
        [proof, false, 'checked'],
      ]);
      expect(r.modules[1]!.obligations.map((o) => [o.location.line, o.status, o.cached])).toEqual([
        [4, 'proved', false],
        [6, 'failed', false],
      ]);
      expect(r.cacheDir.startsWith(join(cache, 'mommie', 'tlapm-fingerprints'))).toBe(true);
      expect(readdirSync(dir)).toEqual(['PBProof.tla']);
      expect(first.stderr).toMatch(/✓ .*PBProof\.tla:4:3 proved by/);

      const again = await cli(['prove', 'specs/PrimaryBackup.mom', proof, '--no-typeok'], { XDG_CACHE_HOME: cache });
      expect(again.exitCode).toBe(2);
      expect(again.stdout).toMatch(/✓ proved +smt +cached +.*PBProof\.tla:4:3/);
      expect(again.stdout).toContain('2 obligations: 1 proved, 1 failed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('a proof module with a parse error: exit 1, the error at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-prove-broken-'));
    try {
      const proof = join(dir, 'Bad.tla');
      writeFileSync(proof, '---- MODULE Bad ----\nEXTENDS PrimaryBackup\nFoo == 1 +\n====\n');
      const r = await cli(['prove', 'specs/PrimaryBackup.mom', proof, '--no-typeok'], { XDG_CACHE_HOME: dir });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toContain(`${proof}: rejected by tlapm`);
      expect(r.stdout).toMatch(new RegExp(`${proof.replace(/[.]/g, '\\.')}:\\d+:\\d+: error: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C stops tlapm and its backends: exit 130, no process and no work directory left', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mommie-prove-sigint-'));
    try {
      const proof = join(tmp, 'Slow.tla');
      writeFileSync(proof, '---- MODULE Slow ----\nEXTENDS Naturals, TLAPS\nTHEOREM \\A a, b, c \\in Nat : (a > 0 /\\ b > 0 /\\ c > 0) => a*a*a + b*b*b # c*c*c\n  BY SMTT(120)\n====\n');
      // TMPDIR and the cache make every command line of this run carry a path unique to it.
      const child = execa('node', [CLI, 'prove', 'specs/PrimaryBackup.mom', proof, '--no-typeok'], { cwd: ROOT, reject: false, env: { TMPDIR: tmp, XDG_CACHE_HOME: tmp, NO_COLOR: '1' } });
      // Wait for Z3 to be at work (a wait for an event, long enough for a loaded machine, not a speed limit).
      let z3Seen = false;
      for (let i = 0; i < 240 && !z3Seen; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const z3 = await execa('pgrep', ['-f', `z3 .*${tmp}`], { reject: false });
        z3Seen = String(z3.stdout).trim() !== '';
      }
      child.kill('SIGINT');
      expect(z3Seen).toBe(true);
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(String(r.stdout)).toMatch(/\? interrupted +smt/);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const left = await execa('pgrep', ['-f', tmp], { reject: false });
      expect(String(left.stdout).trim()).toBe('');
      expect(readdirSync(tmp).filter((f) => f.startsWith('mommie-prove-'))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
