// verify --engine: what a user sees with and without TLC. Tests that need TLC
// find it as the product does (TLA2TOOLS_JAR, then the install cache) and are
// skipped with a message when it is absent.

import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { XMLParser } from 'fast-xml-parser';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSanyErrors, runSany } from '../src/tlc/sany.js';
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

  it('mommie tla writes the modules and says SANY was not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-tla-nosany-'));
    try {
      const r = await cli(['tla', 'specs/PrimaryBackup.mom', '-m', 'AllCorrect', '-o', dir], withoutTlc());
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/SANY: not run \(TLC is not installed: .*'mommie tools doctor' says more\)/);
      expect(readdirSync(dir).sort()).toEqual(['MC_PrimaryBackup_AllCorrect.cfg', 'MC_PrimaryBackup_AllCorrect.tla', 'PrimaryBackup.tla']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the built-in engine runs: --heap does not apply, and --workers falls back to one for a model with a PROPERTY', async () => {
    const r = await cli(['verify', 'specs/PrimaryBackup.mom', '-m', 'CrashedBackup', '--engine', 'auto', '--workers', '2', '--heap', '512', '-q'], withoutTlc());
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('note: --heap applies to TLC');
    expect(r.stderr).toContain('[CrashedBackup] checked in process with one worker, not 2');
  });

  it('refuses an unknown engine', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '--engine', 'spin']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("unknown engine 'spin'");
  });
});

