// The TLC -tool output parser (src/tlc/) on real transcripts recorded with
// TLC (test/fixtures/tlc/README.md says which TLC and how), on streams, and
// on truncated and malformed output.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { ROOT } from './helpers/cli.js';
import { parseTlcOutput, parseTlcStream, TlcOutputParser, type TlcEvent } from '../src/tlc/output.js';
import { decodeTlcResult, type Finding, type TlcOutputError, type TlcResult, type Trace, type TraceState } from '../src/tlc/result.js';
import { TLC_EXIT_STATUSES, tlcExitStatus } from '../src/tlc/exit-status.js';
import { parseSanyReport } from '../src/tlc/sany-output.js';
import { formatTlaValue, parseTlaValue, tlaValueOrRaw, type TlaValue } from '../src/tlc/values.js';
import { parseTlcVersion } from '../src/tlc/version.js';

const DIR = join(ROOT, 'test', 'fixtures', 'tlc');
const EXIT_CODES = JSON.parse(readFileSync(join(DIR, 'exit-codes.json'), 'utf8')) as Record<string, number>;
const FIXTURES = Object.keys(EXIT_CODES);

function transcript(name: string): string {
  return readFileSync(join(DIR, `${name}.out`), 'utf8');
}

function ok(r: Either<TlcOutputError, TlcResult>): TlcResult {
  if (isLeft(r)) throw new Error(`expected a result, got ${r.left.kind}: ${r.left.message}`);
  return r.right;
}

function fixture(name: string): TlcResult {
  return ok(parseTlcOutput(transcript(name), EXIT_CODES[name]));
}

function only(r: TlcResult): Finding {
  expect(r.findings).toHaveLength(1);
  return r.findings[0]!;
}

function traceOf(f: Finding): Trace {
  if (!('trace' in f) || f.trace === null) throw new Error(`finding ${f.kind} has no trace`);
  return f.trace;
}

function actions(t: Trace): string[] {
  return t.states.map((s) => (s.action.kind === 'initial' ? '<Initial predicate>' : s.action.kind === 'action' ? s.action.name : s.action.raw));
}

function variable(s: TraceState | undefined, name: string): { text: string; value: TlaValue } {
  const v = s?.variables.find((x) => x.name === name);
  if (v === undefined) throw new Error(`no variable ${name}`);
  return v;
}

const VERSION = 'TLC2 Version 2026.11.25.032050 (rev: cc6b616)';

describe('every recorded transcript', () => {
  it('has its fixtures: the .out of each entry of exit-codes.json', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(17);
    for (const name of FIXTURES) expect(transcript(name).length).toBeGreaterThan(0);
  });

  it.each(FIXTURES)('%s parses into a result that its io-ts codec accepts, JSON round trip included', (name) => {
    const r = fixture(name);
    expect(r.version?.raw).toBe(VERSION);
    expect(r.version?.version).toBe('2026.11.25.032050');
    expect(r.version?.revision).toBe('cc6b616');
    const back = decodeTlcResult(JSON.parse(JSON.stringify(r)));
    expect(isRight(back)).toBe(true);
  });

  it.each(FIXTURES)('%s: the verdict agrees with the exit code TLC returned', (name) => {
    const r = fixture(name);
    const code = EXIT_CODES[name]!;
    expect(r.exit?.code).toBe(code);
    const expected: Record<string, number[]> = {
      success: [0],
      violation: [10, 11, 12, 13, 14],
      'evaluation-error': [75, 76, 77, 255],
      'parse-error': [150],
      'config-error': [151, 255],
      error: [1, 255],
    };
    // With -continue TLC exits 0 and says "No error has been found" after reporting violations.
    if (name === 'Continue') expect([r.verdict, code]).toEqual(['violation', 0]);
    else expect(expected[r.verdict]).toContain(code);
  });

  it.each(FIXTURES)('%s parses the same whole, line by line, in odd chunks and from a stream', async (name) => {
    const text = transcript(name);
    const whole = fixture(name);

    const byLine = new TlcOutputParser();
    for (const line of text.split('\n')) byLine.pushLine(line);
    expect(ok(byLine.end(EXIT_CODES[name]))).toEqual(whole);

    const chunked = new TlcOutputParser();
    for (let i = 0, n = 1; i < text.length; i += n, n = (n * 7 + 3) % 61 + 1) chunked.push(text.slice(i, i + n));
    expect(ok(chunked.end(EXIT_CODES[name]))).toEqual(whole);

    const bytes = Buffer.from(text, 'utf8');
    const pieces = [bytes.subarray(0, 5), bytes.subarray(5, 300), bytes.subarray(300)];
    const streamed = await parseTlcStream(Readable.from(pieces), { exitCode: () => EXIT_CODES[name] });
    expect(ok(streamed)).toEqual(whole);
  });
});

