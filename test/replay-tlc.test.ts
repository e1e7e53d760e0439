// `mommie replay --engine tlc` against the built-in `mommie replay`: a
// differential test, as between the two model checkers. Real runs of the
// examples are recorded with `mommie run --trace` (simulated network, a fixed
// seed), some logs are edited by hand, and both engines must give the same
// verdict and, for a rejection, the same first bad event (file, line, node);
// for an acceptance the same counts. Each case also says what the verdict
// must be, so that two engines wrong in the same way do not pass.
// Without TLC the tests are listed as skipped, with a message. The default
// cases keep the run short (eleven TLC processes, 31 s user and 4 s system CPU in the last run);
// MOMMIE_REPLAY_TLC_ALL=1
// adds the other examples, a run over TCP and more edits. Figures (events, TLC seconds) are
// printed at the end for docs/refinement.md.

import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTlc } from '../src/tools/resolve.js';
import { execa } from 'execa';
import { CLI, mommie, ROOT } from './helpers/cli.js';
import { tempDeploy } from './helpers/tcp-run.js';
import { consistent, editedRun, forgedQuorum, indexOf, readLog, recordOf, threeByzantineProgram } from './helpers/trace-edit.js';

const tlc = await resolveTlc();
const hasTlc = isRight(tlc);
if (!hasTlc) console.log(`SKIPPED: replay --engine tlc against the built-in replay did not run: ${isLeft(tlc) ? tlc.left.message : ''}`);
const ALL = process.env.MOMMIE_REPLAY_TLC_ALL === '1';

type Json = Record<string, unknown>;

interface Recorded {
  readonly program: string;
  readonly dir: string;
}

const root = mkdtempSync(join(tmpdir(), 'mommie-replay-tlc-'));
const runs = new Map<string, Recorded>();
const measured: string[] = [];

afterAll(() => {
  if (measured.length > 0) console.log(`replay --engine tlc (trace, verdict, events, distinct states, TLC seconds):\n${measured.join('\n')}`);
});

async function record(name: string, program: string, extra: readonly string[]): Promise<void> {
  const dir = join(root, name);
  const deploy = extra.includes('--deploy') ? [] : ['--deploy', program.replace(/\.mom$/, '.deploy')];
  const r = await mommie(['run', program, ...deploy, '--network', 'sim', '--requests', '2', '--trace', dir, ...extra]);
  expect(r.exitCode, r.stderr).toBe(0);
  runs.set(name, { program, dir });
}

