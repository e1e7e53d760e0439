// Front-end bench: parse + check time (checkText, in-process) of the examples
// in specs/, the largest against the target, and a synthetic large program
// to show how the time scales with program size.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkText } from '../src/analysis/frontend.js';
import { lex } from '../src/syntax/lexer.js';
import { parse } from '../src/syntax/parser.js';
import { formatStats, measure, ms, repoRoot, section, type Stats } from './stats.js';

const WARMUP = 50;
const RUNS = 500;
/** The largest example must parse and check within this, after warm-up (judged on p95). */
const TARGET_MS = 20;
const SYNTHETIC_COPIES = 20;
/** Names the checker knows without a declaration; a renamed copy must keep them. */
const BUILTIN_NAMES = new Set(['size']);

interface Example {
  readonly name: string;
  readonly text: string;
  readonly bytes: number;
  readonly lines: number;
}

function loadExamples(root: string): Example[] {
  const dir = join(root, 'specs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mom'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const text = readFileSync(path, 'utf8');
      return { name: `specs/${f}`, text, bytes: statSync(path).size, lines: lineCount(text) };
    });
}

function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/**
 * The program's declarations `copies` times: copy 0 is the original, copy k
 * renames every identifier x to x_k (declarations, uses, fields, binders),
 * so each copy has its own principals, records, roles and properties and the
 * whole stays a correct program. Comments and layout are kept. Unless
 * `withModels`, copies 1.. leave out the MODEL declarations: the program
 * grows in roles, not in models (each model re-checks the whole program).
 */
export function replicate(text: string, copies: number, withModels = false): string {
  const tokens = lex('synthetic', text).tokens;
  let bodyStart = 0;
  const [t0, t1, t2] = tokens;
  if (t0?.text === 'PROGRAM' && t1?.kind === 'ident') bodyStart = t2?.text === ';' ? t2.span.end : t1.span.end;
  const models = withModels ? [] : parse('synthetic', text).program.decls.filter((d) => d.kind === 'model').map((d) => d.span);
  const parts = [text];
  for (let k = 1; k < copies; k++) {
    let out = `\n// ---- copy ${k} ----`;
    let at = bodyStart;
    for (const m of [...models, { start: text.length, end: text.length }]) {
      for (const t of tokens) {
        if (t.kind !== 'ident' || t.span.start < at || t.span.start >= m.start || BUILTIN_NAMES.has(t.text)) continue;
        out += text.slice(at, t.span.start) + `${t.text}_${k}`;
        at = t.span.end;
      }
      out += text.slice(at, m.start);
      at = Math.max(at, m.end);
    }
    parts.push(out);
  }
  return parts.join('\n');
}

function describeResult(file: string, text: string): string {
  const r = checkText(file, text);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

function timeCheck(file: string, text: string): Stats {
  return measure(() => checkText(file, text), WARMUP, RUNS);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export async function runFrontendBench(): Promise<void> {
  section('front end: parse + check (checkText, in-process)');
  const examples = loadExamples(repoRoot());
  if (examples.length === 0) {
    console.log('no examples in specs/; nothing to measure');
    return;
  }
  console.log(`warm-up ${WARMUP} runs and at least 0.5 s, then ${RUNS} timed runs each (process.hrtime.bigint)`);

  const largest = examples.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const big = timeCheck(largest.name, largest.text);
  const pass = big.p95Ms < TARGET_MS;
  console.log(`\nlargest example: ${largest.name} (${largest.lines} lines, ${largest.bytes} bytes; ${describeResult(largest.name, largest.text)})`);
  console.log(`  ${formatStats(big)}`);
  console.log(`  target: under ${TARGET_MS} ms after warm-up (p95): ${pass ? 'PASS' : 'FAIL'} (p95 ${ms(big.p95Ms)} ms)`);

  console.log('\nevery example:');
  const width = Math.max(...examples.map((e) => e.name.length));
  for (const e of examples) {
    const s = e === largest ? big : timeCheck(e.name, e.text);
    console.log(`  ${pad(e.name, width)}  ${String(e.lines).padStart(5)} lines ${String(e.bytes).padStart(7)} B   ${formatStats(s)}`);
  }

  console.log(`\nscaling: ${largest.name}'s declarations replicated, copy k renaming every identifier x to x_k`);
  console.log('  (copies 1.. leave out the MODELs: the program grows, the number of models does not)');
  const scale = (copies: number, withModels: boolean): void => {
    const text = replicate(largest.text, copies, withModels);
    const name = `synthetic-${copies}x`;
    const runs = copies >= SYNTHETIC_COPIES ? 100 : RUNS;
    const s = measure(() => checkText(name, text), Math.min(WARMUP, runs), runs);
    const lines = lineCount(text);
    console.log(
      `  ${pad(`${copies}x${withModels ? ' +models' : ''}`, 11)} ${String(lines).padStart(6)} lines ${String(Buffer.byteLength(text)).padStart(7)} B  ` +
        `(${describeResult(name, text)})  ${formatStats(s)}  = ${ms((s.medianMs / lines) * 1000)} ms per 1000 lines (median)`,
    );
  };
  for (const copies of [1, 5, SYNTHETIC_COPIES]) scale(copies, false);
  console.log('  with the MODELs replicated too (models x program: every model re-checks thresholds and ranges):');
  scale(SYNTHETIC_COPIES, true);
}
