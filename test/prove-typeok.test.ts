// The generated proof that TypeOK is inductive (src/prove/typeok-proof.ts):
// its shape and its map from proof lines to MOMMIE transitions, variables and
// expressions, without tlapm; the report in MOMMIE terms (human, JSON codec,
// JUnit) from a transcript recorded from a real tlapm
// (test/fixtures/prove/README.md); and, where tlapm is present, a small
// program's TypeOK proved end to end. Every example's proof takes minutes:
// docs/prove.md gives the command and the measured table.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { proveExitCode } from '../src/cli/prove.js';
import { weakSteps } from '../src/prove/about.js';
import { formatProveResult } from '../src/prove/human.js';
import { proveToJUnitXml } from '../src/prove/junit.js';
import { moduleResult } from '../src/prove/module-result.js';
import { countObligations, proveResultCodec, type ProveResult } from '../src/prove/result.js';
import { readTranscript } from '../src/prove/transcript.js';
import { moduleDefinitions, neededDefinitions, readsNestedField, readsRecordField, writeSlice } from '../src/prove/defs.js';
import { typeOKProof, withAbout } from '../src/prove/typeok-proof.js';
import { translate } from '../src/tla/module.js';
import { currentHost } from '../src/tools/platform.js';
import { resolveTlapm } from '../src/tools/tlapm.js';
import { CLI, ROOT } from './helpers/cli.js';

const FIX = join(ROOT, 'test', 'fixtures', 'prove');

function programOf(file: string) {
  const fe = checkFile(join(ROOT, file));
  if (fe.program === undefined) throw new Error(`${file} does not check`);
  // Results name the program as the user did: relative to the repository.
  return { program: { ...fe.program, file }, source: fe.source };
}

describe('the generated TypeOK proof', () => {
  const { program, source } = programOf('specs/PrimaryBackup.mom');
  const proof = typeOKProof(program, source);
  const lines = proof.text.split('\n');

  it('EXTENDS the generated module, assumes the constants\' types, and has one theorem per action', () => {
    expect(proof.moduleName).toBe('PrimaryBackup_TypeOK');
    expect(lines[0]).toBe('---- MODULE PrimaryBackup_TypeOK ----');
    expect(proof.text).toContain('EXTENDS PrimaryBackup, TLAPS');
    // MaxSeq is 2 in the program and 1 in some models: positive; MaxOp is 0: a natural.
    for (const a of ['PRIMARY \\in R', 'MaxSeq \\in Nat /\\ MaxSeq >= 1', 'MaxOp \\in Nat', 'Byzantine \\subseteq Principals']) expect(lines).toContain(`  /\\ ${a}`);
    const theorems = lines.filter((l) => l.startsWith('THEOREM ')).map((l) => l.split(' ')[1]);
    expect(theorems).toEqual([
      'TypeOK_Init',
      'TypeOK_Client_Submit',
      'TypeOK_Client_Accept',
      'TypeOK_Replica_Assign',
      'TypeOK_Replica_Execute',
      'TypeOK_Replica_SuspectPrimary',
      'TypeOK_Deliver',
      'TypeOK_ByzantinePublish',
      'TypeOK_Next',
      'TypeOK_Spec',
    ]);
    expect(proof.text).toContain('THEOREM TypeOK_Spec == Spec => []TypeOK\n  BY TypeOK_Init, TypeOK_Next, PTL DEF Spec');
  });

  it('states, one step per variable, exactly the conjuncts of the generated TypeOK', () => {
    const generated = translate(program, source, { models: [] }).files.get('PrimaryBackup.tla')!;
    const typeOK = generated.split('\n');
    const start = typeOK.indexOf('TypeOK ==');
    const conjuncts = typeOK.slice(start + 1, start + 9).map((l) => l.replace(/^ {2}\/\\ /, ''));
    const init = lines.slice(lines.indexOf('THEOREM TypeOK_Init == Init => TypeOK'));
    for (let i = 0; i < conjuncts.length; i++) expect(init).toContain(`<1>${i + 1}. ${conjuncts[i]}`);
  });

  it('maps each step to its MOMMIE transition, source line, variable and the expressions that write it', () => {
    const execute = [...proof.about.entries()].filter(([, a]) => a.theorem === 'TypeOK_Replica_Execute' && a.variable !== null);
    expect(execute.map(([, a]) => a.variable)).toEqual(['submitted', 'accepted', 'nextSeqNo', 'executeSeqNo', 'suspected', 'pool', 'known', 'handled']);
    const [line, seq] = execute.find(([, a]) => a.variable === 'executeSeqNo')!;
    expect(seq).toEqual({
      theorem: 'TypeOK_Replica_Execute',
      kind: 'fire',
      action: 'Replica.Execute',
      at: 'specs/PrimaryBackup.mom:64',
      variable: 'executeSeqNo',
      domain: 'Seq',
      writes: [{ text: 'executeSeqNo + 1', at: 'specs/PrimaryBackup.mom:70' }],
    });
    // The mapped line is the step's BY, where tlapm locates its obligation.
    expect(lines[line - 1]).toMatch(/^ {2}BY /);
    expect(lines[line - 2]).toBe("<1>4. executeSeqNo' \\in [R -> ((0)..(MaxSeq))]");
    const pool = execute.find(([, a]) => a.variable === 'pool')![1];
    expect(pool.writes).toEqual([{ text: 'Reply(req, res)', at: 'specs/PrimaryBackup.mom:69' }]);
    // A variable another role owns is unchanged by the step: its proof is the action's UNCHANGED.
    const submitted = execute.find(([, a]) => a.variable === 'submitted')!;
    expect(lines[submitted[0] - 1]).toBe('  BY DEF TypeOK, Replica_Execute');
  });

  it('an integer constant every model makes at least 1 is assumed positive: Modulus, whose type is 0..Modulus - 1', () => {
    const { program: p } = programOf('specs/PBFTCounter.mom');
    const text = typeOKProof(p, undefined).text;
    expect(text).toMatch(/ASSUME ConstantsOK ==\n( {2}\/\\ .*\n)+/);
    expect(text).toContain('/\\ PRIMARY \\in R');
    expect(text).toContain('  /\\ Modulus \\in Nat /\\ Modulus >= 1\n');
    // Bracha's quorum sizes are computed (N = size(P), (N + F + 2) / 2): only plainly natural.
    const bracha = typeOKProof(programOf('specs/BrachaBroadcast.mom').program, undefined).text;
    expect(bracha).toContain('  /\\ N \\in Nat\n');
    expect(bracha).toContain('  /\\ EchoQuorum \\in Nat\n');
    expect(bracha).toContain('  /\\ F \\in Nat /\\ F >= 1\n');
  });
});

