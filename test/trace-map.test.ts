// TLC's counterexamples shown as MOMMIE steps (src/tlc/trace-map.ts), on
// transcripts TLC printed for mommie's own translation of two buggy specs
// (test/fixtures/tlc/mommie/, recorded as test/fixtures/tlc/README.md says).
// Runs without Java. The recorded modules must be what the translation
// writes today, so a change to the translation cannot leave these
// transcripts describing a different module.

import { isLeft } from 'fp-ts/lib/Either.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { instantiate } from '../src/semantics/model.js';
import { System } from '../src/semantics/system.js';
import { translate } from '../src/tla/module.js';
import { parseTlcOutput } from '../src/tlc/output.js';
import type { Finding, Trace } from '../src/tlc/result.js';
import { modelResultFromTlc, TlcFailure } from '../src/tlc/engine.js';
import { mapTrace } from '../src/tlc/trace-map.js';
import { ROOT } from './helpers/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'tlc', 'mommie');

const CASES = [
  { spec: 'PrimaryBackupSmallQuorum', model: 'ByzantineBackup', exit: 12 },
  { spec: 'PrimaryBackupCrashedPrimary', model: 'CrashedPrimary', exit: 13 },
] as const;

function setup(spec: string, model: string) {
  const fe = checkFile(join(ROOT, 'specs', 'buggy', `${spec}.mom`));
  if (fe.program === undefined) throw new Error(`${spec} does not check`);
  const inst = instantiate(fe.program, model);
  if (!inst.ok) throw new Error(inst.error.message);
  return { program: fe.program, source: fe.source, system: new System(inst.instance) };
}

function traceOf(transcript: string, exit: number): Trace {
  const r = parseTlcOutput(transcript, exit);
  if (isLeft(r)) throw new Error(r.left.message);
  const f: Finding | undefined = r.right.findings[0];
  if (f === undefined || !('trace' in f) || f.trace === null) throw new Error('no trace');
  return f.trace;
}

function transcript(spec: string, model: string): string {
  return readFileSync(join(DIR, `MC_${spec}_${model}.out`), 'utf8');
}

describe('the recorded modules are the current translation', () => {
  it.each(CASES)('$spec $model', ({ spec, model }) => {
    const { program, source } = setup(spec, model);
    const files = translate(program, source, { models: [model] });
    for (const [name, written] of files.files) {
      // The modules name their source file; the recording was made from the project root.
      const text = written.replaceAll(`${ROOT}/`, '');
      expect(text, `${name} differs from the recorded module: re-record test/fixtures/tlc/mommie (README.md)`).toBe(readFileSync(join(DIR, name), 'utf8'));
    }
  });
});

