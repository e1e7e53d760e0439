// The exit codes of `mommie run` (docs/runtime.md, "Exit codes"): one table
// for both networks, each row run here through the built CLI on
// test/fixtures/run/Server.mom, whose deploy files each break a run in one
// way. A finding (2) comes before an unfinished run (4): a run whose steps
// abort, or whose body programs differ from their specs, is never cut down
// to "unfinished" by the timeout that follows, and never passes as ok.
// TCP runs use free loopback ports and their own trace directory; no
// process of theirs is left behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitForRun, EXIT } from '../src/cli/exit-codes.js';
import { runVerdict, type RunFacts } from '../src/runtime/verdict.js';
import { mommie, ROOT, type CliRun } from './helpers/cli.js';
import { deployOnFreePorts, fires, makeKeys, pids, startMommie, until } from './helpers/tcp-run.js';

const SPEC = join(ROOT, 'test', 'fixtures', 'run', 'Server.mom');
const deployOf = (variant: string): string => join(ROOT, 'test', 'fixtures', 'run', `Server${variant === '' ? '' : `-${variant}`}.deploy`);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mommie-exit-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A build of Server.mom whose Serve is `serve` (the body of the TypeScript method). */
async function build(name: string, serve: string, assert: boolean): Promise<string> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Server.ts'), `import { Reply, type ServerBodies } from './mommie.js';\n\nexport default {\n  Serve(ctx) {\n${serve}\n  },\n} satisfies ServerBodies;\n`);
  const b = await mommie(['build', SPEC, '--bodies', name, '-o', `out-${name}`, ...(assert ? ['--assert'] : [])], { cwd: tmp });
  expect(b.exitCode, b.stderr).toBe(0);
  return join(tmp, `out-${name}`);
}

// Replies to the server itself instead of the client: the client is never answered.
const MISROUTED = "    const { r } = ctx.binding;\n    ctx.publish({ verifiers: 's1', record: Reply({ id: r.id, res: 3 }) });\n    ctx.state.served += 1;";
const THROWS = "    const { r } = ctx.binding;\n    throw new Error('cannot serve ' + r.id);";

const sim = (variant: string, extra: readonly string[] = []): Promise<CliRun> => mommie(['run', SPEC, '--deploy', deployOf(variant), '--network', 'sim', '--requests', '2', ...extra]);

