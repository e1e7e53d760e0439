// Mutation (robustness) test of the front end. Every example in specs/*.mom
// is mutated deterministically (seeded PRNG): truncations, token deletions,
// duplications and swaps, byte flips (so invalid UTF-8 is exercised), random
// insertions, and a few pathological "stress" inputs. For every mutant the
// front end must not throw, must report only known codes with in-range spans
// that format as `file:line:col: severity MOMnnn: message`, must not reject a
// program silently, and must answer well under a second.
//
// A hang cannot be interrupted from the same thread, so a watchdog worker
// watches a shared "busy since" clock; when one mutant runs longer than
// HANG_MS it prints that mutant's description (example, number, mutation) to
// stderr and kills the test process, so a hang is reported, not waited on.
// Mutants are deterministic: the description is enough to rebuild one.
//
// Other failing mutants are saved to $TMPDIR/mommie-mutants/ for reproduction
// with `node dist/src/cli/main.js check FILE`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from './helpers/random.js';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { checkBytes, checkText, type FrontEndResult } from '../src/analysis/frontend.js';
import { CODES } from '../src/diagnostics/codes.js';
import { formatDiagnostic } from '../src/diagnostics/format.js';
import { lex } from '../src/syntax/lexer.js';
import { KEYWORDS, PUNCTUATION, type Token } from '../src/syntax/token.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SPEC_DIR = join(ROOT, 'specs');
const REPRO_DIR = join(tmpdir(), 'mommie-mutants');

/** Mutants over all examples together; each example gets an equal share. */
const TOTAL_MUTANTS = 15000;
const MIN_TOTAL = 5000;
/**
 * A mutant that takes this long is a hang, not a slow run: a quiet machine
 * checks one in a few ms (the slowest about 100 ms), but at load 10-20 one
 * took 1.1 s. The front end's speed is the bench's business (bench frontend).
 */
const MAX_MS_PER_MUTANT = 10_000;
const HANG_MS = 15_000;
const SEED = 0x6d6f6d; // "mom"

// ---------- deterministic randomness ----------


/** FNV-1a, so each example's mutants depend on its name only, not on which other examples exist. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from an empty list');
    return x;
  }
}

// ---------- mutants ----------

type Mutant =
  | { readonly op: string; readonly detail: string; readonly text: string }
  | { readonly op: string; readonly detail: string; readonly bytes: Uint8Array };

const enc = new TextEncoder();

/** Insertions: all punctuation and keywords, plus characters the lexer must refuse or treat as space. */
const INSERTS: readonly string[] = [
  ...PUNCTUATION,
  ...KEYWORDS,
  '{{', '}}', '@@', '@', '@{', '@@{ @@}', '"', "'", '#', '$', '!', '?', '\\', '|', '&', '^', '`', '~',
  '/*', '*/', '//', '\t', '\r', '\n', '\r\n', '\f', '\v', '\u0000', '\u007f', '\u00e9', '\u00a0',
  '\u2028', '\u200b', '\ufeff', '\ud83d\udca5', '\ud800', '\udfff', 'x', '_x', 'x1', '0', '1', '007',
  '99999999999999999999', '9007199254740991', '-1', '0..0', '1..0', 'PROGRAM P', 'ROLE R AT R {', '}',
];

/** Byte sequences to insert through checkBytes: valid and invalid UTF-8, BOM, NUL. */
const BYTE_INSERTS: readonly number[][] = [
  [0x00], [0x80], [0xbf], [0xc0, 0x80], [0xc3], [0xc3, 0xa9], [0xe2, 0x82], [0xe2, 0x82, 0xac],
  [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf], [0xf0, 0x9f, 0x92, 0xa5], [0xf4, 0x90, 0x80, 0x80],
  [0xfe], [0xff], [0x0d], [0x0a], [0x09], [0x7f], [0x1b],
];