describe('success and statistics', () => {
  it('Success: no error, final statistics, depth, collision estimate, duration', () => {
    const r = fixture('Success');
    expect(r.verdict).toBe('success');
    expect(r.findings).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.statistics).toEqual({ generated: 5, distinct: 4, queue: 0, depth: 4 });
    expect(r.initialStates).toEqual({ generated: null, distinct: 1 });
    expect(r.collisionProbability).toEqual({ calculated: 2.2e-19, actual: null });
    expect(r.durationMs).toBeGreaterThan(0);
    expect(r.mode).toMatch(/^Running breadth-first search Model-Checking/);
    expect(r.sany.errors).toEqual([]);
    expect(r.sany.files[0]).toMatch(/Success\.tla$/);
    expect(r.exit).toEqual({ code: 0, name: 'SUCCESS', kind: 'success', meaning: 'model checking completed and found no error' });
  });

  it('Progress: numbers with thousands separators, per-minute rates, both collision estimates', () => {
    const r = fixture('Progress');
    expect(r.verdict).toBe('success');
    expect(r.statistics).toEqual({ generated: 116282, distinct: 29791, queue: 0, depth: 91 });
    const last = r.progress[r.progress.length - 1]!;
    expect(last.depth).toBe(91);
    expect(last.generated).toBe(116282);
    expect(last.distinct).toBe(29791);
    expect(last.queue).toBe(0);
    expect(last.generatedPerMinute).toBeGreaterThan(1000);
    expect(last.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(r.collisionProbability?.actual).not.toBeNull();
  });

  it('reads progress lines printed while checking (no rates) and reports them as events', () => {
    const events: TlcEvent[] = [];
    const p = new TlcOutputParser({ onEvent: (e) => events.push(e) });
    p.push(transcript('Lasso'));
    const r = ok(p.end(13));
    expect(r.progress).toHaveLength(2);
    expect(r.progress[0]).toMatchObject({ depth: 3, generated: 4, distinct: 3, queue: 0, generatedPerMinute: null, distinctPerMinute: null });
    expect(events.filter((e) => e.kind === 'progress')).toHaveLength(2);
    expect(events.some((e) => e.kind === 'message' && e.code === 2116)).toBe(true);
  });

  it('reads numbers grouped the way other locales group them', () => {
    const text = transcript('Progress')
      .replace('116,282 states generated (', '116.282 states generated (')
      .replace('29,791 distinct', '29\u202f791 distinct');
    const r = ok(parseTlcOutput(text));
    expect(r.progress[0]).toMatchObject({ generated: 116282, distinct: 29791 });
  });

  it('Print: PrintT lines between messages are kept, in order', () => {
    const events: TlcEvent[] = [];
    const p = new TlcOutputParser({ onEvent: (e) => events.push(e) });
    p.push(transcript('Print'));
    const r = ok(p.end(0));
    expect(r.verdict).toBe('success');
    expect(r.prints).toEqual(['<<"init", 0>>', '<<"step", 0>>', '<<"step", 1>>']);
    expect(events.filter((e) => e.kind === 'print').map((e) => (e.kind === 'print' ? e.line : ''))).toEqual(r.prints);
    expect(r.sany.output.some((l) => l.startsWith('Semantic processing of module Print'))).toBe(true);
  });
});