/** PrimaryBackup over TCP loopback: one process per node, on free ports. */
async function recordTcp(name: string): Promise<void> {
  const dir = join(root, name);
  const { path: deploy } = await tempDeploy('PrimaryBackup', root);
  const keys = join(root, 'keys');
  expect((await mommie(['keys', deploy, '-o', keys])).exitCode).toBe(0);
  const r = await mommie(['run', 'specs/PrimaryBackup.mom', '--deploy', deploy, '--keys', keys, '--network', 'tcp', '--requests', '2', '--trace', dir, '--timeout', '60000'], { timeoutMs: 90_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  runs.set(name, { program: 'specs/PrimaryBackup.mom', dir });
}

const lines = (dir: string, file: string): string[] => readFileSync(join(dir, file), 'utf8').trimEnd().split('\n');
const parsed = (dir: string, file: string): Json[] => lines(dir, file).map((l) => JSON.parse(l) as Json);

/** A copy of a run's logs with one file edited; returns the directory. */
function tampered(run: string, file: string, edit: (ls: string[], events: Json[]) => string[]): string {
  const src = runs.get(run)!.dir;
  const dir = mkdtempSync(join(root, `${run}-edited-`));
  cpSync(src, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(lines(src, file), parsed(src, file)).join('\n') + '\n');
  return dir;
}

const isRec = (s: unknown, rec: string): boolean => typeof s === 'object' && s !== null && ((s as Json).r as Json | undefined)?.rec === rec;

interface Verdicts {
  readonly builtin: Json;
  readonly tlc: Json;
}

/** Both engines on one set of logs, through the CLI; asserts they agree and returns both answers. */
async function both(label: string, program: string, dir: string, extra: readonly string[] = []): Promise<Verdicts> {
  // Side by side: the built-in replay takes a fraction of TLC's time.
  const [b, t] = await Promise.all([mommie(['replay', program, dir, '--json', ...extra]), mommie(['replay', program, dir, '--json', '--engine', 'tlc', ...extra], { timeoutMs: 120_000 })]);
  expect([0, 2]).toContain(b.exitCode);
  expect(t.exitCode, t.stderr).toBe(b.exitCode);
  const builtin = JSON.parse(b.stdout) as Json;
  const viaTlc = JSON.parse(t.stdout) as Json;
  const fig = /engine: tlc \(.*\): (\d+) events, (\d+) distinct states, ([\d.]+) s/.exec(t.stderr);
  expect(fig, t.stderr).not.toBeNull();
  measured.push(`${label}\t${builtin.ok === true ? 'accepted' : 'rejected'}\t${fig![1]}\t${fig![2]}\t${fig![3]}`);
  expect(viaTlc.ok).toBe(builtin.ok);
  if (builtin.ok === true) expect(viaTlc).toEqual(builtin);
  else {
    const br = builtin.rejection as Json;
    const tr = viaTlc.rejection as Json;
    expect({ file: tr.file, line: tr.line, node: tr.node }).toEqual({ file: br.file, line: br.line, node: br.node });
  }
  return { builtin, tlc: viaTlc };
}

/** Logs refused by the checks both engines share, before any step: the same rejection, and TLC is not run. */
async function refusedBeforeTlc(program: string, dir: string, extra: readonly string[] = []): Promise<{ file: string; line: number; node: string; message: string }> {
  const [b, t] = await Promise.all([mommie(['replay', program, dir, '--json', ...extra]), mommie(['replay', program, dir, '--json', '--engine', 'tlc', ...extra])]);
  expect(b.exitCode, b.stderr).toBe(2);
  expect(t.exitCode, t.stderr).toBe(2);
  expect(JSON.parse(t.stdout)).toEqual(JSON.parse(b.stdout));
  expect(t.stderr).toMatch(/the logs were refused before TLC ran/);
  return (JSON.parse(b.stdout) as Json).rejection as { file: string; line: number; node: string; message: string };
}

function rejection(v: Verdicts): { file: string; line: number; node: string; message: string } {
  expect(v.builtin.ok).toBe(false);
  return v.builtin.rejection as { file: string; line: number; node: string; message: string };
}

describe.skipIf(!hasTlc)('replay --engine tlc agrees with the built-in replay', () => {
  beforeAll(async () => {
    await record('PrimaryBackup', 'specs/PrimaryBackup.mom', ['--faults', 'drop=0.2,dup=0.2,delay=1-30']);
    await record('PrimaryBackup-Byzantine', 'specs/PrimaryBackup.mom', ['--model', 'ByzantineBackup']);
    await record('PrimaryBackup-one-client', 'specs/PrimaryBackup.mom', ['--clients', '1']);
    await record('PBFTNormal', 'specs/PBFTNormal.mom', ['--faults', 'drop=0.1,dup=0.1,delay=1-20']);
    await record('AttestedCounter-TTP', 'test/fixtures/ttp/AttestedCounter.mom', []);
    if (ALL) {
      await record('BrachaBroadcast', 'specs/BrachaBroadcast.mom', ['--faults', 'drop=0.1,dup=0.1,delay=1-20']);
      await record('PBCounter', 'specs/PBCounter.mom', ['--faults', 'drop=0.1,dup=0.1,delay=1-20']);
      await record('PBFTCounter', 'specs/PBFTCounter.mom', ['--faults', 'drop=0.1,dup=0.1,delay=1-20']);
      await recordTcp('PrimaryBackup-TCP');
      // execute is left to the implementation; the model supplies it to the run, the logs record its values.
      await record('PrimaryBackupExecute-functions', 'test/fixtures/functions/PrimaryBackupExecute.mom', ['--deploy', 'specs/PrimaryBackup.deploy', '--model', 'AllCorrect']);
    }
  }, 120_000);

  const valid = ['PrimaryBackup', 'PrimaryBackup-Byzantine', 'PBFTNormal', 'AttestedCounter-TTP', ...(ALL ? ['BrachaBroadcast', 'PBCounter', 'PBFTCounter', 'PrimaryBackup-TCP', 'PrimaryBackupExecute-functions'] : [])];
  for (const name of valid) {
    it(`accepts the recorded run of ${name}, with the same counts`, async () => {
      const r = runs.get(name)!;
      const v = await both(name, r.program, r.dir);
      expect(v.builtin.ok).toBe(true);
      if (name === 'PrimaryBackup-Byzantine') expect(v.builtin.byzantine).toBeGreaterThan(0);
      if (name === 'AttestedCounter-TTP') expect(v.builtin.countersigned).toBeGreaterThan(0);
    }, 120_000);
  }

  it('a fire whose guard does not hold: a backup orders a request (Assign is the primary\'s)', async () => {
    const pb = runs.get('PrimaryBackup')!;
    const r1 = parsed(pb.dir, 'r1.ndjson');
    let at = -1;
    const dir = tampered('PrimaryBackup', 'r2.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'deliver' && isRec(e.s, 'Request'));
      expect(i).toBeGreaterThan(0);
      const req = JSON.stringify(((es[i]!.s as Json).r as Json));
      const assign = r1.find((e) => e.t === 'Assign' && JSON.stringify((e.b as [string, unknown][]).find(([k]) => k === 'req')?.[1]) === req);
      expect(assign).toBeDefined();
      // In place of r2's next step, with its number and clock, so that every field still adds up.
      const next = es.findIndex((e, k) => k > i && e.k === 'fire');
      expect(next).toBeGreaterThan(i);
      const forged = { ...assign!, n: es[next]!.n, vc: es[next]!.vc, pub: (assign!.pub as Json[]).map((s) => ({ ...s, i: 'r2' })) };
      at = next + 1;
      return ls.map((l, k) => (k === next ? JSON.stringify(forged) : l));
    });
    const v = await both('PrimaryBackup: Assign by a backup', pb.program, dir);
    const rej = rejection(v);
    expect(rej).toMatchObject({ node: 'r2', line: at });
    expect(rej.message).toMatch(/Assign fired with .* not enabled .* guard is false/);
  }, 120_000);

  it('a forged delivery: a reply with a result nobody sent', async () => {
    const pb = runs.get('PrimaryBackup')!;
    let at = -1;
    const dir = tampered('PrimaryBackup', 'c1.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'deliver' && isRec(e.s, 'Reply'));
      expect(i).toBeGreaterThan(0);
      at = i + 1;
      return ls.map((l, k) => (k === i ? l.replace(/\]},1\]/, ']},3]') : l));
    });
    const rej = rejection(await both('PrimaryBackup: forged reply', pb.program, dir));
    expect(rej).toMatchObject({ node: 'c1', line: at });
    expect(rej.message).toMatch(/delivery of \[r\d -> c1, NOONE\] Reply\(.*res: 3\), which no node published/);
  }, 120_000);

  it('a changed variable value in a step', async () => {
    const pb = runs.get('PrimaryBackup')!;
    let at = -1;
    const dir = tampered('PrimaryBackup', 'r2.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'fire' && e.t === 'Execute');
      expect(i).toBeGreaterThan(0);
      at = i + 1;
      return ls.map((l, k) => (k === i ? l.replace(/\["executeSeqNo",0,1\]/, '["executeSeqNo",0,2]') : l));
    });
    const rej = rejection(await both('PrimaryBackup: executeSeqNo 0 -> 2', pb.program, dir));
    expect(rej).toMatchObject({ node: 'r2', line: at });
    expect(rej.message).toMatch(/Execute sets executeSeqNo to 1 here, but the log says 2/);
  }, 120_000);

  it('a delivery reordered before its publication: the client\'s clock goes back, refused before TLC runs', async () => {
    const pb = runs.get('PrimaryBackup')!;
    let at = -1;
    const dir = tampered('PrimaryBackup', 'c1.ndjson', (ls, es) => {
      const submit = es.findIndex((e) => e.k === 'fire' && e.t === 'Submit');
      const reply = es.findIndex((e) => e.k === 'deliver' && isRec(e.s, 'Reply'));
      expect(submit).toBeGreaterThan(0);
      expect(reply).toBeGreaterThan(submit);
      at = submit + 1;
      const out = ls.filter((_, k) => k !== reply);
      out.splice(submit, 0, ls[reply]!);
      return out;
    });
    const rej = await refusedBeforeTlc(pb.program, dir);
    expect(rej).toMatchObject({ node: 'c1', line: at });
    expect(rej.message).toMatch(/event number \d+ where 1 comes next/);
  }, 120_000);

  it('issue 21: three replicas logged as Byzantine and a wrong result accepted: refused under the run\'s model before TLC runs; under a model that allows them, both engines find the broken invariant at the same step', async () => {
    const one = runs.get('PrimaryBackup-one-client')!;
    const dir = forgedQuorum(one.dir, root);
    const none = await refusedBeforeTlc(one.program, dir);
    expect(none).toMatchObject({ node: 'r2', line: 1 });
    expect(none.message).toMatch(/r2's log says it is byzantine, but r2 is correct in the run, which has no model/);
    const accept = indexOf(readLog(dir, 'c1.ndjson'), (e) => e.t === 'Accept');
    const rej = rejection(await both('PrimaryBackup: 3 Byzantine replicas, a wrong result accepted (model ThreeByzantine)', threeByzantineProgram(root), dir, ['--model', 'ThreeByzantine']));
    expect(rej).toMatchObject({ node: 'c1', line: accept + 1 });
    expect(rej.message).toMatch(/invariant ValidReplies does not hold after this step/);
  }, 120_000);

  it('a Byzantine node beyond its BUDGET, and outside its SENDS clause: both engines reject the same line', async () => {
    const byz = runs.get('PrimaryBackup-Byzantine')!;
    const r4 = readLog(byz.dir, 'r4.ndjson');
    const s = r4[indexOf(r4, (e) => e.k === 'byz')]!.s as Json;
    const other = { ...s, v: (s.v as string[]).length === 1 ? ['c1', 'c2'] : ['c1'] };
    const over = editedRun(byz.dir, root, 'r4.ndjson', (es) => consistent('r4', [...es, { k: 'byz', n: 0, s: other, vc: {} }]));
    const b = rejection(await both('ByzantineBackup: a second statement of r4 (budget 1)', byz.program, over));
    expect(b).toMatchObject({ node: 'r4', line: r4.length + 1 });
    expect(b.message).toMatch(/beyond its budget: model ByzantineBackup lets it publish 1/);
    const order = { i: 'r4', v: ['r1', 'r2', 'r3', 'r4'], a: [], r: { rec: 'Order', f: [{ rec: 'Request', f: ['c1', 0] }, 0] } };
    const notSent = editedRun(byz.dir, root, 'r4.ndjson', (es) => consistent('r4', [es[0]!, { k: 'byz', n: 0, s: order, vc: {} }, ...es.slice(1)]));
    const o = rejection(await both('ByzantineBackup: r4 publishes an Order (SENDS Reply only)', byz.program, notSent));
    expect(o).toMatchObject({ node: 'r4', line: 2 });
    expect(o.message).toMatch(/model ByzantineBackup does not let r4 send Order/);
  }, 120_000);

  it('a stuck merge: both engines blame the edited delivery, not the log that waits for its consequences', async () => {
    const one = runs.get('PrimaryBackup-one-client')!;
    const c1 = readLog(one.dir, 'c1.ndjson');
    const backup = String(((c1.find((e) => e.k === 'deliver' && recordOf(e.s) === 'Reply' && (e.s as Json).i !== 'r1')!).s as Json).i);
    const log = readLog(one.dir, `${backup}.ndjson`);
    const i = indexOf(log, (e) => e.k === 'deliver' && recordOf(e.s) === 'Request');
    const dir = editedRun(one.dir, root, `${backup}.ndjson`, (es) => es.map((e, k) => (k === i ? { ...e, s: { ...(e.s as Json), i: 'c2' }, from: 'c2' } : e)));
    const rej = rejection(await both(`PrimaryBackup: ${backup} delivers a request of c2 nobody sent`, one.program, dir));
    expect(rej).toMatchObject({ node: backup, line: i + 1 });
    expect(rej.message).toMatch(/which no node published .*; its issuer c2 has no log/);
  }, 120_000);

  it.runIf(ALL)('a Byzantine node publishing a statement of another issuer', async () => {
    const byz = runs.get('PrimaryBackup-Byzantine')!;
    let at = -1;
    const dir = tampered('PrimaryBackup-Byzantine', 'r4.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'byz');
      expect(i).toBeGreaterThan(0);
      at = i + 1;
      return ls.map((l, k) => (k === i ? l.replace('"i":"r4"', '"i":"r1"') : l));
    });
    const rej = rejection(await both('PrimaryBackup-Byzantine: forged issuer', byz.program, dir));
    expect(rej).toMatchObject({ node: 'r4', line: at });
    expect(rej.message).toMatch(/a Byzantine node published a statement of another issuer, r1/);
  }, 120_000);

  it('logs refused before any step (another program\'s log) get the same rejection, and TLC is not run', async () => {
    const pb = runs.get('PrimaryBackup')!;
    const dir = tampered('PrimaryBackup', 'r3.ndjson', (ls) => [ls[0]!.replace('"program":"PrimaryBackup"', '"program":"Other"'), ...ls.slice(1)]);
    const [b, t] = await Promise.all([mommie(['replay', pb.program, dir, '--json']), mommie(['replay', pb.program, dir, '--json', '--engine', 'tlc'])]);
    expect(b.exitCode).toBe(2);
    expect(t.exitCode).toBe(2);
    expect(JSON.parse(t.stdout)).toEqual(JSON.parse(b.stdout));
    expect((JSON.parse(b.stdout) as Json).rejection).toMatchObject({ line: 1, node: 'r3' });
    expect(t.stderr).toMatch(/the logs were refused before TLC ran/);
  }, 120_000);

  it.runIf(ALL)('a fire whose logged publication differs from what its body publishes', async () => {
    const pn = runs.get('PBFTNormal')!;
    const dir = tampered('PBFTNormal', 'r2.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'fire' && (e.pub as unknown[]).length > 0);
      expect(i).toBeGreaterThan(0);
      const e = es[i]!;
      return ls.map((l, k) => (k === i ? JSON.stringify({ ...e, pub: (e.pub as Json[]).map((s) => ({ ...s, v: (s.v as string[]).slice(1) })) }) : l));
    });
    const rej = rejection(await both('PBFTNormal: publication with a verifier left out', pn.program, dir));
    expect(rej.node).toBe('r2');
  }, 120_000);

  it.runIf(ALL)('a variable logged as changed to the value it already had', async () => {
    const pb = runs.get('PrimaryBackup')!;
    let at = -1;
    const dir = tampered('PrimaryBackup', 'r3.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'fire' && e.t === 'Execute');
      expect(i).toBeGreaterThan(0);
      at = i + 1;
      const e = es[i]!;
      return ls.map((l, k) => (k === i ? JSON.stringify({ ...e, ch: [...(e.ch as unknown[]), ['suspected', false, false]] }) : l));
    });
    const rej = rejection(await both('PrimaryBackup: suspected FALSE -> FALSE logged', pb.program, dir));
    expect(rej).toMatchObject({ node: 'r3', line: at });
  }, 120_000);

  it.runIf(ALL)('logs without the values of a function left to the implementation', async () => {
    const fx = runs.get('PrimaryBackupExecute-functions')!;
    const dir = mkdtempSync(join(root, 'functions-edited-'));
    cpSync(fx.dir, dir, { recursive: true });
    for (const f of ['r1.ndjson', 'r2.ndjson', 'r3.ndjson', 'r4.ndjson']) {
      writeFileSync(join(dir, f), parsed(fx.dir, f).map((e) => JSON.stringify({ ...e, fn: undefined })).join('\n') + '\n');
    }
    const rej = rejection(await both('PrimaryBackupExecute: no logged values of execute', fx.program, dir));
    expect(rej.message).toMatch(/MOM505: execute is called with arguments no log gives a value for/);
  }, 120_000);

  it.runIf(ALL)('a logged instance key that is not the binding\'s', async () => {
    const pb = runs.get('PrimaryBackup')!;
    let at = -1;
    const dir = tampered('PrimaryBackup', 'r2.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'fire' && e.t === 'Execute');
      expect(i).toBeGreaterThan(0);
      at = i + 1;
      const e = es[i]!;
      return ls.map((l, k) => (k === i ? JSON.stringify({ ...e, inst: String(e.inst).replace(/,c(\d)\)$/, (_m, d: string) => `,c${d === '1' ? '2' : '1'})`) }) : l));
    });
    const rej = rejection(await both('PrimaryBackup: Execute with another instance key', pb.program, dir));
    expect(rej).toMatchObject({ node: 'r2', line: at });
  }, 120_000);

  it.runIf(ALL)('a TTP countersigning for someone other than the issuer', async () => {
    const ttp = runs.get('AttestedCounter-TTP')!;
    const dir = tampered('AttestedCounter-TTP', 't.ndjson', (ls, es) => {
      const i = es.findIndex((e) => e.k === 'countersign');
      const e = es[i]!;
      return ls.map((l, k) => (k === i ? JSON.stringify({ ...e, from: e.from === 'c1' ? 'c2' : 'c1' }) : l));
    });
    const rej = rejection(await both('AttestedCounter-TTP: countersigned for another', ttp.program, dir));
    expect(rej.message).toMatch(/attests only what the issuer itself asked for/);
  }, 120_000);
});

describe('replay --engine: bad input (needs no TLC)', () => {
  it('refuses an unknown engine, and --engine tlc without TLC says what to do (exit 1, as verify --engine tlc)', async () => {
    const bad = await mommie(['replay', 'specs/PrimaryBackup.mom', 'specs', '--engine', 'spin']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/unknown engine 'spin' \(builtin or tlc\)/);
    const home = mkdtempSync(join(tmpdir(), 'mommie-no-tlc-'));
    const env: Record<string, string> = { NO_COLOR: '1', HOME: home, PATH: process.env.PATH ?? '' };
    writeFileSync(join(home, 'c1.ndjson'), '{"k":"start","version":1,"node":"c1","role":"Client","program":"PrimaryBackup","constants":{},"faulty":"correct"}\n');
    const none = await execa('node', [CLI, 'replay', 'specs/PrimaryBackup.mom', home, '--engine', 'tlc'], { cwd: ROOT, reject: false, env, extendEnv: false });
    expect(none.exitCode).toBe(1);
    expect(String(none.stderr)).toMatch(/--engine tlc needs TLC, which is not available \(.*\): run 'mommie tools install', set TLA2TOOLS_JAR, or use --engine builtin/);
  });
});