/** Numbers to put in place of numbers: bounds, zero, the largest exact integer, too large. */
const INTS: readonly string[] = ['0', '1', '2', '3', '4', '7', '100', '99999', '100000', '100001', '2147483648', '9007199254740991', '9007199254740992'];

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function show(s: string): string {
  return JSON.stringify(s.length > 24 ? s.slice(0, 24) + '…' : s);
}

function tokenLabel(tokens: readonly Token[], i: number): string {
  const t = tokens[i];
  return t === undefined ? '?' : `token #${i} ${show(t.text)} at ${t.span.start}`;
}

function generateMutants(name: string, text: string, count: number): Mutant[] {
  const rng = new Rng(SEED ^ hash(name));
  const bytes = enc.encode(text);
  // Token spans of the original (eof excluded); comments and space lie between them.
  const tokens = lex(name, text).tokens.filter((t) => t.kind !== 'eof');
  const out: Mutant[] = [];
  const share = (f: number): number => Math.max(1, Math.round(count * f));

  // Truncation at evenly spread byte offsets plus random ones (cuts inside UTF-8 sequences too).
  const nTrunc = share(0.12);
  for (let k = 0; k < nTrunc; k++) {
    const at = k % 2 === 0 ? Math.floor(((k / 2) * bytes.length) / Math.ceil(nTrunc / 2)) : rng.int(bytes.length);
    out.push({ op: 'truncate', detail: `keep the first ${at} of ${bytes.length} bytes`, bytes: bytes.slice(0, at) });
  }

  if (tokens.length >= 2) {
    for (let k = share(0.16); k > 0; k--) {
      const i = rng.int(tokens.length);
      const t = tokens[i]!;
      out.push({ op: 'delete-token', detail: `delete ${tokenLabel(tokens, i)}`, text: splice(text, t.span.start, t.span.end, '') });
    }
    for (let k = share(0.12); k > 0; k--) {
      const i = rng.int(tokens.length);
      const t = tokens[i]!;
      const sep = rng.pick(['', ' ', '\n']);
      out.push({ op: 'duplicate-token', detail: `duplicate ${tokenLabel(tokens, i)} with separator ${JSON.stringify(sep)}`, text: splice(text, t.span.end, t.span.end, sep + t.text) });
    }
    for (let k = share(0.12); k > 0; k--) {
      const i = rng.int(tokens.length - 1);
      const a = tokens[i]!;
      const b = tokens[i + 1]!;
      const between = text.slice(a.span.end, b.span.start);
      const swapped = text.slice(0, a.span.start) + b.text + between + a.text + text.slice(b.span.end);
      out.push({ op: 'swap-tokens', detail: `swap ${tokenLabel(tokens, i)} with ${tokenLabel(tokens, i + 1)}`, text: swapped });
    }
  }

  // Replacements by a token of the same kind (a name by another name of the file, a number by an
  // edge value, ...): these mostly still parse, so they exercise the checker rather than the parser.
  if (tokens.length >= 2) {
    const sameKind = (t: Token): string => {
      if (t.kind === 'int') return rng.pick(INTS);
      if (t.kind === 'keyword') return rng.int(3) === 0 ? rng.pick(KEYWORDS) : rng.pick(keywordsIn);
      if (t.kind === 'punct') return rng.pick(PUNCTUATION);
      return rng.int(8) === 0 ? rng.pick(KEYWORDS) : rng.pick(namesIn);
    };
    const keywordsIn = [...new Set(tokens.filter((t) => t.kind === 'keyword').map((t) => t.text))];
    const namesIn = [...new Set(tokens.filter((t) => t.kind === 'ident').map((t) => t.text)), 'size', 'x'];
    if (keywordsIn.length === 0) keywordsIn.push('TRUE');
    for (let k = share(0.16); k > 0; k--) {
      // One to three replacements, applied from the end so earlier spans stay valid.
      const picks = [...new Set(Array.from({ length: 1 + rng.int(3) }, () => rng.int(tokens.length)))].sort((a, b) => b - a);
      let m = text;
      const what: string[] = [];
      for (const i of picks) {
        const t = tokens[i]!;
        const by = sameKind(t);
        m = splice(m, t.span.start, t.span.end, by);
        what.unshift(`${tokenLabel(tokens, i)} -> ${show(by)}`);
      }
      out.push({ op: 'replace-tokens', detail: what.join(', '), text: m });
    }
  }

  // Byte flips: one to four bytes per mutant, a random bit or a random value.
  for (let k = share(0.12); k > 0; k--) {
    const m = bytes.slice();
    const what: string[] = [];
    for (let j = 1 + rng.int(4); j > 0; j--) {
      const at = rng.int(m.length);
      const old = m[at]!;
      m[at] = rng.int(2) === 0 ? old ^ (1 << rng.int(8)) : rng.int(256);
      what.push(`byte ${at} 0x${old.toString(16)}->0x${m[at]!.toString(16)}`);
    }
    out.push({ op: 'byte-flip', detail: what.join(', '), bytes: m });
  }

  // Insertions of punctuation, keywords and odd characters, at token boundaries or anywhere.
  for (let k = share(0.12); k > 0; k--) {
    const ins = rng.pick(INSERTS);
    const tok = tokens.length > 0 && rng.int(2) === 0 ? rng.pick(tokens) : undefined;
    const at = tok !== undefined ? (rng.int(2) === 0 ? tok.span.start : tok.span.end) : rng.int(text.length + 1);
    const pad = rng.pick(['', ' ']);
    out.push({ op: 'insert', detail: `insert ${JSON.stringify(ins)} at ${at}`, text: splice(text, at, at, pad + ins + pad) });
  }
  for (let k = share(0.04); k > 0; k--) {
    const ins = rng.pick(BYTE_INSERTS);
    const at = rng.int(bytes.length + 1);
    const m = new Uint8Array(bytes.length + ins.length);
    m.set(bytes.subarray(0, at), 0);
    m.set(ins, at);
    m.set(bytes.subarray(at), at + ins.length);
    out.push({ op: 'insert-bytes', detail: `insert bytes [${ins.map((b) => '0x' + b.toString(16)).join(' ')}] at ${at}`, bytes: m });
  }

  // Whole lines: deletion and duplication (removes or repeats declarations and statements).
  const lines = text.split('\n');
  for (let k = share(0.04); k > 0; k--) {
    const i = rng.int(lines.length);
    const copy = [...lines];
    if (rng.int(2) === 0) copy.splice(i, 1);
    else copy.splice(i, 0, lines[i]!);
    out.push({ op: 'line', detail: `${copy.length < lines.length ? 'delete' : 'duplicate'} line ${i + 1}`, text: copy.join('\n') });
  }

  out.push(...stressMutants(text, tokens, rng));
  return out;
}

