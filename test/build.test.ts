// `mommie build`: TypeScript body programs compiled against declarations
// generated from the program, and run by `mommie run --build` in place of
// their body specs. A body program that publishes the wrong record or writes
// a variable its role lacks is a tsc error at its own line. Runs the built
// CLI (dist/): `npx tsc -p .` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mommie, ROOT } from './helpers/cli.js';

const PROGRAM = join(ROOT, 'specs', 'PrimaryBackup.mom');
const DEPLOY = join(ROOT, 'specs', 'PrimaryBackup.deploy');
const BODIES = join(ROOT, 'specs', 'bodies', 'PrimaryBackup');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mommie-build-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A copy of the example's body programs in `name`, with `Replica.ts` edited by `edit`. */
function bodies(name: string, edit: (replica: string) => string = (s) => s): string {
  const dir = join(tmp, name);
  cpSync(BODIES, dir, { recursive: true });
  const f = join(dir, 'Replica.ts');
  writeFileSync(f, edit(readFileSync(f, 'utf8')));
  return name;
}

/** 1-based line:col of the first occurrence of `needle` in the copy's Replica.ts. */
function at(name: string, needle: string): string {
  const text = readFileSync(join(tmp, name, 'Replica.ts'), 'utf8');
  const i = text.indexOf(needle);
  const before = text.slice(0, i).split('\n');
  return `${name}/Replica.ts:${before.length}:${before[before.length - 1]!.length + 1}`;
}

describe('mommie build', () => {
  it('builds the primary-backup body programs; the run uses them and its logs replay', async () => {
    const dir = bodies('ok');
    const b = await mommie(['build', PROGRAM, '--deploy', DEPLOY, '--bodies', dir, '-o', 'out-ok'], { cwd: tmp });
    expect(b.stderr).toContain('3 body programs');
    expect(b.exitCode).toBe(0);
    expect(readFileSync(join(tmp, 'out-ok', 'Replica.js.map'), 'utf8')).toContain('Replica.ts');
    const r = await mommie(['run', PROGRAM, '--deploy', DEPLOY, '--network', 'sim', '--build', 'out-ok', '--requests', '4', '--trace', 'trace-ok'], { cwd: tmp });
    expect(r.stdout).toContain('r1 (Replica): fired Assign×2, Execute×2');
    expect(r.stdout).toContain('requests: 2 of 2 completed');
    expect(r.exitCode).toBe(0);
    const rep = await mommie(['replay', PROGRAM, 'trace-ok'], { cwd: tmp });
    expect(rep.stdout + rep.stderr).toContain('are a behaviour of PrimaryBackup');
    expect(rep.exitCode).toBe(0);
  });

  it('rejects a write to a variable the role lacks, at its line', async () => {
    const dir = bodies('novar', (s) => s.replace('ctx.state.executeSeqNo += 1;', 'ctx.state.executeSeq += 1;'));
    const b = await mommie(['build', PROGRAM, '--bodies', dir, '-o', 'out-novar'], { cwd: tmp });
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain(`${at(dir, 'executeSeq +=')}: error MOM700: TS2551: Property 'executeSeq' does not exist on type 'ReplicaState'`);
  });

  it('rejects publishing a record the body spec does not publish, at its line', async () => {
    const dir = bodies('wrongrec', (s) => s.replace('record: Reply({ req, res })', 'record: Order({ m: req, seqNo: res })'));
    const b = await mommie(['build', PROGRAM, '--bodies', dir, '-o', 'out-wrongrec'], { cwd: tmp });
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toMatch(new RegExp(`${at(dir, 'record: Order({ m: req, seqNo: res })').replace(/[.:/]/g, '\\$&')}: error MOM700: TS\\d+: Type 'Order' .*'Reply'`));
  });

  it('rejects a body program for a transition the role lacks', async () => {
    const dir = bodies('notrans', (s) => s.replace('Execute(ctx) {', 'Exec(ctx) {'));
    const b = await mommie(['build', PROGRAM, '--bodies', dir, '-o', 'out-notrans'], { cwd: tmp });
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain(`${at(dir, 'Exec(ctx)')}: error MOM701: role Replica has no transition Exec (it has Assign, Execute, SuspectPrimary)`);
    expect(b.stderr).not.toContain('TS2353');
  });

  it("a body program that throws aborts its step, reported at the .ts line the source maps give", async () => {
    const dir = bodies('throws', (s) => s.replace('    const res = ctx.fn.execute(req);', "    const res = ctx.fn.execute(req);\n    if (res > 0) throw new Error('no result for ' + req.op);"));
    expect((await mommie(['build', PROGRAM, '--bodies', dir, '-o', 'out-throws'], { cwd: tmp })).exitCode).toBe(0);
    const r = await mommie(['run', PROGRAM, '--deploy', DEPLOY, '--network', 'sim', '--build', 'out-throws', '--requests', '2', '--stall', '3000'], { cwd: tmp });
    expect(r.stdout).toContain(`MOM703 at r1: the body program of Replica.Execute (${at(dir, 'Execute(ctx)')}) threw at ${at(dir, "new Error('no result")}: no result for 0`);
  });

  it('refuses to run a build of another version of the program', async () => {
    const dir = bodies('stale');
    expect((await mommie(['build', PROGRAM, '--bodies', dir, '-o', 'out-stale'], { cwd: tmp })).exitCode).toBe(0);
    const changed = join(tmp, 'Changed.mom');
    writeFileSync(changed, readFileSync(PROGRAM, 'utf8').replace('CONSTANT MaxOp = 0', 'CONSTANT MaxOp = 1'));
    const r = await mommie(['run', changed, '--deploy', DEPLOY, '--network', 'sim', '--build', 'out-stale'], { cwd: tmp });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('MOM704');
  });
});