describe('each step unfolds only what it needs (src/prove/defs.ts)', () => {
  const { program, source } = programOf('specs/PBFTNormal.mom');
  const lines = typeOKProof(program, source).text.split('\n');
  /** The BY line of a step of a theorem. */
  const hint = (theorem: string, conjunct: string): string => {
    const from = lines.findIndex((l) => l.startsWith(`THEOREM ${theorem} `));
    const at = lines.findIndex((l, i) => i > from && l.includes(conjunct));
    return lines[at + 1]!;
  };

  it('a set-valued variable: the union lemma, the matched record set, not the element\'s record set (Z3 timed out when T_Request was unfolded)', () => {
    expect(hint('TypeOK_Replica_Execute', "done' \\in")).toBe(
      '  BY ConstantsOK, InTypeIdentity, InTypeSubsetUnion, RecordKinds, KnownStatements, StatementFields DEF TypeOK, Replica_Execute, Principals, R, T_Commit',
    );
    expect(lines).toContain('LEMMA InTypeSubsetUnion == ASSUME NEW S__, NEW A__ \\in SUBSET S__, NEW x__ \\in S__ PROVE InType(A__ \\cup {x__}, SUBSET S__) = A__ \\cup {x__}');
  });

  it('a value that reads a nested field (cm.m.op) unfolds the inner record set; pool unfolds what its statements are built of', () => {
    expect(hint('TypeOK_Replica_Execute', "state' \\in")).toMatch(/DEF TypeOK, Replica_Execute, Principals, C, R, T_Request, T_Commit, apply$/);
    // pool unfolds Records, so every record set in it (one left folded made Z3 time out on PrimaryBackup's Assign).
    expect(hint('TypeOK_Replica_Execute', "pool' \\subseteq")).toMatch(/DEF TypeOK, Replica_Execute, Principals, C, T_Request, T_PrePrepare, T_Prepare, T_Commit, T_Reply, Mk_Reply, T_Slot, apply, Statements, Records$/);
    // The union lemma is cited only where a set grows.
    expect(hint('TypeOK_Replica_Execute', "pool' \\subseteq")).not.toContain('InTypeSubsetUnion');
  });

  it('an action that reads no field of the records it matches keeps their sets folded (AssignSeqNo stores req whole)', () => {
    expect(hint('TypeOK_Replica_AssignSeqNo', "Replica_accepted' \\in")).toMatch(/DEF TypeOK, Replica_AssignSeqNo, Principals, R, T_Slot, Mk_Slot$/);
  });

  it('handled: the known statements\' facts, Principals and TriggerInstances, record sets folded', () => {
    expect(hint('TypeOK_Replica_SendPrepare', "handled' \\in")).toBe('  BY RecordKinds, KnownStatements, StatementFields DEF TypeOK, Replica_SendPrepare, Principals, TriggerInstances');
  });

  it('the helpers: definitions, the LET slice that sets a variable, nested fields', () => {
    const module = ['A == 1', 'B(x) == x + A', '  + 2', '', 'Op(self__) ==', '  /\\ (LET v__1 == B(1)', '          w__2 == v__1 + 1', '      IN /\\ v\' = w__2', '         /\\ u\' = A)'].join('\n');
    const defs = moduleDefinitions(module);
    expect([...defs.keys()]).toEqual(['A', 'B', 'Op']);
    expect(defs.get('B')).toBe(' x + A\n  + 2');
    expect(writeSlice(defs.get('Op')!, 'v')).toEqual(["      IN /\\ v' = w__2", 'v__1 + 1', 'B(1)']);
    expect(writeSlice(defs.get('Op')!, 'x')).toBeNull();
    expect(neededDefinitions(['B(1)'], defs, ['A', 'B'])).toEqual(['A', 'B']);
    expect(readsNestedField(['cm.m.op'])).toBe(true);
    expect(readsNestedField(['cm.m', 's__1.record.m'])).toBe(false);
    expect(readsNestedField(['s__1.record.m.client'])).toBe(true);
    // A record stored whole, its kind and a statement's own fields read no record field.
    expect(readsRecordField(['LET req == s__1.record', 's__1.record.type = "Request"', 's__1.issuer \\in C', 'self__ \\in st__.verifiers'])).toBe(false);
    expect(readsRecordField(['pp.seqNo'])).toBe(true);
    expect(readsRecordField(['s__1.record.m = req'])).toBe(true);
  });
});