/** A few large or deeply nested inputs per example: they find recursion, quadratic and limit bugs. */
function stressMutants(text: string, tokens: readonly Token[], rng: Rng): Mutant[] {
  const out: Mutant[] = [];
  const at = (t: Token | undefined): number => t?.span.start ?? 0;
  const someTok = (): Token | undefined => (tokens.length > 0 ? rng.pick(tokens) : undefined);
  for (const [label, ins] of [
    ['1000 x "("', '('.repeat(1000)],
    ['1000 x "{"', '{'.repeat(1000)],
    ['1000 x "["', '['.repeat(1000)],
    ['1000 x "NOT "', 'NOT '.repeat(1000)],
    ['1000 x "-"', '-'.repeat(1000)],
    ['1000 x "IF x THEN "', 'IF x THEN '.repeat(1000)],
    ['1000 x "@@{"', '@@{ '.repeat(1000)],
    ['5000 x "x "', 'x '.repeat(5000)],
    ['5000 x "; "', '; '.repeat(5000)],
    ['2000 bad characters', '#'.repeat(2000)],
    ['20000 bad characters between spaces', '# '.repeat(20000)],
    ['an unclosed block comment', '/*'],
    ['a 5000-digit number', '9'.repeat(5000)],
    ['a 50000-character name', 'n'.repeat(50000)],
  ] as const) {
    const pos = at(someTok());
    out.push({ op: 'stress', detail: `insert ${label} at ${pos}`, text: splice(text, pos, pos, ` ${ins} `) });
  }
  // Statements inside the first body spec, if there is one.
  const body = tokens.find((t) => t.text === '@@{');
  if (body !== undefined) {
    for (const [label, stmts] of [
      ['a chain of 3000 ELSE IF', `IF TRUE { } ${'ELSE IF TRUE { } '.repeat(3000)}`],
      ['300 nested IF blocks', `${'IF TRUE { '.repeat(300)}${'} '.repeat(300)}`],
    ] as const) {
      out.push({ op: 'stress', detail: `insert ${label} after the first '@@{' (at ${body.span.end})`, text: splice(text, body.span.end, body.span.end, ` ${stmts} `) });
    }
  }
  // Well-formed declarations appended to the (well-formed) example, so they reach the checker.
  const chain = (n: number, term: string, op: string): string => Array(n).fill(term).join(` ${op} `);
  for (const [label, decl] of [
    ['40 constants, each the sum of the one before with itself', ['CONSTANT MutD0 = 1', ...Array.from({ length: 40 }, (_, i) => `CONSTANT MutD${i + 1} = MutD${i} + MutD${i}`)].join('\n')],
    ['a type whose bound is a chain of 30 doubling constants', ['CONSTANT MutE0 = 1', ...Array.from({ length: 30 }, (_, i) => `CONSTANT MutE${i + 1} = MutE${i} * 2 - MutE${i} + MutE${i}`), 'TYPE MutEType = 0..MutE30'].join('\n')],
    ['the intersection of two ranges of 100000 values', 'CONSTANT MutInter = size((0..99999) INTER (1..100000))'],
    ['a subset test of two ranges of 100000 values', 'CONSTANT MutSub = (0..99999) SUBSETEQ (1..100000)'],
    ['a chain of 10000 additions', `CONSTANT MutSum = ${chain(10000, '1', '+')}`],
    ['a chain of 10000 AND', `INVARIANT MutAnd: ${chain(10000, 'TRUE', 'AND')}`],
    ['a chain of 10000 UNION', `CONSTANT MutUnion = ${chain(10000, '{1}', 'UNION')}`],
    ['a chain of 10000 field accesses', `INVARIANT MutField: FORALL p IN CORRECT : p${'.f'.repeat(10000)} == 1`],
    ['a set of 10000 elements', `CONSTANT MutSet = size({${chain(10000, '1', ',')}})`],
    ['90 nested parentheses (within the nesting limit)', `CONSTANT MutParen = ${'('.repeat(90)}1${')'.repeat(90)}`],
    ['190 nested parentheses (beyond the nesting limit)', `CONSTANT MutParen = ${'('.repeat(190)}1${')'.repeat(190)}`],
    ['2000 constants', Array.from({ length: 2000 }, (_, i) => `CONSTANT MutK${i} = ${i}`).join('\n')],
  ] as const) {
    out.push({ op: 'stress', detail: `append ${label}`, text: `${text}\n${decl}\n` });
  }
  out.push({ op: 'stress', detail: 'the whole file 20 times', text: Array(20).fill(text).join('\n') });
  out.push({ op: 'stress', detail: 'the whole file reversed token by token', text: [...tokens].reverse().map((t) => t.text).join(' ') });
  out.push({ op: 'stress', detail: 'every token on its own, no spaces', text: tokens.map((t) => t.text).join('') });
  out.push({ op: 'stress', detail: 'every other token', text: tokens.filter((_, i) => i % 2 === 0).map((t) => t.text).join(' ') });
  return out;
}

