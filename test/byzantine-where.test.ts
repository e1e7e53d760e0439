// `BYZANTINE b SENDS X x TO V AUDIT A WHERE cond`: a Byzantine principal's
// publications narrowed to the records cond allows (docs/language.md,
// "Models"; docs/decisions.md, issue 25 item 5). What is checked here: the
// analysis refuses a WHERE that is not a pure condition over the record; the
// checker's Byzantine steps, the replay's check and the run's draw keep to it;
// a WHERE that excludes only what no correct node acts on leaves every
// reachable valuation of the role variables as it was (PBFTViewChange's
// LonePrePrepare), and one that excludes something a correct node learns
// from does not (the comparison catches it). TLC's agreement on the fixture's
// models is test/differential.test.ts's.

import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFile, checkText } from '../src/analysis/frontend.js';
import type { CheckedProgram } from '../src/analysis/program.js';
import { byzantineRefusal } from '../src/semantics/byzantine.js';
import { instantiate } from '../src/semantics/model.js';
import type { State } from '../src/semantics/state.js';
import { System } from '../src/semantics/system.js';
import { keyOf, makeRecord } from '../src/semantics/value.js';
import { ROOT } from './helpers/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'byzantine-where', 'WhereVotes.mom');
const dir = mkdtempSync(join(tmpdir(), 'mommie-where-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(file: string): CheckedProgram {
  const r = checkFile(file);
  if (!r.ok || r.program === undefined) throw new Error(`${file}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.program;
}

function systemOf(p: CheckedProgram, model: string): System {
  const inst = instantiate(p, model);
  if (!inst.ok) throw new Error(inst.error.message);
  return new System(inst.instance);
}

/** Every reachable state (a depth-first walk of the full semantics) and the valuations of the correct nodes' role variables in them. */
function reachable(system: System): { states: State[]; valuations: Set<string> } {
  const seen = new Set<string>();
  const states: State[] = [];
  const valuations = new Set<string>();
  const correct = system.model.nodes.filter((n) => n.status === 'correct').map((n) => n.index);
  const key = (s: State): string => `${s.vars.map((vs) => vs.map(keyOf).join(',')).join(';')}|${s.pool.join(',')}|${s.known.map((k) => k.join(',')).join('/')}|${s.handled.map((h) => h.join(',')).join('/')}`;
  const stack: State[] = [system.initialState()];
  while (stack.length > 0) {
    const s = stack.pop()!;
    const k = key(s);
    if (seen.has(k)) continue;
    seen.add(k);
    states.push(s);
    valuations.add(correct.map((n) => s.vars[n]!.map(keyOf).join(',')).join(';'));
    for (const succ of system.successors(s)) stack.push(succ.state);
  }
  return { states, valuations };
}

const codes = (source: string): string[] => checkText('where.mom', source).diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

describe('SENDS ... WHERE: the analysis', () => {
  const base = readFileSync(FIXTURE, 'utf8').replace(/\/\/ One value\. A Byzantine collector[\s\S]*$/, '');
  const withModel = (item: string): string => `${base}\nMODEL M {\n  ${item}\n}\n`;

  it('takes a condition over the record, the constants and the functions', () => {
    expect(codes(withModel('BYZANTINE r3 SENDS Vote x TO {l1} AUDIT * WHERE x.v == MaxVal AND Q > 1'))).toEqual([]);
    expect(codes(withModel('BYZANTINE l1 SENDS Cert c TO R WHERE FORALL s IN c.votes : s.issuer != l1'))).toEqual([]);
  });

  it('refuses a WHERE without a name for the record, one that is not boolean, and one that reads a node', () => {
    const noName = checkText('where.mom', withModel('BYZANTINE r3 SENDS Vote TO {l1} WHERE TRUE')).diagnostics;
    expect(noName.some((d) => d.message.includes('WHERE reads the record through a name'))).toBe(true);
    expect(codes(withModel('BYZANTINE r3 SENDS Vote x TO {l1} WHERE x.v'))).toContain('MOM303');
    expect(codes(withModel('BYZANTINE r3 SENDS Vote x TO {l1} WHERE x.v == r1.myVote'))).toContain('MOM406');
    expect(codes(withModel('BYZANTINE r3 SENDS Vote x TO {l1} WHERE KNOWN [l1, ME, NOONE] Cert'))).toContain('MOM406');
    expect(codes(withModel('BYZANTINE r3 SENDS Vote x TO {l1} WHERE x.w == 1'))).toContain('MOM203');
  });
});

describe('SENDS ... WHERE: the semantics', () => {
  const p = program(FIXTURE);

  it('a Byzantine carrier publishes only the certificates its WHERE allows', () => {
    const system = systemOf(p, 'QuorumCertificate');
    const { states } = reachable(system);
    let certificates = 0;
    for (const s of states) {
      for (const id of s.pool) {
        const st = system.interner.stmt(id);
        if (st.issuer !== 'l1') continue;
        certificates++;
        const votes = st.record.fields[1]!;
        expect(typeof votes === 'object' && votes.kind === 'set' ? new Set(votes.elems.map((v) => (typeof v === 'object' && v.kind === 'statement' ? v.issuer : ''))).size : 0).toBeGreaterThanOrEqual(2);
      }
    }
    expect(certificates).toBeGreaterThan(0);
    expect(states.length).toBe(2228);
  });

  it('a plain record type is filtered where the model enumerates it, and replay refuses what the WHERE excludes', () => {
    const inst = instantiate(p, 'VotesOne');
    if (!inst.ok) throw new Error(inst.error.message);
    const send = inst.instance.byzantine[0]!.sends[0]!;
    expect(send.records.map(keyOf)).toEqual(['Vote(1)']);
    const statement = (v: number) => ({ issuer: 'r3', verifiers: ['l1'], auditors: [...inst.instance.everyone], record: makeRecord('Vote', [v]) });
    expect(byzantineRefusal(inst.instance, 'r3', statement(1), 0)).toBeUndefined();
    expect(byzantineRefusal(inst.instance, 'r3', statement(0), 0)).toMatch(/WHERE/);
  });

  it('a WHERE that hides a statement correct nodes learn from changes what they reach, and the comparison shows it', () => {
    const any = reachable(systemOf(program(join(ROOT, 'specs', 'certificates', 'VoteCertificate.mom')), 'ByzantineOneValue'));
    const quorum = reachable(systemOf(p, 'QuorumCertificate'));
    // Same role variables in both programs (only the fixture's invariants differ).
    expect([...quorum.valuations].every((v) => any.valuations.has(v))).toBe(true);
    expect(any.valuations.size).toBeGreaterThan(quorum.valuations.size);
  });

  it("PBFTViewChange's WHERE hides nothing a correct replica acts on: LonePrePrepare reaches every valuation it reaches without it", { timeout: 120_000 }, () => {
    const spec = readFileSync(join(ROOT, 'specs', 'PBFTViewChange.mom'), 'utf8');
    const lone = /MODEL LonePrePrepare \{[\s\S]*?\n\}/.exec(spec)?.[0];
    expect(lone, 'the spec has LonePrePrepare').toBeDefined();
    expect(lone).toMatch(/WHERE/);
    // The same model with the WHERE taken out.
    const unrestricted = lone!.replace('MODEL LonePrePrepare', 'MODEL LoneAny').replace(/PrePrepare pp TO/, 'PrePrepare TO').replace(/ WHERE [^\n]*? BUDGET/, ' BUDGET');
    expect(unrestricted).not.toMatch(/WHERE/);
    const file = join(dir, 'PBFTViewChange.mom');
    writeFileSync(file, `${spec}\n${unrestricted}\n`);
    const p2 = program(file);
    const narrowed = reachable(systemOf(p2, 'LonePrePrepare'));
    const whole = reachable(systemOf(p2, 'LoneAny'));
    expect(narrowed.states.length).toBeLessThan(whole.states.length);
    expect([...whole.valuations].sort()).toEqual([...narrowed.valuations].sort());
  });
});
