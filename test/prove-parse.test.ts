// tlapm's --toolbox output read by src/prove/ on transcripts recorded from a
// real tlapm (test/fixtures/prove/README.md says which and how), whole and in
// pieces, and on cut-short and malformed output; then the reports made from
// them (human, JSON codec, JUnit) and the exit codes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { proveExitCode } from '../src/cli/prove.js';
import { failureKind, ObligationCollector, shortReason } from '../src/prove/collect.js';
import { formatProveResult } from '../src/prove/human.js';
import { proveToJUnitXml } from '../src/prove/junit.js';
import { decodeFrame, locationOf, secondsOf } from '../src/prove/messages.js';
import { moduleResult } from '../src/prove/module-result.js';
import { countObligations, proveResultCodec, type ModuleResult, type ProveResult } from '../src/prove/result.js';
import { frameTranscript, ToolboxFramer } from '../src/prove/toolbox.js';
import { readTranscript } from '../src/prove/transcript.js';
import { parseTlapmConfig } from '../src/tools/tlapm-config.js';
import { ROOT } from './helpers/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'prove');
const EXIT_CODES = JSON.parse(readFileSync(join(DIR, 'exit-codes.json'), 'utf8')) as Record<string, number>;
const stderrOf = (name: string): string => readFileSync(join(DIR, `${name}.stderr`), 'utf8');

function run(name: string, file = `${name.replace(/\..*$/, '')}.tla`) {
  return readTranscript(stderrOf(name), { displayFile: file, exitCode: EXIT_CODES[name]! });
}

function moduleOf(name: string, generated = false): ModuleResult {
  const file = `${name.replace(/\..*$/, '')}.tla`;
  return moduleResult(file.replace(/\.tla$/, ''), file, generated, run(name), { work: DIR, target: { file, display: file }, generated: 'Program.tla' });
}

function resultOf(modules: ModuleResult[]): ProveResult {
  return {
    format: 'mommie-prove/1',
    program: 'Program',
    file: 'specs/Program.mom',
    tlapm: { path: '/usr/local/bin/tlapm', version: 'development' },
    cacheDir: '/tmp/cache',
    modules,
    counts: countObligations(modules),
    seconds: 1,
  };
}

describe('framing', () => {
  it('reads every message of a transcript and keeps the text between them apart', () => {
    const events = frameTranscript(stderrOf('Mixed'));
    const frames = events.filter((e) => e.kind === 'frame');
    expect(frames).toHaveLength(8);
    const stray = events.filter((e) => e.kind === 'stray').map((e) => (e.kind === 'stray' ? e.line : ''));
    expect(stray).toContain('[ERROR]: 1/2 obligations failed.');
    // A multi-line field ends at the next field.
    const last = frames[frames.length - 1]!;
    expect(last.kind === 'frame' && last.frame.fields.get('obl')).toBe("ASSUME NEW VARIABLE x\nPROVE  x \\in Nat /\\ x' = x + 1 => x' = x");
  });

  it('gives the same messages whatever the chunk size', () => {
    const text = stderrOf('Mixed');
    const whole = frameTranscript(text);
    for (const size of [1, 7, 64, 1000]) {
      const f = new ToolboxFramer();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...f.push(text.slice(i, i + size)));
      events.push(...f.end());
      expect(events).toEqual(whole);
    }
  });

  it('a frame cut short comes out as text, not as a message', () => {
    const text = stderrOf('Mixed');
    const cut = text.slice(0, text.indexOf('@!!status:failed') + 5);
    const events = frameTranscript(cut);
    expect(events.filter((e) => e.kind === 'frame')).toHaveLength(5);
    expect(events[events.length - 1]).toEqual({ kind: 'stray', line: '@!!st' });
  });
});

