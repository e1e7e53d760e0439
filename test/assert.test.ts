// `mommie build --assert`: each step of a body program is compared at run
// time with its body spec from the same pre-state and binding. The correct
// primary-backup body programs report no violation; each planted mistake is
// caught, with the body spec's statement (file:line:col in the .mom) and the
// body program's (file:line:col in the user's .ts). Runs the built CLI
// (dist/): `npx tsc -p .` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';
import { makeKeys, tempDeploy } from './helpers/tcp-run.js';

const PROGRAM = join(ROOT, 'specs', 'PrimaryBackup.mom');
const DEPLOY = join(ROOT, 'specs', 'PrimaryBackup.deploy');
const BODIES = join(ROOT, 'specs', 'bodies', 'PrimaryBackup');
const SIM = ['--deploy', DEPLOY, '--network', 'sim', '--requests', '2', '--stall', '5000'];

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mommie-assert-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the example's body programs with one edit; the place (file:line:col) of `needle` after it. */
function plant(name: string, file: string, from: string, to: string, needle: string): { dir: string; at: string } {
  const dir = join(tmp, name);
  cpSync(BODIES, dir, { recursive: true });
  const f = join(dir, file);
  const text = readFileSync(f, 'utf8');
  expect(text).toContain(from);
  const edited = text.replace(from, to);
  writeFileSync(f, edited);
  const before = edited.slice(0, edited.indexOf(needle)).split('\n');
  return { dir: name, at: `${name}/${file}:${before.length}:${before[before.length - 1]!.length + 1}` };
}

async function buildAndRun(dir: string, mode: string, extra: readonly string[] = []): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const b = await mommie(['build', PROGRAM, '--bodies', dir, '-o', `out-${dir}`, '--assert'], { cwd: tmp });
  expect(b.exitCode, b.stderr).toBe(0);
  return mommie(['run', PROGRAM, ...SIM, '--build', `out-${dir}`, '--assertions', mode, ...extra], { cwd: tmp });
}

const spec = (line: number, col = 5): string => `${PROGRAM}:${line}:${col}`;

describe('--assert on correct body programs', () => {
  it('compares every step and finds nothing; the logs replay', async () => {
    const dir = plant('correct', 'Replica.ts', 'Execute(ctx) {', 'Execute(ctx) {', 'Execute');
    const r = await buildAndRun(dir.dir, 'stop', ['--trace', 'trace-correct', '--faults', 'drop=0.1,dup=0.1']);
    expect(r.stderr).toMatch(/assertions \(stop\): \d+ steps of body programs compared with their body specs, 0 violations/);
    expect(r.stderr).not.toContain('MOM702');
    expect(r.exitCode).toBe(0);
    const rep = await mommie(['replay', PROGRAM, 'trace-correct'], { cwd: tmp });
    expect(rep.exitCode, rep.stderr).toBe(0);
  });
});

interface Mistake {
  readonly name: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  /** Where the program's side is reported: this text's place after the edit. */
  readonly needle: string;
  /** The program's place is a write's: compare its line only. */
  readonly lineOnly?: boolean;
  readonly what: string;
  readonly specAt: string;
  readonly says: string;
  readonly did: string;
}

