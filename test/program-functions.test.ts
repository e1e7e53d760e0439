// Functions left to the program (`FUNCTION execute(req: Request): Result`
// with no body): each model defines one for checking, the TLA+ translation
// makes it an operator constant the MC module defines, a run takes it from
// --model or refuses at the declaration, traces log the values it returned
// and replay evaluates with them, rejecting logs whose nodes disagree.
// The fixture is specs/PrimaryBackup.mom with execute left open. Runs the
// built CLI (dist/): `npx tsc -p .` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { checkFile } from '../src/analysis/frontend.js';
import { instantiate, instantiateRun } from '../src/semantics/model.js';
import { makeRecord } from '../src/semantics/value.js';
import { translate } from '../src/tla/module.js';
import { decodeVerifyResult } from '../src/report/codec.js';
import { mommie, ROOT } from './helpers/cli.js';

const FIXTURE = join('test', 'fixtures', 'functions', 'PrimaryBackupExecute.mom');
const DEPLOY = join('specs', 'PrimaryBackup.deploy');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-functions-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('model checking a function left to the program', () => {
  // AllCorrect and CrashedBackup define execute as specs/PrimaryBackup.mom
  // does, so they must count exactly its states (3,175 and 323);
  // ConstantResult defines another function over the same model.
  it('counts the states each model gives it, and every property holds', async () => {
    const r = await mommie(['verify', FIXTURE, '-m', 'AllCorrect', '-m', 'CrashedBackup', '-m', 'ConstantResult', '--json', '-q'], { timeoutMs: 180_000 });
    const d = decodeVerifyResult(JSON.parse(r.stdout));
    if (isLeft(d)) throw new Error(d.left);
    expect(d.right.models.map((m) => [m.model, m.status, m.stats.distinct])).toEqual([
      ['AllCorrect', 'complete', 3175],
      ['CrashedBackup', 'complete', 323],
      ['ConstantResult', 'complete', 323],
    ]);
    for (const m of d.right.models) for (const p of m.properties) expect([m.model, p.name, p.verdict]).toEqual([m.model, p.name, 'holds']);
    expect(r.exitCode).toBe(0);
  });

  it('evaluates the model\'s definition, or the host\'s function over it (the seam for body programs)', () => {
    const fe = checkFile(join(ROOT, FIXTURE));
    expect(fe.ok).toBe(true);
    const program = fe.program!;
    // `Result res <- execute(req);` in the replicas' Execute.
    const execute = program.roles.get('Replica')!.transitions.find((t) => t.name === 'Execute')!.decl.body[0]!;
    if (execute.kind !== 'local' || execute.value.kind !== 'call') throw new Error('the fixture changed');
    const call = execute.value;
    const arg = call.args[0]!.value;
    const req = program.resolution.get(arg.id);
    if (req?.k !== 'bound') throw new Error('req is not bound');
    const valueIn = (r: ReturnType<typeof instantiate>): { value: unknown; logged: unknown[] } => {
      if (!r.ok) throw new Error(r.error.message);
      const logged: unknown[] = [];
      r.instance.evaluator.onSuppliedCall = (c) => logged.push([c.name, c.args, c.result]);
      const value = r.instance.evaluator.eval(call, { bound: new Map([[req.declId, makeRecord('Request', ['c1', 0])]]) });
      return { value, logged };
    };
    expect(valueIn(instantiate(program, 'AllCorrect')).value).toBe(1);
    expect(valueIn(instantiate(program, 'ConstantResult'))).toEqual({ value: 2, logged: [['execute', [makeRecord('Request', ['c1', 0])], 2]] });
    expect(valueIn(instantiate(program, 'ConstantResult', new Map(), new Map([['execute', () => 3]]))).value).toBe(3);
    expect(valueIn(instantiateRun(program, new Map(), new Map([['execute', () => 0]]))).value).toBe(0);
    // A host's value outside the result type is the program's error, as a model's would be.
    expect(() => valueIn(instantiateRun(program, new Map(), new Map([['execute', () => 9]])))).toThrow(/the result of execute would be 9, outside its type/);
    const none = instantiateRun(program, new Map());
    expect(none.ok ? undefined : [none.error.code, none.error.span.start]).toEqual(['MOM505', program.functions.get('execute')!.name.span.start]);
  });
});