describe('exit codes on the simulated network', () => {
  it('0: every request answered, no step aborted, every invariant held after every step', async () => {
    const r = await sim('');
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.stdout).toMatch(/^verdict: ok \(checked: Served held after every step; no step aborted; every request started was answered \(2 of 2\)\)$/m);
    expect(r.exitCode).toBe(0);
  });

  it('1: bad input', async () => {
    const r = await sim('', ['--stall', 'soon']);
    expect(r.stderr).toContain('--stall');
    expect(r.exitCode).toBe(1);
  });

  it('2: an invariant violated, with the steps that led to it', async () => {
    const r = await sim('Limit');
    expect(r.stdout).toContain('finding: invariant Served violated');
    expect(r.stdout).toContain('invariant Served violated at seed 1:');
    expect(r.stdout).toMatch(/fires Serve/);
    expect(r.exitCode).toBe(2);
  });

  it('2: a body spec that divides by zero aborts its step (the request is never answered)', async () => {
    const r = await sim('DivZero');
    expect(r.stdout).toMatch(/Server\.mom:\d+:\d+: MOM500 at s1: division by zero/);
    expect(r.stdout).toContain('finding: 1 step aborted: a body failed');
    expect(r.stdout).toContain('verdict: NOT OK: a finding');
    expect(r.exitCode).toBe(2);
  });

  it('2: a body spec that computes a value outside its type aborts its step', async () => {
    const r = await sim('Overflow');
    expect(r.stdout).toMatch(/MOM501 at s1: .*outside its type 0\.\.3/);
    expect(r.stdout).toContain('finding: 1 step aborted');
    expect(r.exitCode).toBe(2);
  });

  it('2: a body program that throws aborts its step', async () => {
    const out = await build('throws', THROWS, false);
    const r = await sim('', ['--build', out]);
    expect(r.stdout).toMatch(/MOM703 at s1: the body program of Server\.Serve .* threw at .*: cannot serve 0/);
    expect(r.stdout).toContain('finding: 1 step aborted');
    expect(r.exitCode).toBe(2);
  });

  it('2: a body program that publishes a value outside its type aborts its step', async () => {
    const out = await build('out-of-type', "    const { r, c } = ctx.binding;\n    ctx.publish({ verifiers: c, record: Reply({ id: r.id, res: 9 }) });\n    ctx.state.served += 1;", false);
    const r = await sim('', ['--build', out]);
    expect(r.stdout).toMatch(/MOM501 at s1: the record published at .*Server\.ts:\d+:\d+ would be Reply\(id: 0, res: 9\), outside its type Reply/);
    expect(r.stdout).toContain('finding: 1 step aborted');
    expect(r.exitCode).toBe(2);
  });

  it('2: a step of a body program that differs from its body spec (--assert)', async () => {
    const out = await build('misrouted', MISROUTED, true);
    const r = await sim('', ['--build', out]);
    expect(r.stderr).toContain('error MOM702: Server.Serve: PUBLISH differs from the body spec');
    expect(r.stderr).toMatch(/assertions \(log\): 1 step of body programs compared with their body specs, 1 violation/);
    expect(r.stdout).toContain('finding: 1 step of body programs differed from their body specs');
    expect(r.exitCode).toBe(2);
  });

  it('2: a request never answered although nothing failed: nothing was left to happen', async () => {
    const r = await sim('Idle');
    expect(r.stdout).toMatch(/^finding: no progress: request c1:Submit\(0\), started at 0 ms, was never answered \(nothing was left to happen\)$/m);
    expect(r.exitCode).toBe(2);
  });

  it('0 under a model that promises no progress: the unanswered request is a note, not a finding', async () => {
    const r = await sim('Idle', ['--model', 'SafetyOnly']);
    expect(r.stdout).toMatch(/^note: request c1:Submit\(0\), .* model SafetyOnly checks no temporal property, so it promises no progress/m);
    expect(r.stdout).toMatch(/^verdict: ok \(checked: Served held after every step; no step aborted\)$/m);
    expect(r.exitCode).toBe(0);
  });

  it('4: --timeout came before the run was done', async () => {
    const r = await sim('', ['--timeout', '5']);
    expect(r.stdout).toContain('unfinished: --timeout (5 ms) came first: 0 of 1 requests started were answered (2 asked)');
    expect(r.exitCode).toBe(4);
  });

  it("0 with a Byzantine node: the run lasts until it has published its model's budget, and says so", async () => {
    // ByzantineSender has no correct client: the run used to stop before p1 ever acted.
    const r = await mommie(['run', 'specs/BrachaBroadcast.mom', '--deploy', 'specs/BrachaBroadcast.deploy', '--network', 'sim', '--model', 'ByzantineSender']);
    expect(r.stdout).toMatch(/^ {2}Byzantine p1: published 2 of the 2 statements of its own its model allows; /m);
    expect(r.stdout).toMatch(/^ {2}p[234] \(Process\): fired .*EchoInitial×1/m);
    expect(r.stdout).toMatch(/^verdict: ok \(checked: Agreement, Integrity held after every step; no step aborted; Byzantine p1 published 2 of 2\)$/m);
    expect(r.exitCode).toBe(0);
  });

  it('4: a Byzantine node that never acted', async () => {
    const r = await mommie(['run', 'specs/BrachaBroadcast.mom', '--deploy', 'specs/BrachaBroadcast.deploy', '--network', 'sim', '--model', 'ByzantineSender', '--timeout', '1']);
    expect(r.stdout).toContain('unfinished: Byzantine p1 never acted: it published none of the 2 statements its model allows');
    expect(r.exitCode).toBe(4);
  });

  it('--seeds stops at the first seed whose run is not ok, and reports it', async () => {
    const r = await sim('DivZero', ['--seeds', '5']);
    expect(r.stdout).toContain('on the simulated network, seed 1');
    expect(r.exitCode).toBe(2);
  });
});