describe.skipIf(!hasTlc)('with TLC', () => {
  it('a set-valued variable over a wide type is checked in seconds: InType tests membership in SUBSET T instead of walking its subsets', async () => {
    // A full set of 24 values: the old CHOOSE walked 2^24 subsets a step and did
    // not finish in 100 s (quiet: 3 s); PBFTCounter's per-client tables made TLC
    // take over 15 minutes on ByzantineBackup's 21,796 states.
    const r = await cli(['verify', 'test/fixtures/tla/WideSet.mom', '--engine', 'tlc', '--json', '-q'], {});
    expect(r.exitCode, r.stderr).toBe(0);
    const m = (JSON.parse(r.stdout) as { models: { stats: { distinct: number } }[] }).models[0]!;
    expect(m.stats.distinct).toBe(301);
  });

  it('TLC and SANY unpack their standard modules into a directory of their own, removed afterwards, never the shared one', async () => {
    // JAVA_TOOL_OPTIONS points the JVM's default temporary directory somewhere
    // unusable: a JVM that unpacks TLC.tla there cannot parse the module, as
    // when two JVMs wrote the same /tmp/FiniteSets.tla at once.
    const mine = mkdtempSync(join(tmpdir(), 'mommie-jvmtmp-test-'));
    const out = mkdtempSync(join(tmpdir(), 'mommie-jvmtmp-tla-'));
    try {
      const env = { TMPDIR: mine, JAVA_TOOL_OPTIONS: '-Djava.io.tmpdir=/nonexistent/mommie-shared-tmp' };
      const r = await cli(['verify', 'specs/PrimaryBackup.mom', '-m', 'CrashedBackup', '--engine', 'tlc', '--json', '-q'], env);
      expect(r.exitCode, r.stderr).toBe(0);
      const t = await cli(['tla', 'specs/PrimaryBackup.mom', '-m', 'CrashedBackup', '-o', out], env);
      expect(t.exitCode, t.stderr).toBe(0);
      expect(t.stderr).toMatch(/SANY: (ok|accepted)/i);
      expect(readdirSync(mine)).toEqual([]);
    } finally {
      rmSync(mine, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('mommie tla has SANY check every generated module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-tla-sany-'));
    try {
      const r = await mommie(['tla', 'specs/PBFTNormal.mom', '-o', dir]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toMatch(/SANY: accepted MC_PBFTNormal_CrashedBackup\.tla, MC_PBFTNormal_ByzantineBackup\.tla, MC_PBFTNormal_ByzantinePrimary\.tla/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SANY rejecting a module gives its errors with module, line and column', async () => {
    if (!isRight(tlc)) return;
    const dir = mkdtempSync(join(tmpdir(), 'mommie-sany-bad-'));
    try {
      writeFileSync(join(dir, 'Good.tla'), '---- MODULE Good ----\nX == 1\n====\n');
      writeFileSync(join(dir, 'Bad.tla'), '---- MODULE Bad ----\nEXTENDS Naturals\nX == y + 1\n====\n');
      const r = await runSany({ java: tlc.right.java, jar: tlc.right.jar }, dir, ['Good.tla', 'Bad.tla']);
      if (!isLeft(r) || r.left.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(r)}`);
      expect(formatSanyErrors(r.left.errors)).toBe("Bad:3:6: Unknown operator: `y'.");
      const ok = await runSany({ java: tlc.right.java, jar: tlc.right.jar }, dir, ['Good.tla']);
      expect(isRight(ok)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves nothing next to the spec, and prints TLC counterexamples as MOMMIE steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-clean-'));
    try {
      copyFileSync(join(ROOT, 'specs', 'buggy', 'PrimaryBackupSmallQuorum.mom'), join(dir, 'Spec.mom'));
      const r = await mommie(['verify', 'Spec.mom', '--engine', 'tlc'], { cwd: dir });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toContain('engine tlc');
      expect(r.stdout).toMatch(/✗ ValidReplies\s+violated/);
      expect(r.stdout).toMatch(/4\. c1 fires Accept\(r=Reply\(/);
      // The JVM's peak memory, read from /proc where there is one.
      if (existsSync('/proc/self/status')) expect(r.stdout).toMatch(/peak RSS [1-9]\d* MB/);
      expect(readdirSync(dir)).toEqual(['Spec.mom']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks a program named like the translation\'s own binders (S, v, k, n, b, ...): SANY accepts it and TLC finds the built-in checker\'s states and verdicts', async () => {
    const outcome = async (engine: string) => {
      const r = await mommie(['verify', 'test/fixtures/tla/HelperNames.mom', '--engine', engine, '--json', '-q']);
      expect(r.exitCode, r.stderr).toBe(2);
      const out = JSON.parse(r.stdout) as { models: { model: string; stats: { distinct: number }; properties: { name: string; verdict: string; trace?: { steps: unknown[] } }[] }[] };
      // Distinct states are compared where the search ran to the end (a violation stops each engine at its own point).
      return out.models.map((m) => ({
        model: m.model,
        distinct: m.properties.some((p) => p.verdict === 'violated') ? undefined : m.stats.distinct,
        properties: m.properties.map((p) => [p.name, p.verdict, p.trace?.steps.length]),
      }));
    };
    const builtin = await outcome('builtin');
    expect(builtin.map((m) => m.model)).toEqual(['Small', 'ByzantineCollector']);
    expect(await outcome('tlc')).toEqual(builtin);
  });

  it('checks a program declaring the names the actions, the composed and the trace-validation modules bind (BinderNames): TLC as the built-in checker, the composed model refines, a run validates', { timeout: 600_000 }, async () => {
    const program = 'test/fixtures/tla/BinderNames.mom';
    const deploy = 'test/fixtures/tla/BinderNames.deploy';
    const outcome = async (engine: string) => {
      const r = await mommie(['verify', program, '--engine', engine, '--json', '-q'], { timeoutMs: 300_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { models: { model: string; stats: { distinct: number }; properties: { name: string; verdict: string }[] }[] };
      return out.models.map((m) => ({ model: m.model, distinct: m.stats.distinct, properties: m.properties.map((p) => [p.name, p.verdict]) }));
    };
    const builtin = await outcome('builtin');
    expect(builtin.map((m) => m.model)).toEqual(['AllCorrect', 'ByzantineBackup']);
    expect(await outcome('tlc')).toEqual(builtin);
    const refined = await mommie(['refine', program, '--deploy', deploy, '-m', 'AllCorrect', '--composed-only', '-q'], { timeoutMs: 300_000 });
    expect(refined.exitCode, refined.stdout + refined.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'mommie-binders-'));
    try {
      const run = await mommie(['run', program, '--deploy', deploy, '--network', 'sim', '--requests', '1', '--trace', dir]);
      expect(run.exitCode, run.stderr).toBe(0);
      const replayed = await mommie(['replay', program, dir, '--engine', 'tlc'], { timeoutMs: 300_000 });
      expect(replayed.exitCode, replayed.stdout + replayed.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports properties whose names TLA+ reserves (Next, TypeOK, Init) under their MOMMIE names, as the built-in engine does', async () => {
    const verdicts = async (engine: string) => {
      const r = await mommie(['verify', 'test/fixtures/tla/ReservedNames.mom', '--engine', engine, '--json', '-q']);
      expect(r.exitCode).toBe(2);
      const out = JSON.parse(r.stdout) as { models: { model: string; properties: { name: string; verdict: string; trace?: { steps: unknown[] } }[] }[] };
      return out.models.map((m) => ({ model: m.model, properties: m.properties.map((p) => [p.name, p.verdict, p.trace?.steps.length]) }));
    };
    const expected = (reaches1: string) => [
      { model: 'One', properties: [['Next', 'violated', 3], ['TypeOK', 'unknown', undefined], ['Init', 'unknown', undefined], ['Reaches1', 'unknown', undefined]] },
      { model: 'Safe', properties: [['TypeOK', 'holds', undefined], ['Init', 'violated', 2], ['Reaches1', reaches1, undefined]] },
    ];
    expect(await verdicts('builtin')).toEqual(expected('holds'));
    // TLC checks the temporal properties together and stops at the first behaviour that violates one.
    expect(await verdicts('tlc')).toEqual(expected('unknown'));
  });

  it('the JUnit report has the same suites, cases and outcomes with either engine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-junit-'));
    try {
      const shape = async (engine: string) => {
        const file = join(dir, `${engine}.xml`);
        const r = await mommie(['verify', 'specs/buggy/PrimaryBackupSmallQuorum.mom', '--engine', engine, '-q', '--reporter', 'junit', '-o', file]);
        expect(r.exitCode).toBe(2);
        const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(readFileSync(file, 'utf8')) as {
          testsuites: { testsuite: { '@_name': string; '@_tests': string; '@_failures': string; '@_skipped': string; properties: { property: { '@_name': string }[] }; testcase: Record<string, unknown>[] }[] };
        };
        return xml.testsuites.testsuite.map((ts) => ({
          name: ts['@_name'],
          counts: [ts['@_tests'], ts['@_failures'], ts['@_skipped']],
          properties: ts.properties.property.map((p) => p['@_name']),
          cases: ts.testcase.map((c) => ({ name: c['@_name'], outcome: 'failure' in c ? 'failure' : 'skipped' in c ? 'skipped' : 'error' in c ? 'error' : 'passed' })),
        }));
      };
      const builtin = await shape('builtin');
      expect(builtin[0]?.cases).toEqual([
        { name: 'ValidReplies', outcome: 'failure' },
        { name: 'InOrder', outcome: 'skipped' },
      ]);
      expect(await shape('tlc')).toEqual(builtin);
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
      // What was checked so far, under the model's bounds: nothing is claimed to hold.
      expect(String(r.stdout)).toContain('model TwoClients: interrupted, search incomplete');
      expect(String(r.stdout)).toContain('bounds: crashed: r4;');
      expect(String(r.stdout)).toMatch(/\? ClientsServed\s+unknown \(interrupted\)/);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const left = await execa('pgrep', ['-f', tmp], { reject: false });
      expect(String(left.stdout).trim()).toBe('');
      expect(readdirSync(tmp).filter((f) => f.startsWith('mommie-tlc-'))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('--timeout stops TLC: exit 4, every property unknown under the model\'s bounds and the limit', async () => {
    const r = await mommie(['verify', 'specs/PrimaryBackup.mom', '-m', 'TwoClients', '--no-symmetry', '--engine', 'tlc', '--timeout', '3', '--json']);
    expect(r.exitCode).toBe(4);
    const m = (JSON.parse(r.stdout) as { models: { status: string; bounds: { crashed: string[]; timeoutSeconds?: number }; properties: { name: string; verdict: string; detail?: string }[] }[] }).models[0]!;
    expect(m.status).toBe('limit');
    expect(m.bounds).toMatchObject({ crashed: ['r4'], timeoutSeconds: 3 });
    expect(m.properties.map((p) => [p.name, p.verdict, p.detail])).toEqual([
      ['ValidReplies', 'unknown', 'time limit 3 s reached'],
      ['InOrder', 'unknown', 'time limit 3 s reached'],
      ['ClientsServed', 'unknown', 'time limit 3 s reached'],
    ]);
  });

  it('a second Ctrl-C quits at once, still without a JVM or a temporary directory left behind', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'mommie-sigint2-'));
    try {
      const child = execa('node', [CLI, 'verify', 'specs/PrimaryBackup.mom', '-m', 'TwoClients', '--no-symmetry', '--engine', 'tlc'], {
        cwd: ROOT,
        reject: false,
        env: { TMPDIR: tmp },
      });
      await new Promise((resolve) => setTimeout(resolve, 6000));
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 50));
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode).toBe(130);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const left = await execa('pgrep', ['-f', tmp], { reject: false });
      expect(String(left.stdout).trim()).toBe('');
      expect(readdirSync(tmp).filter((f) => f.startsWith('mommie-tlc-'))).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