describe('violations and their traces', () => {
  it('Invariant: the violated invariant, 4 states, action names and values (multi-line ones too)', () => {
    const r = fixture('Invariant');
    expect(r.verdict).toBe('violation');
    const f = only(r);
    expect(f).toMatchObject({ kind: 'invariant', name: 'Small', initial: false });
    const t = traceOf(f);
    expect(t.lasso).toBeNull();
    expect(t.states.map((s) => s.number)).toEqual([1, 2, 3, 4]);
    expect(actions(t)).toEqual(['<Initial predicate>', 'Send("a")', 'Send("a")', 'Send("a")']);
    const a = t.states[1]!.action;
    expect(a).toEqual({
      kind: 'action',
      name: 'Send("a")',
      location: { module: 'Invariant', startLine: 8, startColumn: 12, endLine: 12, endColumn: 49 },
      raw: '<Send("a") line 8, col 12 to line 12, col 49 of module Invariant>',
    });
    expect(t.states[0]!.variables.map((v) => v.name)).toEqual(['msgs', 'owner', 'n', 'log']);
    expect(variable(t.states[0], 'n').value).toEqual({ kind: 'int', value: 0 });
    expect(variable(t.states[3], 'n').text).toBe('3');
    expect(variable(t.states[3], 'log').value).toEqual({ kind: 'seq', elements: [1, 2, 3].map(() => ({ kind: 'string', value: 'a' })) });
    expect(variable(t.states[1], 'owner').value).toEqual({
      kind: 'record',
      fields: [
        { name: 'a', value: { kind: 'bool', value: true } },
        { name: 'b', value: { kind: 'bool', value: false } },
      ],
    });
    const msgs = variable(t.states[3], 'msgs');
    expect(msgs.text.split('\n')).toHaveLength(3);
    expect(msgs.value.kind).toBe('set');
    if (msgs.value.kind === 'set') expect(msgs.value.elements).toHaveLength(3);
    expect(formatTlaValue(msgs.value)).toBe('{[from |-> "a", seq |-> 0], [from |-> "a", seq |-> 1], [from |-> "a", seq |-> 2]}');
    expect(r.statistics).toEqual({ generated: 8, distinct: 8, queue: 3, depth: 4 });
    expect(r.exit?.name).toBe('VIOLATION_SAFETY');
  });

  it('InitViolation: an invariant violated by an initial state, the state inside the message', () => {
    const f = only(fixture('InitViolation'));
    expect(f).toMatchObject({ kind: 'invariant', name: 'Bounded', initial: true });
    const t = traceOf(f);
    expect(t.states).toHaveLength(1);
    expect(t.states[0]!.action).toEqual({ kind: 'initial' });
    expect(variable(t.states[0], 'x').value).toEqual({ kind: 'int', value: 7 });
  });

  it('Deadlock: three states, the sole variable printed without /\\', () => {
    const r = fixture('Deadlock');
    const f = only(r);
    expect(f.kind).toBe('deadlock');
    const t = traceOf(f);
    expect(actions(t)).toEqual(['<Initial predicate>', 'Step', 'Step']);
    expect(t.states.map((s) => variable(s, 'x').text)).toEqual(['0', '1', '2']);
    expect(r.exit?.name).toBe('VIOLATION_DEADLOCK');
  });

  it('Lasso: a temporal property, the loop back to state 2 by Reset', () => {
    const r = fixture('Lasso');
    const f = only(r);
    expect(f).toMatchObject({ kind: 'property', names: ['Reaches0Again'], temporal: true, initial: false });
    const t = traceOf(f);
    expect(actions(t)).toEqual(['<Initial predicate>', 'Up', 'Up']);
    expect(t.lasso).toEqual({
      kind: 'back-to-state',
      state: 2,
      action: {
        kind: 'action',
        name: 'Reset',
        location: { module: 'Lasso', startLine: 6, startColumn: 10, endLine: 6, endColumn: 24 },
        raw: '<Reset line 6, col 10 to line 6, col 24 of module Lasso>',
      },
    });
    expect(r.exit?.kind).toBe('violation');
    expect(r.exit?.code).toBe(13);
  });

  it('Stutter: a temporal property violated by stuttering after state 3', () => {
    const f = only(fixture('Stutter'));
    expect(f).toMatchObject({ kind: 'property', names: ['EventuallyThree'] });
    const t = traceOf(f);
    expect(t.states.map((s) => variable(s, 'x').text)).toEqual(['0', '1', '2']);
    expect(t.lasso).toEqual({ kind: 'stuttering', state: 4 });
  });

  it('Assertion: the assertion message, where it failed and the trace up to it', () => {
    const r = fixture('Assertion');
    expect(r.verdict).toBe('violation');
    const f = only(r);
    expect(f.kind).toBe('assertion');
    if (f.kind !== 'assertion') return;
    expect(f.assertion).toBe('"x got too big"');
    expect(f.location).toEqual({ module: 'Assertion', startLine: 5, startColumn: 12, endLine: 5, endColumn: 41 });
    expect(f.nested).toHaveLength(2);
    expect(traceOf(f).states).toHaveLength(3);
    expect(r.exit?.name).toBe('VIOLATION_ASSERT');
  });

  it('Continue: each violation found with -continue keeps its own trace', () => {
    const r = fixture('Continue');
    expect(r.verdict).toBe('violation');
    expect(r.findings.map((f) => (f.kind === 'invariant' ? f.name : f.kind))).toEqual(['Small', 'Small', 'Small']);
    expect(r.findings.map((f) => traceOf(f).states.length)).toEqual([3, 4, 5]);
    expect(r.findings.map((f) => variable(traceOf(f).states.at(-1), 'x').text)).toEqual(['2', '3', '4']);
    expect(r.statistics).toEqual({ generated: 5, distinct: 5, queue: 0, depth: 5 });
  });

  it('Continue with firstFindingOnly: the first violation of each invariant keeps its trace, the others are counted', () => {
    const p = new TlcOutputParser({ firstFindingOnly: true });
    p.push(transcript('Continue'));
    const first = ok(p.end(EXIT_CODES['Continue']));
    expect(first.verdict).toBe('violation');
    expect(first.findings.map((f) => (f.kind === 'invariant' ? f.name : f.kind))).toEqual(['Small']);
    expect(traceOf(first.findings[0]!).states.map((s) => variable(s, 'x').text)).toEqual(['0', '1', '2']);
    expect(first.repeatedFindings).toBe(2);
    expect(first.statistics).toEqual({ generated: 5, distinct: 5, queue: 0, depth: 5 });
    expect(fixture('Continue').repeatedFindings).toBe(0);
  });

  it('Values: every kind of value TLC printed parses', () => {
    const t = traceOf(only(fixture('Values')));
    const s = t.states[0];
    expect(variable(s, 'fn').value).toEqual({
      kind: 'function',
      entries: [
        { key: { kind: 'int', value: 0 }, value: { kind: 'int', value: 0 } },
        { key: { kind: 'int', value: 1 }, value: { kind: 'int', value: 10 } },
      ],
    });
    expect(variable(s, 'str').value).toEqual({ kind: 'string', value: 'say "hi"\\ok' });
    expect(variable(s, 'neg').value).toEqual({ kind: 'int', value: -7 });
    expect(variable(t.states[1], 'neg').value).toEqual({ kind: 'int', value: -8 });
    expect(variable(s, 'who').value).toEqual({ kind: 'model', name: 'p1' });
    expect(variable(s, 'empty').value).toEqual({ kind: 'seq', elements: [] });
    expect(variable(s, 'nest').value).toEqual({ kind: 'set', elements: [{ kind: 'set', elements: [] }, { kind: 'set', elements: [{ kind: 'int', value: 1 }] }] });
    expect(formatTlaValue(variable(s, 'seq').value)).toBe('<<1, <<2, 3>>, {}>>');
    expect(formatTlaValue(variable(s, 'rec').value)).toBe('[name |-> "r1", tags |-> {"x", "y"}]');
    for (const st of t.states) for (const v of st.variables) expect(v.value.kind).not.toBe('raw');
  });
});