const MISTAKES: readonly Mistake[] = [
  {
    name: 'off-by-one', file: 'Replica.ts', from: 'seqNo: ctx.state.nextSeqNo }', to: 'seqNo: ctx.state.nextSeqNo + 1 }', needle: 'ctx.publish({ verifiers: [',
    what: 'Replica.Assign: PUBLISH differs', specAt: spec(59), says: 'seqNo: 0)', did: 'seqNo: 1)',
  },
  {
    name: 'wrong-verifier', file: 'Replica.ts', from: 'verifiers: c, record', to: "verifiers: [c, 'r1'], record", needle: 'ctx.publish({ verifiers: [c',
    what: 'Replica.Execute: PUBLISH differs', specAt: spec(69), says: ', NOONE] Reply', did: ', r1}, NOONE] Reply',
  },
  {
    name: 'wrong-auditor', file: 'Replica.ts', from: 'verifiers: c, record', to: "verifiers: c, auditors: '*', record", needle: 'ctx.publish({ verifiers: c',
    what: 'Replica.Execute: PUBLISH differs', specAt: spec(69), says: ', NOONE] Reply', did: ', {c1, c2, r1, r2, r3, r4}] Reply',
  },
  {
    name: 'missing-publish', file: 'Replica.ts', from: '    ctx.publish({ verifiers: c, record: Reply({ req, res }) });\n', to: '    void res;\n', needle: 'Execute(ctx)',
    what: 'Replica.Execute: missing PUBLISH differs', specAt: spec(69), says: 'Reply', did: 'nothing',
  },
  {
    name: 'extra-publish', file: 'Replica.ts', from: '    ctx.state.executeSeqNo += 1;', to: "    ctx.publish({ verifiers: 'r1', record: Reply({ req, res }) });\n    ctx.state.executeSeqNo += 1;", needle: "ctx.publish({ verifiers: 'r1'",
    what: 'Replica.Execute: extra PUBLISH differs', specAt: spec(64, 3), says: 'nothing', did: ', r1, NOONE] Reply',
  },
  {
    name: 'not-updated', file: 'Replica.ts', from: '    ctx.state.executeSeqNo += 1;\n', to: '', needle: 'Execute(ctx)',
    what: 'Replica.Execute: variable executeSeqNo differs', specAt: spec(70), says: '1', did: '0',
  },
  {
    name: 'wrong-variable', file: 'Client.ts', from: 'ctx.state.accepted = [...ctx.state.accepted, ctx.binding.r];', to: 'ctx.state.submitted = [...ctx.state.submitted, ctx.binding.r.req.op];', needle: 'Accept(ctx)',
    what: 'Client.Accept: variable accepted differs', specAt: spec(45), says: '{Reply(', did: '{}',
  },
  {
    name: 'verifier-missing', file: 'Replica.ts', from: "verifiers: ['r1', 'r2', 'r3', 'r4']", to: "verifiers: ['r1', 'r2', 'r3']", needle: 'ctx.publish({ verifiers: [',
    what: 'Replica.Assign: PUBLISH differs', specAt: spec(59), says: '[r1, {r1, r2, r3, r4}, NOONE] Order', did: '[r1, {r1, r2, r3}, NOONE] Order',
  },
  {
    name: 'seq-not-advanced', file: 'Replica.ts', from: '    ctx.state.nextSeqNo = ctx.state.nextSeqNo + 1;\n', to: '', needle: 'Assign(ctx)',
    what: 'Replica.Assign: variable nextSeqNo differs', specAt: spec(60), says: '1', did: '0',
  },
  {
    // A write's place is the stack's (build/context.ts): its line, and V8's column (the operator's).
    name: 'wrong-increment', file: 'Replica.ts', from: 'ctx.state.executeSeqNo += 1;', to: 'ctx.state.executeSeqNo += 2;', needle: 'ctx.state.executeSeqNo += 2', lineOnly: true,
    what: 'Replica.Execute: variable executeSeqNo differs', specAt: spec(70), says: '1', did: '2',
  },
  {
    name: 'own-result', file: 'Replica.ts', from: 'const res = ctx.fn.execute(req);', to: 'const res = req.op + 2;', needle: 'ctx.publish({ verifiers: c',
    what: 'Replica.Execute: PUBLISH differs', specAt: spec(69), says: 'res: 1)', did: 'res: 2)',
  },
];

describe('--assert catches planted mistakes, with both locations', () => {
  for (const m of MISTAKES) {
    it(m.name, async () => {
      const { dir, at } = plant(m.name, m.file, m.from, m.to, m.needle);
      const r = await buildAndRun(dir, 'stop');
      const report = r.stderr.slice(r.stderr.indexOf('error MOM702'));
      expect(report, r.stderr).toContain(`error MOM702: ${m.what} from the body spec`);
      expect(report).toContain(`spec     ${m.specAt}`);
      expect(report).toContain(`program  ${m.lineOnly === true ? at.replace(/\d+$/, '') : at}`);
      expect(report).toMatch(/binding {2}\S/);
      expect(report).toContain('spec says    ');
      expect(report.slice(report.indexOf('spec says'))).toContain(m.says);
      expect(report.slice(report.indexOf('program did'))).toContain(m.did);
      expect(r.exitCode).toBe(2);
    });
  }
});

describe('modes', () => {
  it('log: reports every violation and goes on with what the program did', async () => {
    const { dir } = plant('log', 'Replica.ts', 'seqNo: ctx.state.nextSeqNo }', 'seqNo: ctx.state.nextSeqNo + 1 }', 'ctx.publish');
    const r = await buildAndRun(dir, 'log');
    // Both clients' requests are ordered (the node was not stopped), each one off.
    expect(r.stderr.match(/error MOM702: Replica.Assign: PUBLISH differs/g)?.length).toBe(2);
    expect(r.stdout).toContain('r1 (Replica): fired Assign×2');
    expect(r.stderr).toMatch(/assertions \(log\): \d+ steps? of body programs compared with their body specs, 2 violations/);
    expect(r.exitCode).toBe(2);
  });

  it('count only: no report, the tally', async () => {
    const { dir } = plant('count', 'Replica.ts', 'seqNo: ctx.state.nextSeqNo }', 'seqNo: ctx.state.nextSeqNo + 1 }', 'ctx.publish');
    const r = await buildAndRun(dir, 'count');
    expect(r.stderr).not.toContain('error MOM702');
    expect(r.stderr).toMatch(/assertions \(count\): \d+ steps? of body programs compared with their body specs, [1-9]\d* violations?/);
    expect(r.exitCode).toBe(2);
  });
});

