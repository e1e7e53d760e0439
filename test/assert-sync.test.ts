// Issue 21, items 12 and 13: a body program's step is atomic and finite.
// An async body is refused by the build (MOM705), one that returns a Promise
// anyway is refused by the run without taking the process down, on the
// simulated network and over TCP; a body that loops for ever (or recurses
// without end, or catches what stops it) is stopped at the build's work
// limit and reported with its transition and the .ts place (MOM706), and the
// run goes on. A hang is caught by the CLI helper's time limit (60 s, about
// ten times a quiet run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { PB, Scratch } from './helpers/body-fixtures.js';
import { makeKeys, tempDeploy } from './helpers/tcp-run.js';

let s: Scratch;
beforeAll(() => {
  s = new Scratch();
});
afterAll(() => s.remove());

describe('asynchronous body programs', () => {
  it('an async body (and its await) is a build error at its line; nothing is written', async () => {
    const dir = s.fixture('PBAsync');
    for (const extra of [[], ['--assert']]) {
      const b = await s.build(dir, extra);
      expect(b.stderr).toContain(`${s.line(dir, 'Replica.ts', 'async Execute')}3: error MOM705: an async function in a body program`);
      expect(b.stderr).toMatch(new RegExp(`${s.line(dir, 'Replica.ts', 'await ctx.fn')}\\d+: error MOM705: await in a body program`));
      expect(b.exitCode).toBe(1);
      expect(existsSync(join(s.dir, `out-${dir}`))).toBe(false);
    }
  });

  it('a body written as a generator is a build error', async () => {
    cpSync(join(ROOT, 'specs', 'bodies', 'PrimaryBackup'), join(s.dir, 'generator'), { recursive: true });
    const f = join(s.dir, 'generator', 'Replica.ts');
    writeFileSync(f, readFileSync(f, 'utf8').replace('Execute(ctx) {', '*Execute(ctx) {'));
    const b = await s.build('generator');
    expect(b.stderr).toContain(`${s.line('generator', 'Replica.ts', '*Execute')}3: error MOM705: the body program of Replica.Execute is a generator`);
    expect(b.exitCode).toBe(1);
  });

  it('a body that returns a rejected Promise is refused at run time; the simulated run carries on and completes', async () => {
    const dir = s.fixture('PBRejectedPromise');
    expect((await s.build(dir)).exitCode).toBe(0);
    const r = await s.runSim(dir);
    expect(r.stdout, r.stderr).toContain(`MOM703 at r4: the body program of Replica.Execute (${s.method(dir, 'Replica.ts', 'Execute')}) returned a Promise: a body program must be synchronous`);
    expect(r.stdout).not.toMatch(/MOM703 at r[123]/);
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.stderr).not.toContain('rejected after the step');
  });

  it('over TCP the node process refuses it likewise and does not die; the run completes', async () => {
    const dir = s.fixture('PBRejectedPromise');
    expect((await s.build(dir)).exitCode).toBe(0);
    const deploy = await tempDeploy('PrimaryBackup', s.dir);
    await makeKeys(deploy.path, join(s.dir, 'keys'));
    const r = await mommie(['run', PB, '--deploy', deploy.path, '--keys', 'keys', '--build', `out-${dir}`, '--requests', '2', '--timeout', '60000', '--trace', 'trace-tcp-promise'], { cwd: s.dir, timeoutMs: 90_000 });
    expect(r.stdout, r.stderr).toContain(`MOM703 at r4: the body program of Replica.Execute (${s.method(dir, 'Replica.ts', 'Execute')}) returned a Promise`);
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.stdout + r.stderr).not.toContain('rejected after the step');
    expect(r.stderr).not.toContain('stopped during the run');
    expect(r.stdout).not.toContain('(Replica, stopped)');
  });
});

describe('a body program that does not finish', () => {
  it('an endless loop is stopped at the work limit: MOM706 with the transition and the loop, and the run ends', async () => {
    const dir = s.fixture('PBLoop');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const r = await s.runSim(dir);
    expect(r.stdout).toContain(`specs/PrimaryBackup.mom:64:3: MOM706 at r1: the body program of Replica.Execute (${s.method(dir, 'Replica.ts', 'Execute')}) did not finish: more than 10,000,000 loop iterations and calls in one step, still running at ${s.line(dir, 'Replica.ts', 'while (n')}5`);
    expect(r.stdout).toContain('requests: 0 of 2 completed');
  });

  it('a program that catches what stops its loop is stopped all the same', async () => {
    const dir = s.fixture('PBCaughtLoop');
    expect((await s.build(dir)).exitCode).toBe(0);
    const r = await s.runSim(dir);
    expect(r.stdout).toContain(`MOM706 at r1: the body program of Replica.Execute (${s.method(dir, 'Replica.ts', 'Execute')}) did not finish`);
    expect(r.stdout).toContain(`still running at ${s.line(dir, 'Replica.ts', 'for (let i')}9`);
  });

  it('a recursion without a loop is counted per call', async () => {
    const dir = s.fixture('PBRecursion');
    expect((await s.build(dir)).exitCode).toBe(0);
    const r = await s.runSim(dir);
    expect(r.stdout).toContain(`MOM706 at r1: the body program of Replica.Execute (${s.method(dir, 'Replica.ts', 'Execute')}) did not finish: more than 10,000,000 loop iterations and calls in one step, still running at ${s.line(dir, 'Replica.ts', 'function paths')}1`);
  });

  it('--work-limit sets the bound; the correct body programs run within a small one', async () => {
    const dir = s.fixture('PBLoop');
    expect((await mommie(['build', PB, '--bodies', dir, '-o', 'out-small', '--work-limit', '1000'], { cwd: s.dir })).exitCode).toBe(0);
    const r = await mommie(['run', PB, '--deploy', join(ROOT, 'specs', 'PrimaryBackup.deploy'), '--network', 'sim', '--requests', '2', '--stall', '5000', '--build', 'out-small'], { cwd: s.dir });
    expect(r.stdout).toContain('did not finish: more than 1,000 loop iterations and calls in one step');
    cpSync(join(ROOT, 'specs', 'bodies', 'PrimaryBackup'), join(s.dir, 'pb'), { recursive: true });
    expect((await mommie(['build', PB, '--bodies', 'pb', '-o', 'out-pb', '--work-limit', '10'], { cwd: s.dir })).exitCode).toBe(0);
    const ok = await mommie(['run', PB, '--deploy', join(ROOT, 'specs', 'PrimaryBackup.deploy'), '--network', 'sim', '--requests', '2', '--build', 'out-pb'], { cwd: s.dir });
    expect(ok.stdout).toContain('requests: 2 of 2 completed');
    expect(ok.exitCode).toBe(0);
    const bad = await mommie(['build', PB, '--bodies', 'pb', '-o', 'out-zero', '--work-limit', '0'], { cwd: s.dir });
    expect(bad.stderr).toContain("--work-limit takes a positive whole number, not '0'");
    expect(bad.exitCode).toBe(1);
  });
});