describe('errors', () => {
  it('ParseError: SANY\'s parse error with its place; exit 150', () => {
    const r = fixture('ParseError');
    expect(r.verdict).toBe('parse-error');
    expect(r.sany.errors).toHaveLength(1);
    const e = r.sany.errors[0]!;
    expect(e).toMatchObject({ kind: 'parse', severity: 'error', module: 'ParseError', location: { line: 4, column: 9, endLine: null, endColumn: null } });
    expect(e.message).toContain('Was expecting "Expression or Instance"');
    expect(r.statistics).toBeNull();
    expect(r.exit?.name).toBe('ERROR_SPEC_PARSE');
  });

  it('SemanticError: the unknown operator with its range', () => {
    const r = fixture('SemanticError');
    expect(r.verdict).toBe('parse-error');
    expect(r.sany.errors).toEqual([
      { kind: 'semantic', severity: 'error', message: "Unknown operator: `y'.", module: 'SemanticError', location: { line: 5, column: 14, endLine: 5, endColumn: 14 } },
    ]);
  });

  it('EvalError: 1 + TRUE, the nested message of the exception, the innermost position, the trace', () => {
    const r = fixture('EvalError');
    expect(r.verdict).toBe('evaluation-error');
    const f = only(r);
    expect(f.kind).toBe('evaluation-error');
    if (f.kind !== 'evaluation-error') return;
    expect(f.code).toBe(2154);
    expect(f.message).toMatch(/^Attempted to apply the operator overridden by the Java method/);
    expect(f.message).toContain('Cannot cast tlc2.value.impl.BoolValue to tlc2.value.impl.IntValue');
    expect(f.nested.map((l) => `${l.startLine}:${l.startColumn}-${l.endLine}:${l.endColumn}`)).toEqual(['5:9-5:51', '5:39-5:51', '5:44-5:51']);
    expect(f.location).toEqual({ module: 'EvalError', startLine: 5, startColumn: 44, endLine: 5, endColumn: 51 });
    expect(traceOf(f).states.map((s) => variable(s, 'x').text)).toEqual(['0', '1', '2']);
    expect(r.exit?.name).toBe('FAILURE_SPEC_EVAL');
  });

  it('ChooseError: CHOOSE without a witness, with the location TLC names', () => {
    const f = only(fixture('ChooseError'));
    if (f.kind !== 'evaluation-error') throw new Error(f.kind);
    expect(f.message).toContain('no element of S satisfied P');
    expect(f.location).toEqual({ module: 'ChooseError', startLine: 5, startColumn: 14, endLine: 5, endColumn: 38 });
    expect(traceOf(f).states).toHaveLength(1);
  });

  it('ConfigError: an invariant the spec does not define; exit 151', () => {
    const r = fixture('ConfigError');
    expect(r.verdict).toBe('config-error');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.code).toBe(2229);
    expect(r.errors[0]!.text).toContain('The invariant NoSuchInvariant specified in the configuration file');
    expect(r.exit?.name).toBe('ERROR_CONFIG_PARSE');
  });

  it('MissingConfig: a configuration error nested in an exception message', () => {
    const r = fixture('MissingConfig');
    expect(r.verdict).toBe('config-error');
    expect(r.errors[0]!.text).toContain('File not found.');
    expect(r.errors[0]!.text).toContain('The exception was a tlc2.tool.ConfigFileException\n: TLC encountered the following error');
  });

  it('BadOption: a command-line error ends TLC without "Finished"; still a result, exit 1', () => {
    const r = fixture('BadOption');
    expect(r.verdict).toBe('error');
    expect(r.errors[0]).toMatchObject({ code: 1102 });
    expect(r.errors[0]!.text).toContain('unrecognized option: -bogus');
    expect(r.exit?.name).toBe('COMMAND_LINE');
  });
});