// ---------- checking one mutant ----------

const HEAD = /^.+:\d+:\d+: (error|warning) MOM\d{3}: .+/;
const HEAD_NO_SPAN = /^.+: (error|warning) MOM\d{3}: .+/;

function run(file: string, m: Mutant): { result: FrontEndResult; decoded: string | undefined } {
  if ('bytes' in m) {
    const result = checkBytes(file, m.bytes);
    return { result, decoded: result.source?.text };
  }
  return { result: checkText(file, m.text), decoded: m.text };
}

/** What is wrong with the result, or [] when it is sound. */
function problems(result: FrontEndResult, decoded: string | undefined, changed: boolean): string[] {
  const out: string[] = [];
  for (const d of result.diagnostics) {
    const where = `${d.code} ${JSON.stringify(d.message)}`;
    if (!Object.hasOwn(CODES, d.code)) out.push(`unknown code ${where}`);
    else if (CODES[d.code].severity !== d.severity) out.push(`severity ${d.severity} differs from the table: ${where}`);
    if (d.span !== undefined) {
      const { start, end } = d.span;
      if (decoded === undefined) out.push(`span without a decoded text: ${where}`);
      else if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= decoded.length)) {
        out.push(`span ${start}..${end} outside 0..${decoded.length}: ${where}`);
      }
    }
    let rendered: string;
    try {
      rendered = formatDiagnostic(d, result.source);
    } catch (e) {
      out.push(`formatDiagnostic threw ${errorText(e)}: ${where}`);
      continue;
    }
    const first = rendered.split('\n')[0] ?? '';
    const re = d.span !== undefined && result.source !== undefined ? HEAD : HEAD_NO_SPAN;
    if (!re.test(first)) out.push(`formatted head ${JSON.stringify(first)} does not match ${re}`);
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (result.ok && errors > 0) out.push(`ok with ${errors} errors`);
  if (!result.ok && errors === 0) out.push('rejected without any error diagnostic');
  if (result.ok && result.program === undefined) out.push('ok but no checked program');
  if (!changed && !result.ok) out.push('the unchanged original is rejected');
  return out;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return String(e);
}