/** The generated proof's report from a transcript of its tlapm run. */
function reportOf(file: string) {
  const { program, source } = programOf('test/fixtures/prove/TicksOverflow.mom');
  const proof = typeOKProof(program, source);
  const outcome = readTranscript(readFileSync(join(FIX, file), 'utf8'), { displayFile: proof.fileName, exitCode: 0 });
  const m = withAbout(moduleResult(proof.moduleName, proof.fileName, true, outcome, { work: FIX, target: { file: proof.fileName, display: proof.fileName }, generated: 'TicksOverflow.tla' }), proof);
  const result: ProveResult = {
    format: 'mommie-prove/1',
    program: 'TicksOverflow',
    file: 'test/fixtures/prove/TicksOverflow.mom',
    tlapm: { path: '/usr/local/bin/tlapm', version: 'development' },
    cacheDir: '/tmp/cache',
    modules: [m],
    counts: countObligations([m]),
    seconds: 40,
  };
  return { m, result };
}

describe('the report in MOMMIE terms, from a recorded tlapm transcript', () => {
  const { m, result } = reportOf('TicksOverflow_TypeOK.stderr');

  it('every obligation of the transcript lies on a line of the proof generated today, and all but one were proved', () => {
    expect(m.status).toBe('checked');
    expect(m.obligations.length).toBe(79);
    expect(m.obligations.every((o) => o.about !== null)).toBe(true);
    const failed = m.obligations.filter((o) => o.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.about).toMatchObject({ action: 'Node.Step', variable: 'count', at: 'test/fixtures/prove/TicksOverflow.mom:17', domain: 'Count' });
    // Z3 and Zenon both ran out of time: tlapm did not refute the step.
    expect(failed[0]!.failure).toBe('timeout');
    expect(result.counts).toMatchObject({ failed: 1, timedOut: 1 });
    // A timed-out step is still not proved: exit 2, as for any failed obligation.
    expect(proveExitCode(result)).toBe(2);
  });

  it('human: per theorem, then per step; the step that timed out is named, and listed as timed out, not as needing a stronger invariant', () => {
    const text = formatProveResult(result);
    expect(text).toContain('generated proof TicksOverflow_TypeOK.tla: 78 of 79 obligations proved, 1 failed (1 timed out)');
    expect(text).toMatch(/ {2}TypeOK_Init: proved \(12 obligations/);
    expect(text).toMatch(/ {2}TypeOK_Node_Step: 1 failed \(1 timed out\) \(23 obligations/);
    expect(text).toMatch(/✗ failed +smt,zenon .* TicksOverflow_TypeOK\.tla:\d+:3 {2}TypeOK after Node\.Step \(test\/fixtures\/prove\/TicksOverflow\.mom:17\): count\n {8}timed out \(not refuted\): re-run with a larger --stretch, or split the step\n/);
    expect(text).not.toContain('need a stronger invariant');
    expect(text).toContain('These steps timed out (not refuted): re-run with a larger --stretch, or split the step:\n  Node.Step (test/fixtures/prove/TicksOverflow.mom:17): count — `count + 1`');
    expect(text).toContain('79 obligations: 78 proved (');
    expect(text).toContain('1 failed (1 timed out)');
    // tlapm's trivial checks of cited facts are counted, not listed.
    expect(text).not.toMatch(/✓ trivial/);
    expect(weakSteps(result.modules)).toEqual([]);
    expect(weakSteps(result.modules, true)).toEqual([{ action: 'Node.Step', at: 'test/fixtures/prove/TicksOverflow.mom:17', variable: 'count', writes: [{ text: 'count + 1', at: 'test/fixtures/prove/TicksOverflow.mom:20' }] }]);
  });

  it('--json: the codec reads back what it is about and why it failed; junit: the case is named in MOMMIE terms, its failure typed timeout', () => {
    const decoded = proveResultCodec.decode(JSON.parse(JSON.stringify(result)));
    expect(isRight(decoded)).toBe(true);
    if (!isRight(decoded)) return;
    const failed = decoded.right.modules[0]!.obligations.find((o) => o.status === 'failed')!;
    expect(failed.about!.writes[0]!.text).toBe('count + 1');
    expect(failed.failure).toBe('timeout');
    expect(decoded.right.counts.timedOut).toBe(1);
    const xml = proveToJUnitXml(result);
    expect(xml).toMatch(/<testcase [^>]*name="obligation \d+ at TicksOverflow_TypeOK\.tla:\d+:3: TypeOK after Node\.Step \(test\/fixtures\/prove\/TicksOverflow\.mom:17\): count"/);
    expect(xml).toMatch(/<failure message="not proved at [^"]*: count — timed out \(not refuted\): re-run with a larger --stretch, or split the step" type="timeout"/);
  });
});

describe('the report with a refuted step and a timed-out step (a constructed transcript)', () => {
  // test/fixtures/prove/README.md: edited from the recording, Zenon refutes count and every backend times out on pool.
  const { m, result } = reportOf('TicksOverflow_TypeOK.constructed.stderr');

  it('the refuted step needs a stronger invariant; the timed-out one is listed apart', () => {
    const failed = m.obligations.filter((o) => o.status === 'failed');
    expect(failed.map((o) => [o.about!.variable, o.failure])).toEqual([
      ['count', 'refuted'],
      ['pool', 'timeout'],
    ]);
    expect(result.counts).toMatchObject({ failed: 2, timedOut: 1 });
    const text = formatProveResult(result);
    expect(text).toContain('generated proof TicksOverflow_TypeOK.tla: 77 of 79 obligations proved, 2 failed (1 timed out)');
    expect(text).toContain('`count + 1` (test/fixtures/prove/TicksOverflow.mom:20) may leave `Count`; TypeOK alone does not keep it there: a stronger invariant is needed');
    expect(text).toContain('TypeOK is not shown inductive on its own; these steps need a stronger invariant (or help for the backends):\n  Node.Step (test/fixtures/prove/TicksOverflow.mom:17): count — `count + 1`\n');
    expect(text).toContain('These steps timed out (not refuted): re-run with a larger --stretch, or split the step:\n  Node.Step (test/fixtures/prove/TicksOverflow.mom:17): pool — `Tick(n: count)`');
    expect(weakSteps(result.modules).map((w) => w.variable)).toEqual(['count']);
    expect(weakSteps(result.modules, true).map((w) => w.variable)).toEqual(['pool']);
    expect(proveExitCode(result)).toBe(2);
  });

  it('JSON and JUnit tell the two apart', () => {
    const decoded = proveResultCodec.decode(JSON.parse(JSON.stringify(result)));
    if (!isRight(decoded)) throw new Error('undecodable result');
    expect(decoded.right.modules[0]!.obligations.filter((o) => o.status === 'failed').map((o) => o.failure)).toEqual(['refuted', 'timeout']);
    const xml = proveToJUnitXml(result);
    expect(xml).toMatch(/: count — `count \+ 1` [^"]*may leave `Count`[^"]*" type="failed"/);
    expect(xml).toMatch(/: pool — timed out \(not refuted\)[^"]*" type="timeout"/);
  });
});

const tlapm = await resolveTlapm(currentHost());
if (isLeft(tlapm)) console.log(`SKIPPED: the generated TypeOK proof with tlapm did not run: ${tlapm.left.message}`);

describe.skipIf(isLeft(tlapm))('with tlapm', () => {
  it('proves a small program\'s TypeOK inductive, every step, exit 0', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mommie-typeok-cache-'));
    try {
      const r = await execa(process.execPath, [CLI, 'prove', 'test/fixtures/prove/Ticks.mom', '--stretch', '3', '--json', '-q'], { cwd: ROOT, reject: false, env: { NO_COLOR: '1', XDG_CACHE_HOME: cache }, timeout: 240_000 });
      const decoded = proveResultCodec.decode(JSON.parse(String(r.stdout)));
      expect(isRight(decoded)).toBe(true);
      if (!isRight(decoded)) return;
      const proofModule = decoded.right.modules.find((m) => m.module === 'Ticks_TypeOK')!;
      expect(proofModule.status).toBe('checked');
      expect(proofModule.obligations.filter((o) => o.status !== 'proved' && o.status !== 'trivial')).toEqual([]);
      expect(proofModule.obligations.some((o) => o.about?.theorem === 'TypeOK_Spec' && o.prover === 'ls4')).toBe(true);
      expect(r.exitCode).toBe(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 300_000);

  it('a proof module may EXTEND the generated TypeOK proof and cite its theorems: checked in the same run, exit 0; with --no-typeok not checked, exit 4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-typeok-use-'));
    try {
      const proof = join(dir, 'UseTypeOK.tla');
      writeFileSync(proof, '---- MODULE UseTypeOK ----\nEXTENDS Ticks_TypeOK\nTHEOREM Always == Spec => []TypeOK\n  BY TypeOK_Spec\n====\n');
      const run = async (extra: string[]) => {
        const r = await execa(process.execPath, [CLI, 'prove', 'test/fixtures/prove/Ticks.mom', proof, ...extra, '--stretch', '3', '--json', '-q'], { cwd: ROOT, reject: false, env: { NO_COLOR: '1', XDG_CACHE_HOME: dir }, timeout: 120_000 });
        const decoded = proveResultCodec.decode(JSON.parse(String(r.stdout)));
        if (!isRight(decoded)) throw new Error('undecodable result');
        return { exitCode: r.exitCode, result: decoded.right };
      };
      const whole = await run([]);
      expect(whole.exitCode).toBe(0);
      expect(whole.result.modules.map((m) => m.module)).toEqual(['Ticks', 'Ticks_TypeOK', 'UseTypeOK']);
      const use = whole.result.modules[2]!;
      expect(use.obligations.map((o) => [o.location.line, o.status])).toEqual([
        [4, 'proved'],
        [4, 'trivial'],
      ]);
      expect(use.theorems.map((t) => [t.name, t.status, t.cites.map((c) => [c.name, c.checked]), t.unchecked])).toEqual([['Always', 'proved', [['TypeOK_Spec', 'this-run']], []]]);
      // TypeOK_Spec rests on the constants' types, and so does what cites it.
      expect(use.theorems[0]!.assumptions.map((a) => [a.name, a.file])).toEqual([['ConstantsOK', 'Ticks_TypeOK.tla']]);

      // Without the generated proof in the run, tlapm takes TypeOK_Spec as proved: Always is not shown.
      const skipped = await run(['--no-typeok']);
      expect(skipped.exitCode).toBe(4);
      expect(skipped.result.modules.map((m) => m.module)).toEqual(['Ticks', 'UseTypeOK']);
      expect(skipped.result.modules[1]!.theorems[0]!.unchecked.map((t) => [t.name, t.file, t.checked])).toEqual([['TypeOK_Spec', 'Ticks_TypeOK.tla', 'not-checked']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