describe('truncated and malformed output gives an error value', () => {
  const cut = (name: string, marker: string, occurrence = 1): string => {
    const text = transcript(name);
    let at = -1;
    for (let i = 0; i < occurrence; i++) at = text.indexOf(marker, at + 1);
    if (at < 0) throw new Error(`no ${marker}`);
    return text.slice(0, at);
  };

  it('output that ends inside a message', () => {
    const text = cut('Invariant', '/\\ owner = [a |-> TRUE', 2);
    const r = parseTlcOutput(text, 137);
    expect(isLeft(r)).toBe(true);
    if (!isLeft(r)) return;
    expect(r.left.kind).toBe('truncated');
    expect(r.left.message).toBe("TLC's output ended inside message 2217, which was never closed; TLC was stopped by SIGKILL (often the system running out of memory)");
    expect(r.left.partial?.findings[0]).toMatchObject({ kind: 'invariant', name: 'Small' });
  });

  it('output that ends between messages, before TLC finished; the partial result is kept', () => {
    const r = parseTlcOutput(cut('Invariant', '@!@!@STARTMSG 2200'));
    expect(isLeft(r)).toBe(true);
    if (!isLeft(r)) return;
    expect(r.left.kind).toBe('truncated');
    expect(r.left.message).toMatch(/^TLC's output ends before TLC finished/);
    const f = r.left.partial?.findings[0];
    expect(f?.kind === 'invariant' && f.trace?.states.length).toBe(4);
  });

  it('output cut in the middle of a line', () => {
    const text = transcript('Success');
    const r = parseTlcOutput(text.slice(0, text.indexOf('@!@!@STARTMSG 2186') + 7));
    expect(isLeft(r) && r.left.kind).toBe('truncated');
  });

  it('nothing at all, blank lines, and text that is not TLC\'s', () => {
    const empty = parseTlcOutput('');
    expect(isLeft(empty) && empty.left).toEqual({ kind: 'empty', message: 'TLC printed nothing', partial: null });
    const blank = parseTlcOutput('\n\n   \n');
    expect(isLeft(blank) && blank.left.kind).toBe('empty');
    const garbage = parseTlcOutput('Error: Could not find or load main class tlc2.TLC\nCaused by: java.lang.ClassNotFoundException: tlc2.TLC\n');
    expect(isLeft(garbage) && garbage.left.kind).toBe('not-tlc');
    expect(isLeft(garbage) && garbage.left.message).toBe(
      "this is not TLC's -tool output: it has no @!@!@STARTMSG messages (it starts with 'Error: Could not find or load main class tlc2.TLC')",
    );
    const binary = parseTlcOutput(Buffer.from([0, 255, 1, 2, 10, 200, 13, 10]).toString('latin1'));
    expect(isLeft(binary) && binary.left.kind).toBe('not-tlc');
  });

  it('an ENDMSG that closes nothing, or the wrong message', () => {
    const stray = parseTlcOutput('@!@!@ENDMSG 2262 @!@!@\n');
    expect(isLeft(stray) && stray.left).toMatchObject({ kind: 'malformed', message: "TLC's output closes message 2262, but no message is open" });
    const wrong = parseTlcOutput('@!@!@STARTMSG 2262:0 @!@!@\nTLC2 Version 2.19\n@!@!@ENDMSG 2185 @!@!@\n');
    expect(isLeft(wrong) && wrong.left.message).toBe("TLC's output closes message 2185 while message 2262 is open");
  });

  it('nesting far deeper than TLC ever nests', () => {
    const r = parseTlcOutput('@!@!@STARTMSG 1000:1 @!@!@\n'.repeat(100));
    expect(isLeft(r) && r.left.kind).toBe('malformed');
  });

  it('a state message that is not a state, and a progress line that is not TLC\'s', () => {
    const success = transcript('Success');
    const badState = success.replace('@!@!@STARTMSG 2193:0', '@!@!@STARTMSG 2217:4 @!@!@\nno number here\n@!@!@ENDMSG 2217 @!@!@\n@!@!@STARTMSG 2193:0');
    const a = parseTlcOutput(badState);
    expect(isLeft(a) && a.left.message).toBe("a state of the error trace does not start with its number: 'no number here'");
    const badVars = success.replace('@!@!@STARTMSG 2193:0', '@!@!@STARTMSG 2217:4 @!@!@\n1: <Initial predicate>\n???\n@!@!@ENDMSG 2217 @!@!@\n@!@!@STARTMSG 2193:0');
    expect(isLeft(parseTlcOutput(badVars))).toBe(true);
    const badProgress = success.replace(/Progress\(4\) at [^\n]*/, 'Progress(lots) at noon');
    const b = parseTlcOutput(badProgress);
    expect(isLeft(b) && b.left.kind).toBe('malformed');
  });

  it('a long trace in one chunk parses in linear time', () => {
    const text = transcript('Deadlock');
    const head = text.slice(0, text.indexOf('@!@!@STARTMSG 2217'));
    const tail = text.slice(text.indexOf('@!@!@STARTMSG 2200'));
    const states = Array.from({ length: 20_000 }, (_, i) =>
      `@!@!@STARTMSG 2217:4 @!@!@\n${i + 1}: ${i === 0 ? '<Initial predicate>' : '<Step line 5, col 9 to line 5, col 27 of module Deadlock>'}\n/\\ x = ${i}\n/\\ y = {${i}, "s"}\n\n@!@!@ENDMSG 2217 @!@!@\n`,
    ).join('');
    const started = Date.now();
    const r = ok(parseTlcOutput(head + states + tail, 11));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(traceOf(only(r)).states).toHaveLength(20_000);
    expect(variable(traceOf(only(r)).states[19_999], 'y').value).toEqual({ kind: 'set', elements: [{ kind: 'int', value: 19_999 }, { kind: 'string', value: 's' }] });
  });

  it('a stream that fails while being read', async () => {
    const text = transcript('Success');
    async function* failing(): AsyncGenerator<string> {
      yield text.slice(0, 500);
      throw new Error('read ECONNRESET');
    }
    const r = await parseTlcStream(failing());
    expect(isLeft(r) && r.left.kind).toBe('truncated');
    expect(isLeft(r) && r.left.message).toBe("reading TLC's output failed: read ECONNRESET");
    expect(isLeft(r) && r.left.partial?.version?.version).toBe('2026.11.25.032050');
  });

  it('random damage to a transcript never throws', () => {
    const text = transcript('Invariant');
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const a = rand(text.length);
      const b = a + rand(200);
      const damaged = text.slice(0, a) + ['', '@!@!@', '\n', 'STARTMSG 1:', '<<{[', '"'][rand(6)]! + text.slice(b);
      expect(() => parseTlcOutput(damaged)).not.toThrow();
    }
  });
});