function saveRepro(name: string, index: number, m: Mutant): string {
  mkdirSync(REPRO_DIR, { recursive: true });
  const path = join(REPRO_DIR, `${basename(name, '.mom')}-${index}-${m.op}.mom`);
  writeFileSync(path, 'bytes' in m ? m.bytes : m.text);
  return path;
}

// ---------- hang watchdog ----------

// [0] = 1 while a mutant runs, [1] = Date.now() / 1000 when it started (seconds fit in int32).
// The mutant's description is written into `label` before it runs.
const LABEL_BYTES = 4096;
const shared = new SharedArrayBuffer(8 + 4 + LABEL_BYTES);
const state = new Int32Array(shared, 0, 3);
const label = new Uint8Array(shared, 12, LABEL_BYTES);

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const state = new Int32Array(workerData.shared, 0, 3);
const label = new Uint8Array(workerData.shared, 12, ${LABEL_BYTES});
setInterval(() => {
  if (Atomics.load(state, 0) !== 1) return;
  const ran = Math.floor(Date.now() / 1000) - Atomics.load(state, 1);
  if (ran * 1000 < workerData.hangMs) return;
  const n = Atomics.load(state, 2);
  const text = new TextDecoder().decode(label.slice(0, n));
  writeSync(2, '\\n*** mutation test: the front end hangs (over ' + ran + ' s) on ' + text + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, 500);
`;

let watchdog: Worker | undefined;

function busy(description: string): void {
  const r = enc.encodeInto(description.slice(0, LABEL_BYTES / 3), label);
  Atomics.store(state, 2, r.written);
  Atomics.store(state, 1, Math.floor(Date.now() / 1000));
  Atomics.store(state, 0, 1);
}
function idle(): void {
  Atomics.store(state, 0, 0);
}

// ---------- the test ----------

const specFiles = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.mom')).sort();
const perExample = Math.ceil(TOTAL_MUTANTS / Math.max(1, specFiles.length));

const totals = { mutants: 0, ms: 0, maxMs: 0, maxWhat: '', rejected: 0, accepted: 0 };
const byOp = new Map<string, number>();

beforeAll(() => {
  watchdog = new Worker(WATCHDOG, { eval: true, workerData: { shared, hangMs: HANG_MS } });
  watchdog.unref();
});
afterAll(async () => {
  await watchdog?.terminate();
});

describe('front end mutation test', () => {
  it('finds examples in specs/', () => {
    expect(specFiles.length).toBeGreaterThan(0);
  });

  for (const f of specFiles) {
    it(`survives ${perExample}+ mutants of specs/${f}`, () => {
      const name = `specs/${f}`;
      const text = readFileSync(join(SPEC_DIR, f), 'utf8');
      const mutants = generateMutants(name, text, perExample);
      const origBytes = enc.encode(text);
      const failures: string[] = [];
      let failCount = 0;
      const fail = (i: number, m: Mutant, what: string): void => {
        failCount++;
        if (failures.length < 25) failures.push(`${name} mutant #${i} [${m.op}: ${m.detail}] (saved as ${saveRepro(name, i, m)}): ${what}`);
        else if (failures.length === 25) failures.push('… more failures not shown');
      };

      // The original itself, as text and as bytes, must be accepted.
      for (const [i, m] of [[-1, { op: 'original', detail: 'unchanged text', text }], [-2, { op: 'original', detail: 'unchanged bytes', bytes: origBytes }]] as const) {
        const { result, decoded } = run(name, m);
        for (const p of problems(result, decoded, false)) fail(i, m, p);
      }

      mutants.forEach((m, i) => {
        const changed = 'bytes' in m ? !sameBytes(m.bytes, origBytes) : m.text !== text;
        busy(`${name} mutant #${i} [${m.op}: ${m.detail}]`);
        const t0 = performance.now();
        let out: { result: FrontEndResult; decoded: string | undefined } | undefined;
        try {
          out = run(name, m);
        } catch (e) {
          fail(i, m, `exception escaped the front end: ${errorText(e)}`);
        }
        const ms = performance.now() - t0;
        idle();
        totals.mutants++;
        totals.ms += ms;
        byOp.set(m.op, (byOp.get(m.op) ?? 0) + 1);
        if (ms > totals.maxMs) {
          totals.maxMs = ms;
          totals.maxWhat = `${name} mutant #${i} [${m.op}: ${m.detail}]`;
        }
        if (ms >= MAX_MS_PER_MUTANT) fail(i, m, `took ${ms.toFixed(0)} ms (limit ${MAX_MS_PER_MUTANT} ms)`);
        if (out === undefined) return;
        if (out.result.ok) totals.accepted++;
        else totals.rejected++;
        for (const p of problems(out.result, out.decoded, changed)) fail(i, m, p);
      });

      expect(failCount, `${failCount} failures:\n\n${failures.join('\n\n')}\n\n`).toBe(0);
    });
  }

  it(`ran at least ${MIN_TOTAL} mutants, each under ${MAX_MS_PER_MUTANT} ms`, () => {
    const mean = totals.mutants === 0 ? 0 : totals.ms / totals.mutants;
    console.log(
      `mutation test: ${totals.mutants} mutants of ${specFiles.length} examples ` +
        `(${[...byOp].map(([op, n]) => `${op} ${n}`).join(', ')}); ` +
        `${totals.accepted} accepted, ${totals.rejected} rejected; ` +
        `time per mutant: mean ${mean.toFixed(2)} ms, max ${totals.maxMs.toFixed(1)} ms (${totals.maxWhat})`,
    );
    expect(totals.mutants).toBeGreaterThanOrEqual(MIN_TOTAL);
    expect(totals.maxMs).toBeLessThan(MAX_MS_PER_MUTANT);
  });
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