describe('decoding', () => {
  it('an obligation: id, location, status, prover, time, cached, text', () => {
    const ms = run('Mixed').messages;
    expect(ms[0]).toEqual({ kind: 'obligation', id: 1, span: { line: 8, column: 3, endLine: 8, endColumn: 5 }, status: 'to be proved', prover: null, method: null, seconds: null, reason: null, cached: false, obligation: null });
    expect(ms[2]).toEqual({ kind: 'count', count: 2 });
    expect(ms[3]).toMatchObject({ kind: 'obligation', id: 1, status: 'proved', prover: 'smt', method: 'time-limit: 5; time-used: 1.2 (24%)', seconds: 1.2, cached: false });
    expect(ms[4]).toMatchObject({ kind: 'obligation', id: 2, status: 'being proved', prover: 'smt' });
  });

  it('a known message that does not decode is malformed, with why; an unknown one is kept', () => {
    const frame = (fields: Record<string, string>) => ({ fields: new Map(Object.entries(fields)), text: '' });
    expect(decodeFrame(frame({ type: 'obligation', id: '1', loc: '8:3', status: 'proved' }))).toMatchObject({ kind: 'malformed', type: 'obligation' });
    expect(decodeFrame(frame({ type: 'obligation', id: 'one', loc: '8:3:8:5', status: 'proved' }))).toMatchObject({ kind: 'malformed', why: expect.stringContaining('id') });
    expect(decodeFrame(frame({ type: 'obligation', id: '1', loc: '8:3:8:5', status: 'done' }))).toMatchObject({ kind: 'malformed', why: expect.stringContaining('status') });
    expect(decodeFrame(frame({ type: 'obligationsnumber', count: '' }))).toMatchObject({ kind: 'malformed' });
    expect(decodeFrame(frame({ type: 'obligationprovers', id: '4', provers: 'smt,zenon' }))).toEqual({ kind: 'provers', id: 4, provers: ['smt', 'zenon'] });
    expect(decodeFrame(frame({ type: 'proof-step', x: '1' }))).toMatchObject({ kind: 'other', type: 'proof-step' });
  });

  it('times, locations and reasons', () => {
    expect(secondsOf('auto; time-limit: 30')).toBeNull();
    expect(secondsOf('time-limit: 10; time-used: 0.9 (9%)')).toBe(0.9);
    expect(locationOf('File "./Broken.tla", line 4, character 8\nincomplete expression')).toEqual({ file: './Broken.tla', line: 4, column: 8 });
    expect(locationOf('File "./Mixed.tla", line 10, characters 3-4:')).toEqual({ file: './Mixed.tla', line: 10, column: 3 });
    expect(shortReason('Executable "isabelle" not found in this PATH:\n/usr/bin')).toBe('isabelle is not installed');
    expect(shortReason('timeout')).toBe('timeout');
  });

  it('why an obligation failed: timed out only when every backend that ran timed out', () => {
    const a = (prover: string, reason: string) => ({ prover, status: 'failed' as const, seconds: 1, reason, cached: false });
    const noIsabelle = a('isabelle', 'isabelle is not installed');
    expect(failureKind([a('smt', 'timeout'), a('zenon', 'timeout'), noIsabelle])).toBe('timeout');
    expect(failureKind([a('smt', 'internal timeout'), a('zenon', 'timeout'), noIsabelle])).toBe('timeout');
    expect(failureKind([a('smt', 'timeout'), a('zenon', 'false'), noIsabelle])).toBe('refuted');
    expect(failureKind([a('smt', 'timeout'), a('zenon', 'Zenon crashed'), noIsabelle])).toBe('other');
    // No backend ran: nothing timed out.
    expect(failureKind([noIsabelle])).toBe('other');
  });
});