describe('exit codes', () => {
  it('maps every code of EC.ExitStatus (and 1) to a meaning', () => {
    expect(TLC_EXIT_STATUSES.map((s) => s.code)).toEqual([0, 1, 10, 11, 12, 13, 14, 75, 76, 77, 150, 151, 152, 153, 255]);
    expect(tlcExitStatus(12)).toEqual({ code: 12, name: 'VIOLATION_SAFETY', kind: 'violation', meaning: 'an invariant is violated' });
    expect(tlcExitStatus(77).kind).toBe('failure');
    expect(tlcExitStatus(151).meaning).toMatch(/configuration/);
  });

  it('reads 128+n as a signal and anything else as unknown, without throwing', () => {
    expect(tlcExitStatus(130)).toMatchObject({ kind: 'signal', name: 'SIGINT' });
    expect(tlcExitStatus(137).meaning).toContain('SIGKILL');
    expect(tlcExitStatus(42)).toMatchObject({ kind: 'unknown', name: 'UNKNOWN' });
    expect(tlcExitStatus(-1).kind).toBe('unknown');
  });
});

describe('TLA+ values', () => {
  const v = (s: string): TlaValue => {
    const r = parseTlaValue(s);
    if (isLeft(r)) throw new Error(r.left);
    return r.right;
  };

  it('parses each form TLC prints', () => {
    expect(v('TRUE')).toEqual({ kind: 'bool', value: true });
    expect(v('-12')).toEqual({ kind: 'int', value: -12 });
    expect(v('"a\\nb\\t\\"c\\""')).toEqual({ kind: 'string', value: 'a\nb\t"c"' });
    expect(v('1..3')).toEqual({ kind: 'interval', low: 1, high: 3 });
    expect(v('<<>>')).toEqual({ kind: 'seq', elements: [] });
    expect(v('{}')).toEqual({ kind: 'set', elements: [] });
    expect(v('(a :> <<1>> @@ b :> {})')).toEqual({
      kind: 'function',
      entries: [
        { key: { kind: 'model', name: 'a' }, value: { kind: 'seq', elements: [{ kind: 'int', value: 1 }] } },
        { key: { kind: 'model', name: 'b' }, value: { kind: 'set', elements: [] } },
      ],
    });
    expect(formatTlaValue(v('[ a |-> {1,\n   2}, b |-> "x" ]'))).toBe('[a |-> {1, 2}, b |-> "x"]');
  });

  it('refuses what it does not cover, and bad input, with a reason', () => {
    for (const bad of ['', '{1, 2', '[a |-> ]', '"open', '1 2', 'SUBSET {1}', '[{1} -> {2}]', '(1 :> 2', '@@', '99999999999999999999', '[]']) {
      const r = parseTlaValue(bad);
      expect(isLeft(r), bad).toBe(true);
    }
    expect(tlaValueOrRaw('[{1} -> {2}]')).toEqual({ kind: 'raw', text: '[{1} -> {2}]' });
  });

  it('stops at a depth limit instead of overflowing the stack', () => {
    const deep = '{'.repeat(100_000) + '}'.repeat(100_000);
    const r = parseTlaValue(deep);
    expect(isLeft(r) && r.left).toMatch(/nests more than/);
  });
});

