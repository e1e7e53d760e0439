// Issue 21, item 11: each thing a body program did is reported at its own
// line of the .ts, whatever form it takes: an element write, Object.assign,
// a change in place, a write of a number that is no integer, a bad argument
// to ctx.fn. (The place is taken from the stack when it happens; there is no
// slot left over from an earlier write or step to take it from.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scratch } from './helpers/body-fixtures.js';

let s: Scratch;
beforeAll(() => {
  s = new Scratch();
});
afterAll(() => s.remove());

/** The `program  ...` lines of the reports of `what` in a run's stderr. */
function programLines(stderr: string, what: string): string[] {
  return stderr.split(/\n(?=\S)/).filter((r) => r.includes(what)).map((r) => /\n {2}program {2}(\S+)/.exec(r)?.[1] ?? '(none)');
}

describe('the places of writes and calls (mommie build, mommie run --network sim)', () => {
  it("an element write in Execute is reported at Execute's line, not at a State-typed write Assign made earlier", async () => {
    const dir = s.fixture('PBStaleMark');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const r = await s.runSim(dir, ['--assertions', 'log']);
    const places = programLines(r.stderr, 'Replica.Execute: variable executeSeqNo differs');
    expect(places.length, r.stderr).toBeGreaterThan(0);
    for (const p of places) expect(p).toMatch(new RegExp(`^${s.line(dir, 'Replica.ts', "ctx.state['executeSeqNo']")}\\d+$`));
    expect(r.exitCode).toBe(2);
  });

  it('Object.assign onto the state is reported at the Object.assign', async () => {
    const dir = s.fixture('PBObjectAssign');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const r = await s.runSim(dir, ['--assertions', 'stop']);
    const places = programLines(r.stderr, 'Replica.Execute: variable executeSeqNo differs');
    expect(places.length, r.stderr).toBeGreaterThan(0);
    for (const p of places) expect(p).toMatch(new RegExp(`^${s.line(dir, 'Replica.ts', 'Object.assign(ctx.state')}\\d+$`));
    expect(r.stderr).not.toContain('never writes executeSeqNo');
  });

  it('a set changed in place fails at the change, saying values are immutable', async () => {
    const dir = s.fixture('PBInPlace');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const r = await s.runSim(dir, ['--assertions', 'log']);
    expect(r.stdout).toContain(`MOM703 at c1: the body program of Client.Accept (${s.method(dir, 'Client.ts', 'Accept')}) threw at ${s.line(dir, 'Client.ts', '.push(')}`);
    expect(r.stdout).toContain('the values a body program is handed are immutable');
    expect(r.stderr).not.toContain('never writes accepted');
  });

  for (const assert of [true, false]) {
    it(`a number that is no integer is reported at its write${assert ? ' (--assert)' : ' (a plain build)'}`, async () => {
      const dir = s.fixture('PBFraction');
      expect((await s.build(dir, assert ? ['--assert'] : [])).exitCode).toBe(0);
      const r = await s.runSim(dir);
      expect(r.stdout).toContain(`MOM703 at r1: the body program of Replica.Execute (${s.method(dir, 'Replica.ts', 'Execute')}) gave variable executeSeqNo (written at ${s.line(dir, 'Replica.ts', '+= 0.5')}`);
      expect(r.stdout).toContain('that is no MOMMIE value: 0.5 is not an integer');
    });

    it(`a ctx.fn call with an argument outside its type is MOM501 at the call${assert ? ' (--assert)' : ' (a plain build)'}`, async () => {
      const dir = s.fixture('PBFnArgument');
      expect((await s.build(dir, assert ? ['--assert'] : [])).exitCode).toBe(0);
      const r = await s.runSim(dir);
      expect(r.stdout).toContain('MOM501 at r1: argument req of execute would be Request(client: c');
      expect(r.stdout).toContain(`(in the call of execute at ${s.line(dir, 'Replica.ts', 'ctx.fn.execute')}`);
    });
  }
});
