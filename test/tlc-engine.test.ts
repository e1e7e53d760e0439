// verify --engine: what a user sees with and without TLC. Tests that need TLC
// find it as the product does (TLA2TOOLS_JAR, then the install cache) and are
// skipped with a message when it is absent.

import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTlc } from '../src/tools/resolve.js';
import { CLI, mommie, ROOT } from './helpers/cli.js';

const tlc = await resolveTlc();
const hasTlc = isRight(tlc);
if (!hasTlc) console.log(`SKIPPED: TLC engine tests (clean spec folder, Ctrl-C kills the JVM) did not run: ${isLeft(tlc) ? tlc.left.message : ''}`);

function withoutTlc(): Record<string, string> {
  const empty = mkdtempSync(join(tmpdir(), 'mommie-nocache-'));
  return { TLA2TOOLS_JAR: '', XDG_CACHE_HOME: empty, HOME: empty };
}

async function cli(args: string[], env: Record<string, string>, cwd = ROOT) {
  const r = await execa('node', [CLI, ...args], { cwd, reject: false, env, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('without TLC', () => {
  it('--engine auto runs the built-in checker and says why', async () => {
    const r = await cli(['verify', 'specs/PrimaryBackup.mom', '-m', 'CrashedBackup', '--engine', 'auto', '-q'], withoutTlc());
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/engine: builtin \(TLC is not available: .*run 'mommie tools doctor'\)/);
    expect(r.stdout).toContain('engine builtin');
  });

  it('--engine tlc says how to install TLC, exit 1, no stack trace', async () => {
    const r = await cli(['verify', 'specs/PrimaryBackup.mom', '--engine', 'tlc'], withoutTlc());
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('mommie tools install');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown engine', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '--engine', 'spin']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("unknown engine 'spin'");
  });
});

describe.skipIf(!hasTlc)('with TLC', () => {
  it('leaves nothing next to the spec, and prints TLC counterexamples as MOMMIE steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-clean-'));
    try {
      copyFileSync(join(ROOT, 'specs', 'buggy', 'PrimaryBackupSmallQuorum.mom'), join(dir, 'Spec.mom'));
      const r = await mommie(['verify', 'Spec.mom', '--engine', 'tlc'], { cwd: dir });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toContain('engine tlc');
      expect(r.stdout).toMatch(/✗ ValidReplies\s+violated/);
      expect(r.stdout).toMatch(/4\. c1 fires Accept\(r=Reply\(/);
      expect(readdirSync(dir)).toEqual(['Spec.mom']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C stops TLC and leaves no JVM behind', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mommie-sigint-'));
    try {
      // TMPDIR makes the JVM's command line carry a path unique to this test.
      const child = execa('node', [CLI, 'verify', 'specs/PrimaryBackup.mom', '-m', 'TwoClients', '--no-symmetry', '--engine', 'tlc'], {
        cwd: ROOT,
        reject: false,
        env: { TMPDIR: tmp },
      });
      await new Promise((resolve) => setTimeout(resolve, 6000));
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const left = await execa('pgrep', ['-f', tmp], { reject: false });
      expect(String(left.stdout).trim()).toBe('');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