describe('bad input around functions left to the program', () => {
  const base = (model: string, body = 'last <- execute(req);'): string => `PROGRAM Open
PRINCIPALS C = {c1}
PRINCIPALS R = {r1}
TYPE Res = 0..3
RECORD Request { client: C, op: Res }
FUNCTION execute(req: Request): Res
ROLE Server AT R {
  VAR last : Res = 0
  TRANSITION Serve
    WHEN [c C == 1, ME, NOONE] Request req
  @@{
    ${body}
  @@}
}
INVARIANT Small: FORALL r IN R : r.last <= 3
MODEL M {
  ${model}
}
`;

  it('a call to an undeclared function: MOM200 at file:line:col', async () => {
    const p = file('undeclared.mom', base('FUNCTION execute(req) = req.op', 'last <- exeucte(req);'));
    const r = await mommie(['check', p]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${p}:12:13: error MOM200: exeucte is not a declared function or record type`);
  });

  it('a model\'s definition of the wrong type: MOM300 at file:line:col', async () => {
    const p = file('wrong-type.mom', base('FUNCTION execute(req) = req.client'));
    const r = await mommie(['check', p]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${p}:17:27: error MOM300: the result of function execute under model M must be integer, not principal of C`);
  });

  it('a model that leaves it undefined, and one that defines what the program defines: MOM421, MOM420', async () => {
    const forgets = file('forgets.mom', base('CHECK Small'));
    const r1 = await mommie(['check', forgets]);
    expect(r1.exitCode).toBe(1);
    expect(r1.stderr).toContain(`${forgets}:16:7: error MOM421: model M does not define function execute`);
    const defined = file('defined.mom', base('FUNCTION execute(req) = 1').replace('FUNCTION execute(req: Request): Res', 'FUNCTION execute(req: Request): Res = 0'));
    const r2 = await mommie(['check', defined]);
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr).toContain(`${defined}:17:12: error MOM420: function execute is defined by the program`);
  });

  it('types in a model\'s parameter list are a syntax error that says why', async () => {
    const p = file('typed-params.mom', base('FUNCTION execute(req: Request) = 1'));
    const r = await mommie(['check', p]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${p}:17:23: error MOM110: in a model, execute's parameters are names only: their types are the declaration's`);
  });
});

describe('the TLA+ translation of a function left to the program', () => {
  it('is an operator constant of the module that each model\'s MC module defines', () => {
    const fe = checkFile(join(ROOT, FIXTURE));
    const files = translate(fe.program!, fe.source).files;
    const main = files.get('PrimaryBackupExecute.tla')!;
    expect(main).toMatch(/^CONSTANTS execute\(_\) /m);
    expect(main).not.toMatch(/^execute\(req\) ==/m);
    // The result is checked against its type where it is called, as the built-in evaluator does.
    expect(main).toContain('InType(execute(InType(req, T_Request)), ((0)..(3)))');
    expect(files.get('MC_PrimaryBackupExecute_AllCorrect.tla')).toMatch(/^MC_execute\(req\) == \(req\.op \+ 1\)$/m);
    expect(files.get('MC_PrimaryBackupExecute_ConstantResult.tla')).toMatch(/^MC_execute\(req\) == \(MaxOp \+ 2\)$/m);
    for (const [name, text] of files) if (name.endsWith('.cfg')) expect(text, name).toMatch(/^ {2}execute <- MC_execute$/m);
  });
});

describe('running a function left to the program', () => {
  it('without a model that defines it: refused at the declaration (MOM505), nothing runs', async () => {
    const r = await mommie(['run', FIXTURE, '--deploy', DEPLOY, '--network', 'sim']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${FIXTURE}:27:10: error MOM505: function execute is left to the program, and nothing supplies it to this run`);
  });

  it('under --model: the model\'s function; traces log its values, replay accepts them and rejects nodes that disagree', async () => {
    const logs = join(dir, 'logs');
    const r = await mommie(['run', FIXTURE, '--deploy', DEPLOY, '--network', 'sim', '--model', 'AllCorrect', '--trace', logs], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(0);
    const fires = readdirSync(logs).flatMap((f) => readFileSync(join(logs, f), 'utf8').split('\n').filter((l) => l.includes('"fn"')).map((l) => ({ f, l })));
    // Every replica executed the one request, once, and logged execute's value for it.
    expect(fires.map((x) => x.f).sort()).toEqual(['r1.ndjson', 'r2.ndjson', 'r3.ndjson', 'r4.ndjson']);
    for (const { l } of fires) expect(JSON.parse(l).fn).toEqual([['execute', [{ rec: 'Request', f: ['c1', 0] }], 1]]);
    const ok = await mommie(['replay', FIXTURE, logs]);
    expect(ok.stdout, ok.stderr).toMatch(/accepted: 5 logs/);
    expect(ok.exitCode).toBe(0);

    const bad = join(dir, 'disagree');
    cpSync(logs, bad, { recursive: true });
    const r2 = join(bad, 'r2.ndjson');
    const lines = readFileSync(r2, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"fn"'));
    lines[i] = lines[i]!.replace(/"fn":\[\["execute",(.*),1\]\]/, '"fn":[["execute",$1,2]]');
    writeFileSync(r2, lines.join('\n'));
    const no = await mommie(['replay', FIXTURE, bad]);
    expect(no.exitCode).toBe(2);
    expect(no.stderr).toMatch(/execute\(\{"rec":"Request","f":\["c1",0\]\}\) returned 2 here, but 1 at r\d .*every node must see the same function/);
  });
});