describe('--assert over TCP', () => {
  it('each node process compares its steps: none for the correct programs; an extra publish with both places, and the run exits 2', async () => {
    const deploy = await tempDeploy('PrimaryBackup', tmp);
    const keys = join(tmp, 'keys');
    await makeKeys(deploy.path, keys);
    const good = plant('tcp-good', 'Replica.ts', 'Execute(ctx) {', 'Execute(ctx) {', 'Execute');
    expect((await mommie(['build', PROGRAM, '--bodies', good.dir, '-o', 'out-tcp-good', '--assert'], { cwd: tmp })).exitCode).toBe(0);
    const ok = await mommie(['run', PROGRAM, '--deploy', deploy.path, '--keys', keys, '--build', 'out-tcp-good', '--requests', '2', '--timeout', '60000'], { cwd: tmp, timeoutMs: 90_000 });
    expect(ok.stdout).toContain('requests: 2 of 2 completed');
    expect(ok.stderr).toMatch(/\[r1\] assertions \(log\): [1-9]\d* steps of body programs compared with their body specs, 0 violations/);
    expect(ok.stderr).not.toContain('MOM702');
    expect(ok.exitCode).toBe(0);

    // An extra reply to r1: the run completes, and the violations make its exit 2.
    const bad = plant('tcp-extra', 'Replica.ts', '    ctx.state.executeSeqNo += 1;', "    ctx.publish({ verifiers: 'r1', record: Reply({ req, res }) });\n    ctx.state.executeSeqNo += 1;", "ctx.publish({ verifiers: 'r1'");
    expect((await mommie(['build', PROGRAM, '--bodies', bad.dir, '-o', 'out-tcp-extra', '--assert'], { cwd: tmp })).exitCode).toBe(0);
    const r = await mommie(['run', PROGRAM, '--deploy', deploy.path, '--keys', keys, '--build', 'out-tcp-extra', '--requests', '2', '--timeout', '60000'], { cwd: tmp, timeoutMs: 90_000 });
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.stderr).toMatch(/\[r[1-4]\] r[1-4]: error MOM702: Replica.Execute: extra PUBLISH differs from the body spec/);
    expect(r.stderr).toMatch(new RegExp(`\\[r[1-4]\\] {3}spec {5}${spec(64, 3).replace(/[.:/]/g, '\\$&')}`));
    expect(r.stderr).toContain(`  program  ${bad.at}`);
    expect(r.stderr).toMatch(/mommie run: assertions: [1-9]\d* violations? over the nodes/);
    expect(r.exitCode).toBe(2);
  });
});

describe('functions the program leaves open', () => {
  const OPEN = join(ROOT, 'test', 'fixtures', 'functions', 'PrimaryBackupExecute.mom');
  const OPEN_BODIES = join(ROOT, 'test', 'fixtures', 'bodies', 'PrimaryBackupExecute');
  const copy = (name: string, edit: (s: string) => string): string => {
    cpSync(OPEN_BODIES, join(tmp, name), { recursive: true });
    const f = join(tmp, name, 'Replica.ts');
    writeFileSync(f, edit(readFileSync(f, 'utf8')));
    return name;
  };

  it("come from the build's functions.ts without a --model; the spec takes the program's values and the logs replay", async () => {
    const dir = copy('open-ok', (s) => s);
    expect((await mommie(['build', OPEN, '--bodies', dir, '-o', 'out-open-ok', '--assert'], { cwd: tmp })).exitCode).toBe(0);
    const r = await mommie(['run', OPEN, ...SIM, '--build', 'out-open-ok', '--assertions', 'stop', '--trace', 'trace-open'], { cwd: tmp });
    // functions.ts computes op + 2 where the models say op + 1: the run is the program's.
    expect(r.stdout).toContain('res: 2)');
    expect(r.stderr).toMatch(/, 0 violations/);
    expect(r.exitCode).toBe(0);
    const rep = await mommie(['replay', OPEN, 'trace-open'], { cwd: tmp });
    expect(rep.exitCode, rep.stderr).toBe(0);
  });

  it('a body program that computes the result otherwise than its own function is caught', async () => {
    const dir = copy('open-own', (s) => s.replace('const res = ctx.fn.execute(req);', 'const res = req.op + 1;'));
    expect((await mommie(['build', OPEN, '--bodies', dir, '-o', 'out-open-own', '--assert'], { cwd: tmp })).exitCode).toBe(0);
    const r = await mommie(['run', OPEN, ...SIM, '--build', 'out-open-own', '--assertions', 'stop'], { cwd: tmp });
    const text = readFileSync(join(tmp, dir, 'Replica.ts'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('ctx.publish')) + 1;
    expect(r.stderr).toContain('error MOM702: Replica.Execute: PUBLISH differs from the body spec');
    expect(r.stderr).toContain(`program  ${dir}/Replica.ts:${line}:5`);
    expect(r.stderr).toMatch(/spec says {4}.*res: 2\)/);
    expect(r.stderr).toMatch(/program did {2}.*res: 1\)/);
    expect(r.exitCode).toBe(2);
  });
});