describe('obligations from recorded runs', () => {
  it('Mixed: one proved by Z3; one failed by every backend, with the obligation', () => {
    const r = run('Mixed');
    expect(r.expected).toBe(2);
    expect(r.malformed).toEqual([]);
    expect(r.obligations).toEqual([
      {
        id: 1,
        location: { file: 'Mixed.tla', line: 8, column: 3, endLine: 8, endColumn: 5 },
        status: 'proved',
        prover: 'smt',
        seconds: 1.2,
        cached: false,
        attempts: [{ prover: 'smt', status: 'proved', seconds: 1.2, reason: null, cached: false }],
        failure: null,
        obligation: null,
        // Only the generated TypeOK proof's steps say what they are about (test/prove-typeok.test.ts).
        about: null,
        omission: null,
      },
      {
        id: 2,
        location: { file: 'Mixed.tla', line: 10, column: 3, endLine: 10, endColumn: 5 },
        status: 'failed',
        prover: 'isabelle',
        seconds: 5.7,
        cached: false,
        attempts: [
          { prover: 'smt', status: 'failed', seconds: 5, reason: 'timeout', cached: false },
          { prover: 'zenon', status: 'failed', seconds: 0.7, reason: 'false', cached: false },
          { prover: 'isabelle', status: 'failed', seconds: null, reason: 'isabelle is not installed', cached: false },
        ],
        // Z3 timed out but Zenon answered `false`: refuted, not merely timed out.
        failure: 'refuted',
        obligation: "ASSUME NEW VARIABLE x\nPROVE  x \\in Nat /\\ x' = x + 1 => x' = x",
        about: null,
        omission: null,
      },
    ]);
  });

  it('Mixed again: the same verdicts, from the fingerprint cache', () => {
    const r = run('Mixed.cached', 'Mixed.tla');
    expect(r.obligations.map((o) => [o.id, o.status, o.prover, o.seconds, o.cached])).toEqual([
      [1, 'proved', 'smt', null, true],
      [2, 'failed', 'isabelle', null, true],
    ]);
  });

  it('Kinds: trivial steps, LS4 for PTL, Zenon; the OMITTED step is not an obligation', () => {
    const r = run('Kinds');
    expect(r.expected).toBe(5);
    expect(r.obligations.map((o) => [o.id, o.location.line, o.status, o.prover])).toEqual([
      [1, 5, 'proved', 'smt'],
      [2, 7, 'proved', 'ls4'],
      [3, 7, 'trivial', 'tlapm'],
      [5, 11, 'proved', 'zenon'],
      [6, 11, 'trivial', 'tlapm'],
    ]);
  });

  it('Broken: no obligations, the parse error once, with its location', () => {
    const r = run('Broken');
    expect(r.obligations).toEqual([]);
    expect(r.expected).toBeNull();
    expect(r.problems).toEqual([{ severity: 'warning', message: 'incomplete expression', location: { file: './Broken.tla', line: 4, column: 8 } }]);
  });

  it('a run stopped while a backend works: that obligation is interrupted, not failed', () => {
    const text = stderrOf('Mixed');
    const cut = text.slice(0, text.indexOf('@!!BEGIN', text.indexOf('@!!status:being proved')));
    const stopped = readTranscript(cut, { displayFile: 'Mixed.tla', exitCode: null, interrupted: true });
    expect(stopped.obligations.map((o) => [o.id, o.status])).toEqual([
      [1, 'proved'],
      [2, 'interrupted'],
    ]);
    const c = new ObligationCollector('M.tla');
    for (const m of readTranscript(cut, { displayFile: 'M.tla', exitCode: null }).messages) c.add(m);
    expect(c.results(false).map((o) => o.status)).toEqual(['proved', 'unfinished']);
  });
});

