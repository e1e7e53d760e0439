// Certificates (issue 25): statements carried inside statements. End to end
// on specs/certificates/VoteCertificate.mom: a collector certifies a quorum
// of votes (`AS votes` binds the matching known statements), and a voter
// that receives the certificate learns every carried vote in the same
// Deliver step, as an auditor, so that a pattern with verifier NONE and
// auditor ME matches votes never addressed to it. Mutants show each rule
// matters; the rule that a correct node carries only what it knows or issued
// is tested on the semantics' own check (MOM506).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatementDraft } from '../src/semantics/body.js';
import { checkCarriedKnown } from '../src/semantics/certificates.js';
import { EvalError } from '../src/semantics/errors.js';
import { makeRecord, makeSet, makeStatement, renameValue } from '../src/semantics/value.js';
import { decodedVerify, mommie, ROOT } from './helpers/cli.js';

const SPEC = join('specs', 'certificates', 'VoteCertificate.mom');
const dir = mkdtempSync(join(tmpdir(), 'mommie-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mutant(name: string, from: string, to: string): string {
  const text = readFileSync(join(ROOT, SPEC), 'utf8');
  expect(text).toContain(from);
  const file = join(dir, `${name}.mom`);
  writeFileSync(file, text.replace(from, to));
  return file;
}

describe('certificates in the built-in checker', () => {
  it('VoteCertificate holds: carried votes are learned with their certificate', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', SPEC, '--json', '-q', '--in-process'], { timeoutMs: 60_000 });
    const m = decodedVerify(r).models[0]!;
    expect(m.status).toBe('complete');
    expect(m.properties.map((p) => [p.name, p.verdict])).toEqual([['WitnessedCast', 'holds'], ['AcceptedQuorum', 'holds'], ['WitnessesFollow', 'holds']]);
    // TLC finds the same on the generated module (test/differential.test.ts): keep the figure pinned.
    expect(m.stats.distinct).toBe(8333);
    expect(r.exitCode).toBe(0);
  });

  it('a pattern with verifier ME does not match a vote learned only as an auditor', { timeout: 60_000 }, async () => {
    const file = mutant('VerifierMe', 'WHEN [c R == 1, NONE, ME] Vote w', 'WHEN [c R == 1, ME, ME] Vote w');
    const r = await mommie(['verify', file, '--json', '-q', '--in-process'], { timeoutMs: 60_000 });
    const m = decodedVerify(r).models[0]!;
    expect(m.properties.find((p) => p.name === 'WitnessesFollow')?.verdict).toBe('violated');
    expect(r.exitCode).toBe(2);
  });

  it('AS binds the matching statements, which carry their issuers and records', { timeout: 60_000 }, async () => {
    // Accept requires Q distinct issuers among the carried votes, all for the
    // certified value; asking for one more issuer than the quorum makes some
    // certificate (one made on exactly Q votes) unacceptable, so a voter may never accept.
    const file = mutant('MoreThanQuorum', 'IF size({s.issuer : s IN ct.votes}) >= Q', 'IF size({s.issuer : s IN ct.votes}) >= Q + 1');
    const accepted = `\nPROPERTY SomeoneAccepts: <>(EXISTS r IN R : size(r.accepted) > 0)\n`;
    writeFileSync(file, readFileSync(file, 'utf8') + accepted);
    const base = join(dir, 'Base.mom');
    writeFileSync(base, readFileSync(join(ROOT, SPEC), 'utf8') + accepted);
    const [mut, ok] = await Promise.all([
      mommie(['verify', file, '--json', '-q', '--in-process'], { timeoutMs: 60_000 }),
      mommie(['verify', base, '--json', '-q', '--in-process'], { timeoutMs: 60_000 }),
    ]);
    expect(decodedVerify(ok).models[0]!.properties.find((p) => p.name === 'SomeoneAccepts')?.verdict).toBe('holds');
    expect(decodedVerify(mut).models[0]!.properties.find((p) => p.name === 'SomeoneAccepts')?.verdict).toBe('violated');
  });
});

describe('STATEMENTS: the known statements that match a pattern', () => {
  const TALLY = join('specs', 'certificates', 'CertificateTally.mom');
  it('a voter tallies the carried votes it knows as an auditor (TLC: the same 297 states)', { timeout: 60_000 }, async () => {
    const m = decodedVerify(await mommie(['verify', TALLY, '--json', '-q', '--in-process'], { timeoutMs: 60_000 })).models[0]!;
    expect(m.properties.map((p) => [p.name, p.verdict])).toEqual([['TalliedCast', 'holds'], ['TallyIsQuorum', 'holds'], ['SomeTally', 'holds']]);
    expect(m.stats.distinct).toBe(297);
  });

  it('with verifier ME instead of NONE it collects nothing: no vote was addressed to a voter', { timeout: 60_000 }, async () => {
    const file = join(dir, 'TallyMe.mom');
    writeFileSync(file, readFileSync(join(ROOT, TALLY), 'utf8').replaceAll('STATEMENTS [c R == 1, NONE, ME] Vote', 'STATEMENTS [c R == 1, ME, ME] Vote'));
    const m = decodedVerify(await mommie(['verify', file, '--json', '-q', '--in-process'], { timeoutMs: 60_000 })).models[0]!;
    expect(m.properties.find((p) => p.name === 'SomeTally')?.verdict).toBe('violated');
  });

  it('a quorum pattern is refused there (MOM300: bind a quorum with AS)', async () => {
    const file = join(dir, 'TallyQuorum.mom');
    writeFileSync(file, readFileSync(join(ROOT, TALLY), 'utf8').replaceAll('STATEMENTS [c R == 1, NONE, ME] Vote', 'STATEMENTS [R >= 2, NONE, ME] Vote'));
    const r = await mommie(['check', file]);
    expect(r.stderr).toContain('error MOM300: STATEMENTS collects the statements of one issuer at a time');
    expect(r.exitCode).toBe(1);
  });
});