describe('the replicated counter (specs/PBCounter.mom)', () => {
  it('its body programs run 8 clients under assertions without a violation, and the logs replay', async () => {
    const counter = join(ROOT, 'specs', 'PBCounter.mom');
    cpSync(join(ROOT, 'specs', 'bodies', 'PBCounter'), join(tmp, 'pbc'), { recursive: true });
    expect((await mommie(['build', counter, '--bodies', 'pbc', '-o', 'out-pbc', '--assert'], { cwd: tmp })).exitCode).toBe(0);
    const r = await mommie(['run', counter, '--deploy', join(ROOT, 'specs', 'PBCounter.deploy'), '--network', 'sim', '--requests', '40', '--concurrency', '2',
      '--faults', 'drop=0.05,dup=0.05', '--build', 'out-pbc', '--assertions', 'stop', '--trace', 'trace-pbc'], { cwd: tmp });
    expect(r.stdout).toContain('requests: 40 of 40 completed');
    expect(r.stderr).toMatch(/assertions \(stop\): \d+ steps of body programs compared with their body specs, 0 violations/);
    expect(r.exitCode).toBe(0);
    const rep = await mommie(['replay', counter, 'trace-pbc'], { cwd: tmp });
    expect(rep.exitCode, rep.stderr).toBe(0);
  });
});

describe('PBFT (specs/PBFTCounter.mom)', () => {
  const PBFT = join(ROOT, 'specs', 'PBFTCounter.mom');
  const PBFT_DEPLOY = join(ROOT, 'specs', 'PBFTCounter.deploy');
  const copy = (name: string, edit: (s: string) => string): string => {
    cpSync(join(ROOT, 'specs', 'bodies', 'PBFTCounter'), join(tmp, name), { recursive: true });
    const f = join(tmp, name, 'Replica.ts');
    writeFileSync(f, edit(readFileSync(f, 'utf8')));
    return name;
  };
  const run = async (dir: string, extra: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
    expect((await mommie(['build', PBFT, '--deploy', PBFT_DEPLOY, '--bodies', dir, '-o', `out-${dir}`, '--assert'], { cwd: tmp })).exitCode).toBe(0);
    return mommie(['run', PBFT, '--deploy', PBFT_DEPLOY, '--network', 'sim', '--requests', '16', '--stall', '5000', '--build', `out-${dir}`, '--assertions', 'stop', ...extra], { cwd: tmp });
  };

  it("the replicas' Execute and the client's Accept as body programs: no violation under drops and duplicates, the logs replay", async () => {
    const r = await run(copy('pbft-ok', (s) => s), ['--faults', 'drop=0.05,dup=0.05', '--trace', 'trace-pbft']);
    expect(r.stdout).toContain('requests: 16 of 16 completed');
    expect(r.stderr).toMatch(/assertions \(stop\): \d+ steps of body programs compared with their body specs, 0 violations/);
    expect(r.exitCode).toBe(0);
    const rep = await mommie(['replay', PBFT, 'trace-pbft'], { cwd: tmp });
    expect(rep.exitCode, rep.stderr).toBe(0);
  });

  it("a reply that gives the replica's last executed sequence number instead of the commit's is caught", async () => {
    const dir = copy('pbft-seq', (s) => s.replace('seqNo: cm.seqNo, res', 'seqNo: s.lastExec, res'));
    const r = await run(dir, []);
    const lines = readFileSync(join(tmp, dir, 'Replica.ts'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('ctx.publish')) + 1;
    expect(r.stderr).toMatch(/r[1-4]: error MOM702: Replica.Execute: PUBLISH differs from the body spec/);
    expect(r.stderr).toContain('PUBLISH [ME, cm.m.client, NOONE] Reply(reqId: cm.m.id, seqNo: cm.seqNo, res: res);');
    expect(r.stderr).toContain(`program  ${dir}/Replica.ts:${line}:7`);
    expect(r.stderr).toMatch(/spec says {4}.*seqNo: 1,/);
    expect(r.stderr).toMatch(/program did {2}.*seqNo: 0,/);
    expect(r.exitCode).toBe(2);
  });
});