describe('exit codes over TCP', () => {
  let keys: string;
  beforeAll(async () => {
    const d = await deployOnFreePorts(readFileSync(deployOf(''), 'utf8'), join(tmp, 'keys.deploy'));
    keys = join(tmp, 'keys');
    await makeKeys(d.path, keys);
  });

  /** The variant's deploy file on free ports, and a trace directory of its own. */
  async function place(name: string, variant: string): Promise<{ deploy: string; traces: string }> {
    const sub = join(tmp, `tcp-${name}`);
    mkdirSync(sub, { recursive: true });
    const d = await deployOnFreePorts(readFileSync(deployOf(variant), 'utf8'), join(sub, 'Server.deploy'));
    return { deploy: d.path, traces: join(sub, 'traces') };
  }

  async function tcp(name: string, variant: string, extra: readonly string[] = []): Promise<CliRun> {
    const p = await place(name, variant);
    try {
      return await mommie(['run', SPEC, '--deploy', p.deploy, '--keys', keys, '--network', 'tcp', '--requests', '2', '--trace', p.traces, ...extra], { timeoutMs: 60_000 });
    } finally {
      expect(await pids(p.traces), 'processes of the run left behind').toEqual([]);
    }
  }

  it('0: every client finished; what it did not check (invariants) is said', async () => {
    const r = await tcp('ok', '', ['--timeout', '30000']);
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.stdout).toContain("note: invariants are not evaluated over TCP (no process sees every node): 'mommie replay' checks the logs");
    expect(r.stdout).toMatch(/^verdict: ok \(checked: no step aborted; every request started was answered \(2 of 2\)\)$/m);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('1: a TCP run without key files', async () => {
    const r = await mommie(['run', SPEC, '--deploy', deployOf(''), '--network', 'tcp']);
    expect(r.stderr).toContain('--network tcp needs --keys DIR');
    expect(r.exitCode).toBe(1);
  });

  it('2, not 4: an aborted step, then the timeout', async () => {
    const r = await tcp('divzero', 'DivZero', ['--timeout', '3000']);
    expect(r.stdout).toMatch(/MOM500 at s1: division by zero/);
    expect(r.stdout).toContain('finding: 1 step aborted');
    expect(r.stdout).toContain('unfinished: --timeout (3000 ms) came first');
    expect(r.exitCode).toBe(2);
  });

  it('2, not 4: assertion violations, then the timeout; the violations over the nodes are counted', async () => {
    const out = await build('tcp-misrouted', MISROUTED, true);
    const r = await tcp('misrouted', '', ['--build', out, '--timeout', '3000']);
    expect(r.stderr).toMatch(/\[s1\] s1: error MOM702: Server\.Serve: PUBLISH differs from the body spec/);
    expect(r.stderr).toContain('mommie run: assertions: 1 violation over the nodes');
    expect(r.stdout).toContain('finding: 1 step of body programs differed from their body specs');
    expect(r.exitCode).toBe(2);
  });

  it('4: --timeout came before every client finished', async () => {
    const r = await tcp('idle', 'Idle', ['--timeout', '3000']);
    expect(r.stderr).toContain('--timeout: stopped after 3.0 s with 0 of 2 requests completed');
    expect(r.stdout).toContain('unfinished: --timeout (3000 ms) came first: 0 of 1 requests started were answered (2 asked)');
    expect(r.exitCode).toBe(4);
  });

  it('4: a client process died before finishing its requests', async () => {
    const p = await place('killed', 'Idle');
    const run = startMommie(['run', SPEC, '--deploy', p.deploy, '--keys', keys, '--network', 'tcp', '--requests', '2', '--trace', p.traces, '--timeout', '60000']);
    try {
      await until('the first request', () => fires(join(p.traces, 'c1.ndjson'), 'Submit') >= 1, 30_000);
      const [c1] = await pids(`--node c1 --trace-dir ${p.traces}`);
      process.kill(c1!, 'SIGKILL');
      const r = await run;
      expect(r.all).toContain('unfinished: c1 stopped before finishing its requests');
      expect(r.exitCode).toBe(4);
    } finally {
      run.kill('SIGKILL');
      expect(await pids(p.traces)).toEqual([]);
    }
  });

  it('4: a model with a Byzantine node, which TCP does not play', async () => {
    const sub = join(tmp, 'tcp-byzantine');
    mkdirSync(sub, { recursive: true });
    const d = await deployOnFreePorts(readFileSync(join(ROOT, 'specs', 'PrimaryBackup.deploy'), 'utf8'), join(sub, 'PrimaryBackup.deploy'));
    await makeKeys(d.path, join(sub, 'keys'));
    const traces = join(sub, 'traces');
    try {
      const r = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', d.path, '--keys', join(sub, 'keys'), '--network', 'tcp', '--model', 'ByzantineBackup', '--requests', '2', '--trace', traces, '--timeout', '30000'], { timeoutMs: 60_000 });
      expect(r.stdout).toContain('requests: 1 of 1 completed');
      expect(r.stdout).toContain('unfinished: Byzantine r4 never acted: TCP does not play Byzantine nodes (run the model on the simulated network)');
      expect(r.exitCode).toBe(4);
    } finally {
      expect(await pids(traces)).toEqual([]);
    }
  });

  it('130: interrupted', async () => {
    const p = await place('sigint', 'Idle');
    const run = startMommie(['run', SPEC, '--deploy', p.deploy, '--keys', keys, '--network', 'tcp', '--requests', '2', '--trace', p.traces, '--timeout', '60000']);
    try {
      await until('the first request', () => fires(join(p.traces, 'c1.ndjson'), 'Submit') >= 1, 30_000);
      run.kill('SIGINT');
      const r = await run;
      expect(r.all).toContain('verdict: interrupted');
      expect(r.exitCode).toBe(130);
    } finally {
      run.kill('SIGKILL');
      expect(await pids(p.traces)).toEqual([]);
    }
  });
});

describe('the verdict of a run', () => {
  const clean: RunFacts = { network: 'tcp', progressPromised: true, aborted: 0, requests: { asked: 2, started: 2, completed: 2, exhausted: false }, byzantine: [] };

  it('3: mommie failing in a node process is never ok, and a finding still comes first', () => {
    const failed = runVerdict({ ...clean, failed: 'internal error in the process of r2' });
    expect(failed.outcome).toBe('failed');
    expect(exitForRun(failed.outcome)).toBe(EXIT.INTERNAL);
    expect(exitForRun(runVerdict({ ...clean, failed: 'internal error', aborted: 1 }).outcome)).toBe(EXIT.VIOLATION);
  });

  it('the order of the table: interrupted, then a finding, then mommie failing, then an unfinished run', () => {
    const timedOut = { ...clean, timedOut: 1000 };
    expect(exitForRun(runVerdict(timedOut).outcome)).toBe(EXIT.INCOMPLETE);
    expect(exitForRun(runVerdict({ ...timedOut, failed: 'internal error' }).outcome)).toBe(EXIT.INTERNAL);
    expect(exitForRun(runVerdict({ ...timedOut, assertionViolations: 1 }).outcome)).toBe(EXIT.VIOLATION);
    expect(exitForRun(runVerdict({ ...timedOut, assertionViolations: 1, interrupted: true }).outcome)).toBe(EXIT.INTERRUPTED);
    expect(exitForRun(runVerdict(clean).outcome)).toBe(EXIT.OK);
  });
});