describe('module results, reports and exit codes', () => {
  it('a rejected proof module: its errors located in the user\'s file; exit 1', () => {
    const m = moduleOf('Broken');
    expect(m.status).toBe('rejected');
    expect(m.problems).toEqual([{ severity: 'error', message: 'incomplete expression', location: { file: 'Broken.tla', line: 4, column: 8 } }]);
    expect(proveExitCode(resultOf([moduleOf('Kinds'), m]))).toBe(1);
    // The generated module rejected is mommie's bug.
    expect(proveExitCode(resultOf([moduleOf('Broken', true)]))).toBe(3);
  });

  it('exit codes: 0 all proved, 2 a failure, 130 interrupted, 3 a malformed message', () => {
    expect(proveExitCode(resultOf([moduleOf('Kinds')]))).toBe(0);
    expect(proveExitCode(resultOf([moduleOf('Kinds'), moduleOf('Mixed')]))).toBe(2);
    const stopped = moduleResult('Mixed', 'Mixed.tla', false, readTranscript(stderrOf('Mixed'), { displayFile: 'Mixed.tla', exitCode: null, interrupted: true }), {
      work: DIR,
      target: { file: 'Mixed.tla', display: 'Mixed.tla' },
      generated: 'P.tla',
    });
    expect(proveExitCode(resultOf([stopped]))).toBe(130);
    const odd = readTranscript('@!!BEGIN\n@!!type:obligation\n@!!id:x\n@!!END\n', { displayFile: 'M.tla', exitCode: 0 });
    const m = moduleResult('M', 'M.tla', false, odd, { work: DIR, target: { file: 'M.tla', display: 'M.tla' }, generated: 'P.tla' });
    expect(m.status).toBe('crashed');
    expect(proveExitCode(resultOf([m]))).toBe(3);
  });

  it('human report: a line per obligation with status, prover, time and file:line:col', () => {
    const text = formatProveResult(resultOf([moduleOf('Mixed'), moduleOf('Broken')]));
    expect(text).toContain('Mixed.tla: 1 of 2 obligations proved, 1 failed');
    expect(text).toMatch(/✓ proved +smt +1\.2 s +Mixed\.tla:8:3/);
    expect(text).toMatch(/✗ failed +smt,zenon +5\.7 s +Mixed\.tla:10:3/);
    expect(text).toContain('tried: smt failed (timeout), 5.0 s; zenon failed (false), 0.7 s; isabelle failed (isabelle is not installed)');
    expect(text).toContain("PROVE  x \\in Nat /\\ x' = x + 1 => x' = x");
    expect(text).toContain('Broken.tla: rejected by tlapm');
    expect(text).toContain('Broken.tla:4:8: error: incomplete expression');
    expect(text).toContain("note: isabelle is not installed, so tlapm could not try it ('mommie tools doctor' says what to do).");
  });

  it('JSON: the result decodes with its codec, and a wrong status does not', () => {
    const r = resultOf([moduleOf('Mixed'), moduleOf('Kinds'), moduleOf('Broken')]);
    const decoded = proveResultCodec.decode(JSON.parse(JSON.stringify(r)));
    expect(isRight(decoded) && decoded.right).toEqual(r);
    const bad = JSON.parse(JSON.stringify(r)) as { modules: { obligations: { status: string }[] }[] };
    bad.modules[0]!.obligations[0]!.status = 'done';
    expect(isLeft(proveResultCodec.decode(bad))).toBe(true);
  });

  it('JUnit: a testsuite per module, a failure per failed obligation, an error per rejected module', () => {
    const xml = proveToJUnitXml(resultOf([moduleOf('Mixed'), moduleOf('Broken')]));
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: { name: string; tests: string; failures: string; errors: string; testsuite: { name: string; testcase: unknown }[] };
    };
    expect(doc.testsuites).toMatchObject({ name: 'mommie prove', tests: '3', failures: '1', errors: '1' });
    expect(doc.testsuites.testsuite.map((s) => s.name)).toEqual(['Program.Mixed', 'Program.Broken']);
    expect(xml).toContain('name="obligation 2 at Mixed.tla:10:3"');
    expect(xml).toContain('smt: failed (timeout), 5.0 s');
  });
});

describe('tlapm --config', () => {
  it('names the backends that answer, with their versions', () => {
    const config = [
      'version == "development"',
      'Executable "isabelle" not found in this PATH:',
      '/usr/local/lib/tlapm/backends/bin:/usr/bin',
      'zenon == "PATH=\'...\'; zenon -p0 -x tla -oisar -max-time 1d \\"$file\\""',
      'zenon version == "zenon version 0.8.4 [a268] 2017-11-14"',
      'Z3 == "PATH=\'...\'; z3 -smt2 -v:0 AUTO_CONFIG=false smt.MBQI=true \\"$file\\""',
      'Z3 version == "Z3 version 4.8.12 - 64 bit"',
      'LS4 == "PATH=\'...\'; ptl_to_trp -i $file | ls4"',
      'LS4 version == "unknown"',
    ].join('\n');
    expect(parseTlapmConfig(config)).toEqual({
      z3: { status: 'ok', version: '4.8.12' },
      zenon: { status: 'ok', version: '0.8.4' },
      ls4: { status: 'ok', version: null },
      isabelle: { status: 'missing', version: null },
    });
  });
});