describe('SANY reports and version lines', () => {
  it('reads a lexical error and warnings', () => {
    const r = parseSanyReport([
      'Parsing file /tmp/x/Lex.tla',
      '  Lexical error at line 3, column 7.  Encountered: "#" (35), after : ""',
      '*** Warnings: 1',
      '',
      'line 2, col 1 to line 2, col 9 of module Lex',
      '',
      'Multiply-defined symbol',
    ]);
    expect(r.files).toEqual(['/tmp/x/Lex.tla']);
    expect(r.errors).toEqual([
      { kind: 'lexical', severity: 'error', message: 'Encountered: "#" (35), after : ""', module: 'Lex', location: { line: 3, column: 7, endLine: null, endColumn: null } },
      { kind: 'semantic', severity: 'warning', message: 'Multiply-defined symbol', module: 'Lex', location: { line: 2, column: 1, endLine: 2, endColumn: 9 } },
    ]);
  });

  it('reads release and source-build version lines', () => {
    expect(parseTlcVersion('TLC2 Version 2.19 of 08 August 2024 (rev: 5a47802)')).toEqual({
      raw: 'TLC2 Version 2.19 of 08 August 2024 (rev: 5a47802)',
      version: '2.19',
      revision: '5a47802',
    });
    expect(parseTlcVersion('junk\nTLC2 Version 2026.11.25.032050 (rev: cc6b616)\nError: ...')?.version).toBe('2026.11.25.032050');
    expect(parseTlcVersion('TLC2 Version 2.15 of Day Month 20??')).toMatchObject({ version: '2.15', revision: null });
    expect(parseTlcVersion('nothing here')).toBeUndefined();
  });
});