describe('Byzantine carriers', () => {
  it('a Byzantine collector carries only votes in the pool: every invariant holds', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', SPEC, '-m', 'ByzantineCollector', '--json', '-q', '--in-process'], { timeoutMs: 60_000 });
    const m = decodedVerify(r).models[0]!;
    expect(m.status).toBe('complete');
    expect(m.properties.every((p) => p.verdict === 'holds')).toBe(true);
    // The same as TLC on the generated module (ByzCarrier, BoundedSubsets without SUBSET).
    expect(m.stats.distinct).toBe(14479);
  });

  it('the planted bug: a certificate accepted without checking its votes\' value is caught with the carried votes in the trace', { timeout: 60_000 }, async () => {
    const r = await mommie(['verify', join('specs', 'certificates', 'buggy', 'VoteCertificateUncheckedValue.mom'), '--in-process'], { timeoutMs: 60_000 });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('✗ AcceptedQuorum  violated');
    expect(r.stdout).toContain('counterexample to AcceptedQuorum (6 states)');
    expect(r.stdout).toMatch(/l1 \(Byzantine\) publishes \[l1 → [^\]]+\] Cert\(v: 1, votes: \{\[r\d, l1, \{l1, r1, r2, r3\}\] Vote\(v: 0\), \[r\d, l1, \{l1, r1, r2, r3\}\] Vote\(v: 0\)\}\)/);
  });
});

describe('reductions with carried statements', () => {
  it('symmetry renames principals inside carried statements', () => {
    const vote = makeStatement('r1', ['l1'], ['l1', 'r1', 'r2'], makeRecord('Vote', [0]));
    const cert = makeRecord('Cert', [0, makeSet([vote])]);
    const renamed = renameValue(cert, new Map([['r1', 'r2'], ['r2', 'r1']]));
    expect(renamed).toEqual(makeRecord('Cert', [0, makeSet([makeStatement('r2', ['l1'], ['l1', 'r1', 'r2'], makeRecord('Vote', [0]))])]));
  });

  it('SYMMETRY R over voters whose votes certificates carry: the same verdicts, fewer states (TLC finds 532 too)', { timeout: 60_000 }, async () => {
    const [sym, plain] = await Promise.all(['SymmetricVoters', 'OneValue'].map(async (model) => decodedVerify(await mommie(['verify', SPEC, '-m', model, '--json', '-q', '--in-process'], { timeoutMs: 60_000 })).models[0]!));
    expect(sym!.properties.map((p) => p.verdict)).toEqual(plain!.properties.map((p) => p.verdict));
    expect(sym!.stats.distinct).toBe(532);
    expect(plain!.stats.distinct).toBe(2781);
  });

  it('--por keeps every verdict, and never reduces deliveries of carrying or carried types', { timeout: 120_000 }, async () => {
    for (const model of ['Small', 'ByzantineCollector']) {
      const [por, full] = await Promise.all([['--por'], []].map(async (extra) => decodedVerify(await mommie(['verify', SPEC, '-m', model, '--json', '-q', '--in-process', ...extra], { timeoutMs: 60_000 })).models[0]!));
      expect(por!.properties.map((p) => [p.name, p.verdict])).toEqual(full!.properties.map((p) => [p.name, p.verdict]));
      // Every record type of VoteCertificate carries or is carried: nothing is reduced.
      expect(por!.stats.distinct).toBe(full!.stats.distinct);
    }
    const bug = decodedVerify(await mommie(['verify', join('specs', 'certificates', 'buggy', 'VoteCertificateUncheckedValue.mom'), '--json', '-q', '--in-process', '--por'], { timeoutMs: 60_000 })).models[0]!;
    expect(bug.properties.find((p) => p.name === 'AcceptedQuorum')?.verdict).toBe('violated');
  });
});

// Running programs with certificates (deploy-check, the wire, the simulated network, TCP): test/certificates-runtime.test.ts.

describe('a correct node carries only statements it knows or issued (MOM506)', () => {
  const vote = (issuer: string) => makeStatement(issuer, ['l1'], ['l1', 'r1', 'r2', 'r3'], makeRecord('Vote', [0]));
  const draft = (carried: readonly ReturnType<typeof vote>[]): StatementDraft => ({
    issuer: 'l1', verifiers: ['r1'], auditors: [], record: makeRecord('Cert', [0, makeSet(carried)]),
    site: { kind: 'publish', id: 0, span: { start: 3, end: 9 } } as unknown as StatementDraft['site'],
  });
  const known = new Set([vote('r1').key]);

  it('accepts known statements and its own published ones', () => {
    const own = makeStatement('l1', ['r1'], [], makeRecord('Vote', [1]));
    expect(() => checkCarriedKnown([draft([vote('r1')])], 'l1', (k) => known.has(k), () => false)).not.toThrow();
    expect(() => checkCarriedKnown([{ ...draft([]), record: makeRecord('Cert', [0, makeSet([own])]) }], 'l1', () => false, (k) => k === own.key)).not.toThrow();
  });

  it('aborts the step at the PUBLISH for a statement it neither knows nor issued', () => {
    let err: unknown;
    try {
      checkCarriedKnown([draft([vote('r1'), vote('r2')])], 'l1', (k) => known.has(k), () => true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).code).toBe('MOM506');
    expect((err as EvalError).message).toContain('[r2, {l1}');
    expect((err as EvalError).span).toEqual({ start: 3, end: 9 });
  });
});
