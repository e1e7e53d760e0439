// What tlapm does not report, read by mommie from the modules themselves
// (issue 21, items 15 and 16), without tlapm: OMITTED and missing proofs as
// omitted obligations at their lines (never a word in a comment or a string),
// the theorems of a module with what each rests on, and the exit code and
// reports that follow. Recorded transcript: test/fixtures/prove/Omissions.stderr.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { proveExitCode } from '../src/cli/prove.js';
import { assumptionAt, constantsBlock, wrapperModule } from '../src/prove/assumption-check.js';
import { formatProveResult } from '../src/prove/human.js';
import { proveToJUnitXml } from '../src/prove/junit.js';
import { moduleResult } from '../src/prove/module-result.js';
import { moduleFacts } from '../src/prove/proof-facts.js';
import { moduleFinder, moduleScope, restsOn } from '../src/prove/proof-scope.js';
import { countObligations, proveResultCodec, type ModuleResult, type ProveResult } from '../src/prove/result.js';
import { withTheorems } from '../src/prove/theorems.js';
import { tokenize } from '../src/prove/tla-tokens.js';
import { hasStrict, libraryOf } from '../src/prove/tlapm-features.js';
import { readTranscript } from '../src/prove/transcript.js';
import { ROOT } from './helpers/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'prove');
const NO_FALSE_OK = join(DIR, 'no-false-ok');
const OMISSIONS = join(DIR, 'Omissions.tla');
const text = (path: string): string => readFileSync(path, 'utf8');

function resultOf(modules: ModuleResult[]): ProveResult {
  return { format: 'mommie-prove/1', program: 'Program', file: 'specs/Program.mom', tlapm: { path: '/usr/local/bin/tlapm', version: '1.6.0-pre' }, cacheDir: '/tmp/cache', modules, counts: countObligations(modules), seconds: 1 };
}

/** The recorded run of Omissions.tla, as prove() makes it: tlapm's results, then what mommie reads in the module. */
function omissionsModule(stderr = text(join(DIR, 'Omissions.stderr')), strict = true): ModuleResult {
  const run = readTranscript(stderr, { displayFile: 'Omissions.tla', exitCode: strict ? 11 : 0, strict });
  const m = moduleResult('Omissions', 'Omissions.tla', false, run, { work: DIR, target: { file: 'Omissions.tla', display: 'Omissions.tla' }, generated: 'Program.tla' });
  const finder = moduleFinder(DIR, null, new Set([OMISSIONS]));
  const scope = moduleScope(OMISSIONS, finder.facts(OMISSIONS)!, finder);
  return withTheorems(m, scope, run.incomplete, (p) => (p === OMISSIONS ? 'Omissions.tla' : p));
}

