// Issue 21, item 10: `1` and `"1"` are different values, inside records and
// sets as at the top, so a body program that smuggles a value of the wrong
// type (through `as unknown as number`) into a record field or a set element
// is reported as differing from its body spec (MOM702), and then refused by
// the type check (MOM501). Keys of well-typed values are unchanged (the
// checker's fingerprints and the TLC mapping rely on them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareValues, equalValues, keyOf, makeRecord, makeSet, setHas, showValue } from '../src/semantics/value.js';
import { Scratch } from './helpers/body-fixtures.js';

describe('values of different kinds never compare equal', () => {
  const noNames = (): readonly string[] => [];
  it('a number and the string of its digits', () => {
    expect(keyOf('1')).not.toBe(keyOf(1));
    expect(equalValues(makeRecord('Reply', [1, 'r1']), makeRecord('Reply', ['1', 'r1']))).toBe(false);
    expect(makeSet([1, '1']).elems).toHaveLength(2);
    expect(setHas(makeSet([1, 2]), '1')).toBe(false);
    expect(compareValues(1, '1')).not.toBe(0);
  });

  it('a boolean and the string TRUE; a record and a string spelling its key', () => {
    expect(equalValues(makeSet([true]), makeSet(['TRUE']))).toBe(false);
    const r = makeRecord('R', ['a', 'b']);
    expect(equalValues(makeSet([r]), makeSet([r.key]))).toBe(false);
    expect(equalValues(makeRecord('R', ['a,b']), makeRecord('R', ['a', 'b']))).toBe(false);
  });

  it('well-typed keys are as before; a string that is no name is shown quoted', () => {
    expect(makeRecord('Reply', [makeRecord('Request', ['c1', 0]), 1]).key).toBe('Reply(Request(c1,0),1)');
    expect(makeSet(['r2', 'r1', 'Done']).key).toBe('{Done,r1,r2}');
    expect(makeSet([3, -1, 10]).key).toBe('{-1,3,10}');
    expect(showValue(makeRecord('R', ['1', 'r1']), noNames)).toBe('R(#0: "1", #1: r1)');
  });
});

describe('a body program smuggling a value of the wrong type (mommie build --assert, mommie run --network sim)', () => {
  let s: Scratch;
  beforeAll(() => {
    s = new Scratch();
  });
  afterAll(() => s.remove());

  it('a record field: "1" for 1 in the published Reply is a PUBLISH that differs, then no Result', async () => {
    const dir = s.fixture('PBStringField');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const r = await s.runSim(dir, ['--assertions', 'log']);
    expect(r.stderr).toContain('error MOM702: Replica.Execute: PUBLISH differs from the body spec');
    expect(r.stderr).toMatch(/spec says {4}\[r1, c\d, NOONE\] Reply\(req: Request\(client: c\d, op: 0\), res: 1\)/);
    expect(r.stderr).toMatch(/program did {2}\[r1, c\d, NOONE\] Reply\(req: Request\(client: c\d, op: 0\), res: "1"\)/);
    expect(r.stdout).toMatch(/MOM501 at r1: the record published at PBStringField\/Replica\.ts:\d+:5 would be Reply\(.*res: "1"\), outside its type Reply/);
    expect(r.stderr).toMatch(/assertions \(log\): \d+ steps? of body programs compared with their body specs, [1-9]\d* violations?/);
    expect(r.exitCode).toBe(2);
  });

  it('a set element: a reply with "1" for its result added to accepted is a variable that differs', async () => {
    const dir = s.fixture('PBStringElement');
    expect((await s.build(dir, ['--assert'])).exitCode).toBe(0);
    const r = await s.runSim(dir, ['--assertions', 'log']);
    expect(r.stderr).toContain('error MOM702: Client.Accept: variable accepted differs from the body spec');
    expect(r.stderr).toContain(`program  ${s.line(dir, 'Client.ts', 'ctx.state.accepted =')}`);
    expect(r.stderr).toMatch(/program did {2}\{Reply\(req: Request\(client: c\d, op: 0\), res: "1"\)\}/);
    expect(r.stdout).toMatch(/MOM501 at c\d: accepted \(written at PBStringElement\/Client\.ts:10:\d+\) would be/);
    expect(r.exitCode).toBe(2);
  });
});