describe('TLC traces replayed as MOMMIE steps', () => {
  it('a safety counterexample: each step is the one TLC names (operator and node)', () => {
    const { system } = setup('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    const m = mapTrace(system, traceOf(transcript('PrimaryBackupSmallQuorum', 'ByzantineBackup'), 12).states);
    if (!m.ok) throw new Error(m.reason);
    expect(m.states).toHaveLength(4);
    const shown = m.actions.map((a) => (a === undefined ? 'init' : a.kind === 'fire' ? `${system.model.nodes[a.node]!.name}:${a.transition.name}` : `${a.kind}:${system.model.nodes[a.node]!.name}`));
    expect(shown).toEqual(['init', 'byzantine:r4', 'deliver:c1', 'c1:Accept']);
  });

  it('a liveness counterexample (lasso)', () => {
    const { system } = setup('PrimaryBackupCrashedPrimary', 'CrashedPrimary');
    const t = traceOf(transcript('PrimaryBackupCrashedPrimary', 'CrashedPrimary'), 13);
    expect(t.lasso).not.toBeNull();
    const m = mapTrace(system, t.states);
    if (!m.ok) throw new Error(m.reason);
    expect(m.states).toHaveLength(t.states.length);
    expect(m.actions.filter((a) => a?.kind === 'fire').map((a) => (a?.kind === 'fire' ? a.transition.name : ''))).toContain('SuspectPrimary');
  });

  it('a step TLC attributes to another action is refused, naming both', () => {
    const { system } = setup('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    const forged = transcript('PrimaryBackupSmallQuorum', 'ByzantineBackup').replace('4: <Client_Accept(c1) line', '4: <Client_Submit(c1) line');
    const m = mapTrace(system, traceOf(forged, 12).states);
    expect(m).toMatchObject({ ok: false, at: 4 });
    if (!m.ok) expect(m.reason).toBe('TLC took Client_Submit(c1), but the MOMMIE steps that lead to its state are Client_Accept(c1)');
  });

  it('a state no MOMMIE step reaches is refused', () => {
    const { system } = setup('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    const text = transcript('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    // The Byzantine statement of step 2 issued by r3 instead of r4 (r3 is correct in this model).
    const at = text.indexOf('2: <ByzantinePublish(r4)');
    const end = text.indexOf('@!@!@ENDMSG', at);
    const forged = text.slice(0, at) + text.slice(at, end).replaceAll('issuer |-> r4', 'issuer |-> r3') + text.slice(end);
    expect(forged).not.toBe(text);
    const m = mapTrace(system, traceOf(forged, 12).states);
    expect(m).toMatchObject({ ok: false, at: 2, reason: "no MOMMIE step leads to TLC's state 2" });
  });
});

describe('TypeOK, the type invariant TLC checks on every model', () => {
  it('names every variable of the module, and every .cfg checks it (the current translation of every example)', () => {
    const specs = [
      ...readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).map((f) => join(ROOT, 'specs', f)),
      ...readdirSync(join(ROOT, 'specs', 'buggy')).filter((f) => f.endsWith('.mom')).map((f) => join(ROOT, 'specs', 'buggy', f)),
    ];
    expect(specs.length).toBeGreaterThanOrEqual(7);
    for (const file of specs) {
      const fe = checkFile(file);
      if (fe.program === undefined) throw new Error(`${file} does not check`);
      const files = translate(fe.program, fe.source);
      const text = files.files.get(`${files.moduleName}.tla`)!;
      const vars = /^VARIABLES (.*)$/m.exec(text)![1]!.split(', ');
      const typeOk = /^TypeOK ==\n((?: {2}\/\\ .*\n)+)/m.exec(text)![1]!;
      const typed = [...typeOk.matchAll(/^ {2}\/\\ (\w+) /gm)].map((m) => m[1]);
      expect(typed, file).toEqual(vars);
      const cfgs = [...files.files].filter(([name]) => name.endsWith('.cfg'));
      expect(cfgs.length, file).toBe(fe.program.models.size);
      for (const [name, cfg] of cfgs) expect(cfg, name).toMatch(/^INVARIANT TypeOK$/m);
    }
  });

  it('a TypeOK violation is reported as a bug in the translation, not as a verdict', () => {
    // Recorded from the translation with one body's InType check removed and
    // its value pushed out of range (type-broken/, see README.md).
    const { program, source } = setup('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    const r = parseTlcOutput(readFileSync(join(DIR, 'type-broken', 'MC_PrimaryBackupSmallQuorum_ByzantineBackup.out'), 'utf8'), 12);
    if (isLeft(r)) throw new Error(r.left.message);
    expect(r.right.findings.map((f) => (f.kind === 'invariant' ? f.name : f.kind))).toEqual(['TypeOK']);
    const opts = { deadlock: false, symmetry: true, continueAfterViolation: false };
    expect(() => modelResultFromTlc(program, source, 'ByzantineBackup', r.right, 1, opts, false)).toThrow(
      new TlcFailure("TLC found the generated TypeOK violated (a bug in mommie's translation): Invariant TypeOK is violated."),
    );
  });

  it('a temporal property TLC names but the model does not have is refused, not dropped', () => {
    const { program, source } = setup('PrimaryBackupCrashedPrimary', 'CrashedPrimary');
    const text = transcript('PrimaryBackupCrashedPrimary', 'CrashedPrimary').replace('Temporal property ClientsServed was violated.', 'Temporal property Elsewhere was violated.');
    const r = parseTlcOutput(text, 13);
    if (isLeft(r)) throw new Error(r.left.message);
    expect(() => modelResultFromTlc(program, source, 'CrashedPrimary', r.right, 1, { deadlock: false, symmetry: true, continueAfterViolation: false }, false)).toThrow(
      'TLC reported a violation of Elsewhere, which is not a property of model CrashedPrimary',
    );
  });

  it('the recorded violation reads as MOMMIE verdicts when TypeOK holds', () => {
    const { program, source } = setup('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    const r = parseTlcOutput(transcript('PrimaryBackupSmallQuorum', 'ByzantineBackup'), 12);
    if (isLeft(r)) throw new Error(r.left.message);
    const m = modelResultFromTlc(program, source, 'ByzantineBackup', r.right, 1, { deadlock: false, symmetry: true, continueAfterViolation: false }, false);
    expect(m.status).toBe('violation');
    expect(m.properties.map((p) => [p.name, p.verdict])).toEqual([['ValidReplies', 'violated'], ['InOrder', 'unknown']]);
    expect(m.stats.distinct).toBe(164);
  });
});

// TLC 2.19 (the release `mommie tools install` pins) differs from 1.8 in what
// the engine relies on: actions are named without their node
// (`<Client_Accept line ...>`), a temporal violation does not name its
// property ("Temporal properties were violated."), and no depth is printed
// after it. Transcripts of the same modules, recorded with TLC 2.19.
describe('TLC 2.19 transcripts of the same modules', () => {
  const opts = { deadlock: false, symmetry: true, continueAfterViolation: false };
  const read = (spec: string, model: string, exit: number) => {
    const r = parseTlcOutput(readFileSync(join(DIR, 'tlc-2.19', `MC_${spec}_${model}.out`), 'utf8'), exit);
    if (isLeft(r)) throw new Error(r.left.message);
    expect(r.right.version?.version).toBe('2.19');
    return r.right;
  };

  it('a safety counterexample: actions without their node are matched on the operator', () => {
    const { program, source } = setup('PrimaryBackupSmallQuorum', 'ByzantineBackup');
    const m = modelResultFromTlc(program, source, 'ByzantineBackup', read('PrimaryBackupSmallQuorum', 'ByzantineBackup', 12), 1, opts, false);
    expect(m.properties.map((p) => [p.name, p.verdict, p.trace?.steps.length])).toEqual([['ValidReplies', 'violated', 4], ['InOrder', 'unknown', undefined]]);
    expect(m.properties[0]!.trace!.steps.map((s) => s.action.kind)).toEqual(['init', 'byzantine', 'deliver', 'fire']);
  });

  it('an unnamed temporal violation is attributed to the property its behaviour violates, and the depth comes from the last progress line', () => {
    const { program, source } = setup('PrimaryBackupCrashedPrimary', 'CrashedPrimary');
    const t = read('PrimaryBackupCrashedPrimary', 'CrashedPrimary', 13);
    expect(t.findings).toMatchObject([{ kind: 'property', names: [], temporal: true }]);
    expect(t.statistics?.depth ?? null).toBeNull();
    const m = modelResultFromTlc(program, source, 'CrashedPrimary', t, 1, opts, false);
    expect(m.status).toBe('violation');
    expect(m.properties.map((p) => [p.name, p.verdict])).toEqual([['ValidReplies', 'holds'], ['InOrder', 'holds'], ['ClientsServed', 'violated']]);
    expect(m.properties[2]!.trace).toMatchObject({ loopsTo: 8 });
    expect(m.stats.depth).toBe(7);
  });

  it('a behaviour that violates no property in mommie\'s semantics is a translation bug', () => {
    const { program, source } = setup('PrimaryBackupCrashedPrimary', 'CrashedPrimary');
    const t = read('PrimaryBackupCrashedPrimary', 'CrashedPrimary', 13);
    // Cut the lasso after the initial state: a client that has submitted nothing owes nothing.
    const f = t.findings[0]!;
    if (f.kind !== 'property' || f.trace === null) throw new Error('expected a lasso');
    const cut = { ...t, findings: [{ ...f, trace: { ...f.trace, states: f.trace.states.slice(0, 1), lasso: { kind: 'stuttering' as const, state: 2 } } }] };
    expect(() => modelResultFromTlc(program, source, 'CrashedPrimary', cut, 1, opts, false)).toThrow(/violates none of the model's properties in mommie's semantics/);
  });
});