describe('reading a module: comments, strings and the text around the module do not count', () => {
  it('tokens: comments (nested), strings with escaped quotes, step labels, <<1>> is no step', () => {
    const words = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`);
    expect(words('a (* b (* OMITTED *) c *) d \\* OMITTED\ne')).toEqual(['name:a', 'name:d', 'name:e']);
    expect(words('"x \\" OMITTED" OMITTED')).toEqual(['string:"x \\" OMITTED"', 'keyword:OMITTED']);
    expect(words('<1>2. <1> <+> <*>. <<1>> == \\in')).toEqual(['step:<1>2.', 'step:<1>', 'step:<+>', 'step:<*>.', 'punct:<<', 'number:1', 'punct:>>', 'punct:==', 'punct:\\in']);
    expect(tokenize('a\n  (* x\n y *) b').map((t) => [t.text, t.line, t.column])).toEqual([
      ['a', 1, 1],
      ['b', 3, 7],
    ]);
  });

  it('Omissions.tla: each OMITTED proof and each theorem without a proof, at its line; none from the comments, strings or text outside the module', () => {
    const f = moduleFacts(text(OMISSIONS))!;
    expect(f.name).toBe('Omissions');
    expect(f.omissions.map((o) => [o.kind, o.line, o.column, o.theorem])).toEqual([
      ['omitted', 14, 13, 'FalseByOmitted'],
      ['omitted', 16, 29, 'Fake'],
      ['missing', 17, 1, 'NoProof'],
    ]);
    // An ASSUME ... PROVE is a statement, not an assumption.
    expect(f.assumptions.map((a) => [a.name, a.line])).toEqual([
      ['Positive', 10],
      [null, 11],
    ]);
    expect(f.theorems.map((t) => [t.name, t.line, t.endLine, t.cites])).toEqual([
      ['FalseByOmitted', 13, 15, []],
      ['Fake', 16, 16, []],
      ['NoProof', 17, 17, []],
      ['StepWithoutProof', 18, 20, []],
      ['Fine', 21, 22, ['Positive']],
      ['Later', 24, 25, []],
    ]);
    expect(f.uses).toEqual([{ line: 23, column: 1, names: ['Positive'] }]);
  });
});

describe('omitted proofs are reported, each at its line, and the run is not ok', () => {
  it('the recorded run: tlapm proved all 8 obligations; mommie adds the 4 omitted proofs (2 OMITTED, a theorem and a step without proof); exit 4', () => {
    const m = omissionsModule();
    // What tlapm's toolbox messages said: every obligation proved.
    expect(m.obligations.filter((o) => o.status !== 'omitted').every((o) => o.status === 'proved' || o.status === 'trivial')).toBe(true);
    expect(m.obligations.filter((o) => o.status === 'omitted').map((o) => [o.location.line, o.omission, o.id])).toEqual([
      [14, 'omitted', null],
      [16, 'omitted', null],
      [17, 'missing', null],
      // Only tlapm's --strict finds a step without a proof inside a structured proof.
      [19, 'missing', null],
    ]);
    const r = resultOf([m]);
    expect(r.counts.omitted).toBe(4);
    expect(proveExitCode(r)).toBe(4);
    expect(m.theorems.map((t) => [t.name, t.status])).toEqual([
      ['FalseByOmitted', 'omitted'],
      ['Fake', 'omitted'],
      ['NoProof', 'omitted'],
      ['StepWithoutProof', 'omitted'],
      ['Fine', 'proved'],
      ['Later', 'proved'],
    ]);
    // The module-level USE's own obligation (line 23) is no theorem's.
    expect(m.theorems.find((t) => t.name === 'Fine')!.obligations).toBe(2);
  });

  it('with a tlapm without --strict, mommie still finds the OMITTED proofs and the theorem without a proof', () => {
    const stderr = text(join(DIR, 'Omissions.stderr'))
      .split('\n')
      .filter((l) => !/^(Missing|Omitted) proof at/.test(l))
      .join('\n');
    const m = omissionsModule(stderr, false);
    expect(m.obligations.filter((o) => o.status === 'omitted').map((o) => o.location.line)).toEqual([14, 16, 17]);
    expect(proveExitCode(resultOf([m]))).toBe(4);
  });

  it('human report, JSON and JUnit say which proofs are omitted and that nothing was checked there', () => {
    const r = resultOf([omissionsModule()]);
    const human = formatProveResult(r);
    expect(human).toContain('Omissions.tla: 8 of 12 obligations proved, 4 omitted (not proved)');
    expect(human).toMatch(/- omitted +OMITTED +Omissions\.tla:14:13/);
    expect(human).toMatch(/- omitted +no proof +Omissions\.tla:17:1/);
    expect(human).toContain('- FalseByOmitted (line 13): not proved: its proof, or a step of it, is OMITTED or missing');
    expect(human).toContain('Not proved: 4 proofs are OMITTED or missing, and tlapm checks nothing there: Omissions.tla:14:13, Omissions.tla:16:29, Omissions.tla:17:1, Omissions.tla:19:1');
    expect(human).toContain('12 obligations: 8 proved (4 trivial), 4 omitted');
    const decoded = proveResultCodec.decode(JSON.parse(JSON.stringify(r)));
    expect(isRight(decoded) && decoded.right).toEqual(r);
    const xml = proveToJUnitXml(r);
    expect(xml).toContain('name="omitted proof at Omissions.tla:14:13"');
    expect(xml).toContain('type="omitted"');
    expect(xml).toMatch(/failures="4"/);
  });
});

describe('what each theorem rests on', () => {
  const lemmas = join(NO_FALSE_OK, 'SeqLemmas.tla');
  const uses = join(NO_FALSE_OK, 'UsesSeqLemmas.tla');
  const scopeOf = (checked: string[]) => {
    const finder = moduleFinder('/nonexistent-work-dir', null, new Set(checked));
    return moduleScope(uses, finder.facts(uses)!, finder);
  };

  it('a lemma of an EXTENDed module this run does not check: cited, not checked, with its OMITTED proof; its assumptions come along', () => {
    const scope = scopeOf([uses]);
    expect(scope.map((m) => [m.name, m.origin])).toEqual([
      ['UsesSeqLemmas', 'checked'],
      ['SeqLemmas', 'unchecked'],
    ]);
    const byName = new Map([...restsOn(scope)].map(([t, r]) => [t.name, r]));
    const natural = byName.get('Natural')!;
    expect(natural.cites.map((t) => [t.name, t.origin, t.omitted])).toEqual([['SeqIsNat', 'unchecked', false]]);
    expect(natural.unchecked.map((t) => t.name)).toEqual(['SeqIsNat']);
    // SeqIsNat is proved BY SeqNat: what cites it rests on SeqNat too.
    expect(natural.assumptions.map((a) => [a.name, a.module, a.line])).toEqual([['SeqNat', 'SeqLemmas', 4]]);
    expect(byName.get('Large')!.unchecked.map((t) => [t.name, t.omitted])).toEqual([['SeqIsLarge', true]]);
  });

  it('the same lemmas checked in this run: nothing unchecked', () => {
    const scope = scopeOf([uses, lemmas]);
    const natural = [...restsOn(scope)].find(([t]) => t.name === 'Natural')![1];
    expect(natural.cites.map((t) => [t.name, t.origin])).toEqual([['SeqIsNat', 'checked']]);
    expect(natural.unchecked).toEqual([]);
  });

  it('an unnamed ASSUME reaches every later theorem; a named one only where cited (or USEd)', () => {
    const finder = moduleFinder(DIR, null, new Set([OMISSIONS]));
    const scope = moduleScope(OMISSIONS, finder.facts(OMISSIONS)!, finder);
    const byName = new Map([...restsOn(scope)].map(([t, r]) => [t.name, r.assumptions.map((a) => a.name)]));
    expect(byName.get('FalseByOmitted')).toEqual([null]);
    expect(byName.get('Fine')).toEqual([null, 'Positive']);
    // After the module-level USE Positive.
    expect(byName.get('Later')).toEqual([null, 'Positive']);
  });

  it('modules are found as tlapm finds them: its working directory first, then next to the checked module, then its library', () => {
    const finder = moduleFinder(NO_FALSE_OK, DIR, new Set([uses]));
    expect(finder.find('SeqLemmas', uses)).toEqual({ path: lemmas, origin: 'unchecked' });
    expect(finder.find('Omissions', uses)).toEqual({ path: OMISSIONS, origin: 'library' });
    expect(finder.find('Naturals', uses)).toBeNull();
    expect(libraryOf('N/A\n/nonexistent\n', () => false)).toBeNull();
    expect(libraryOf('/usr/local/lib/tlapm/stdlib\n', (p) => p === '/usr/local/lib/tlapm/stdlib/TLAPS.tla')).toBe('/usr/local/lib/tlapm/stdlib');
    expect(hasStrict('  --summary  show summary\n  --strict   report incomplete proofs\n')).toBe(true);
    expect(hasStrict('  --summary  show summary\n')).toBe(false);
  });
});

describe('assumptions on a model\'s constants (the TLC run, without TLC)', () => {
  it('the CONSTANTS block of a generated .cfg, the wrapper module, and TLC\'s location of a false assumption', () => {
    const cfg = 'SPECIFICATION Spec\nCONSTANTS\n  c1 = c1\n  MaxSeq <- MC_MaxSeq\nINVARIANT TypeOK\n';
    expect(constantsBlock(cfg)).toEqual(['CONSTANTS', '  c1 = c1', '  MaxSeq <- MC_MaxSeq']);
    expect(wrapperModule('Contradiction', 'MC_PrimaryBackup_AllCorrect')).toContain('EXTENDS Contradiction, MC_PrimaryBackup_AllCorrect');
    const path = resolve(NO_FALSE_OK, 'Contradiction.tla');
    const scope = [{ name: 'Contradiction', path, origin: 'checked' as const, facts: moduleFacts(text(path))! }];
    expect(assumptionAt('line 5, col 15 to line 5, col 43 of module Contradiction', scope, () => 'Contradiction.tla')).toEqual({ name: 'Bad', module: 'Contradiction', file: 'Contradiction.tla', line: 5 });
    expect(assumptionAt('line 5, col 15 to line 5, col 43 of module Other', scope, () => '')).toBeNull();
  });

  it('a proved theorem under assumptions no model satisfies: exit 4, and the report says why', () => {
    const m: ModuleResult = {
      ...omissionsModule(),
      obligations: [],
      theorems: [],
      assumptionCheck: { status: 'fails', model: null, falseOn: [{ model: 'AllCorrect', assumption: { name: 'Bad', module: 'Contradiction', file: 'Contradiction.tla', line: 5 }, message: 'Assumption ... is false.' }], detail: null },
    };
    const r = resultOf([m]);
    expect(proveExitCode(r)).toBe(4);
    expect(formatProveResult(r)).toContain("assumptions: no model's constants satisfy them (TLC: on AllCorrect, ASSUME Bad (Contradiction.tla:5) is false)");
    expect(proveToJUnitXml(r)).toContain('type="assumptions"');
  });
});
