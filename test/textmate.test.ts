// editors/mommie.tmLanguage.json against the project's own lexer: every
// example is tokenized by a real TextMate engine (vscode-textmate with the
// Oniguruma regex engine, as VS Code runs grammars), and every token the
// lexer finds must get the scope its kind calls for; text the lexer skips as
// a comment must be a comment; statement patterns and body blocks must be
// marked as such.

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KEYWORDS } from '../src/syntax/token.js';
import { lex } from '../src/syntax/lexer.js';
import { ROOT } from './helpers/cli.js';

const require = createRequire(import.meta.url);
type Grammar = import('vscode-textmate').IGrammar;
let grammar: Grammar;

beforeAll(async () => {
  const oniguruma = await import('vscode-oniguruma');
  const textmate = await import('vscode-textmate');
  const wasm = readFileSync(join(require.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === 'source.mommie' ? textmate.parseRawGrammar(readFileSync(join(ROOT, 'editors', 'mommie.tmLanguage.json'), 'utf8'), 'mommie.tmLanguage.json') : null),
  });
  const g = await registry.loadGrammar('source.mommie');
  if (g === null) throw new Error('the grammar did not load');
  grammar = g;
});

/** The scopes of every character of the text, by offset. */
function scopesOf(text: string): string[][] {
  const textmate = require('vscode-textmate') as typeof import('vscode-textmate');
  const out: string[][] = new Array<string[]>(text.length);
  let state = textmate.INITIAL;
  let offset = 0;
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) out[offset + i] = t.scopes;
    state = r.ruleStack;
    offset += line.length + 1;
  }
  return out;
}

function examples(): string[] {
  const files: string[] = [];
  for (const d of ['specs', 'specs/buggy', 'specs/all-correct']) {
    for (const f of readdirSync(join(ROOT, d))) if (f.endsWith('.mom')) files.push(join(d, f));
  }
  return files.sort();
}

const has = (scopes: readonly string[] | undefined, prefix: string): boolean => (scopes ?? []).some((s) => s.startsWith(prefix));

const KEYWORD_SCOPES = ['storage.type.declaration', 'keyword.control', 'keyword.other.model', 'constant.language', 'keyword.operator.word', 'support.type'];

describe('the TextMate grammar agrees with the lexer on every example', () => {
  it('covers every keyword of the language', () => {
    const grammarText = readFileSync(join(ROOT, 'editors', 'mommie.tmLanguage.json'), 'utf8');
    for (const k of KEYWORDS) expect(grammarText, k).toMatch(new RegExp(`[(|]${k}[|)]`));
  });

  it.each(examples())('%s', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const scopes = scopesOf(text);
    const { tokens } = lex(file, text);
    let keywords = 0;
    let patterns = 0;
    let bodies = 0;
    let covered = 0;
    for (const t of tokens) {
      if (t.kind === 'eof') continue;
      const s = scopes[t.span.start];
      const where = `${file} at ${t.span.start}: ${t.kind} '${t.text}' has ${JSON.stringify(s)}`;
      expect(has(s, 'comment'), where).toBe(false);
      if (t.kind === 'keyword') {
        keywords++;
        expect(KEYWORD_SCOPES.some((k) => has(s, k)), where).toBe(true);
      } else if (t.kind === 'int') {
        expect(has(s, 'constant.numeric'), where).toBe(true);
      } else if (t.kind === 'ident') {
        expect(has(s, 'variable.other') || has(s, 'entity.name.type'), where).toBe(true);
      } else if (t.text === '@@{') {
        bodies++;
        expect(has(s, 'punctuation.section.body.begin'), where).toBe(true);
      } else if (t.text === '[') {
        patterns++;
        expect(has(s, 'meta.statement-pattern'), where).toBe(true);
      }
      for (let i = t.span.start; i < t.span.end; i++) covered++;
    }
    // What the lexer skipped: white space and comments, and the grammar calls the latter comments.
    const inToken = new Uint8Array(text.length);
    for (const t of tokens) for (let i = t.span.start; i < t.span.end; i++) inToken[i] = 1;
    let comments = 0;
    for (let i = 0; i < text.length; i++) {
      if (inToken[i] === 1 || /\s/.test(text[i]!)) continue;
      comments++;
      expect(has(scopes[i], 'comment'), `${file} at ${i}: '${text.slice(i, i + 20)}' is skipped by the lexer but not a comment`).toBe(true);
    }
    expect(keywords).toBeGreaterThan(20);
    expect(patterns).toBeGreaterThan(0);
    expect(bodies).toBeGreaterThan(0);
    expect(comments).toBeGreaterThan(0);
    expect(covered).toBeGreaterThan(0);
  });

  it('inside a body, a PUBLISH header and its pattern are marked', () => {
    const text = 'ROLE X AT P {\n  TRANSITION T\n  @@{\n    PUBLISH [ME, R, NOONE] Ping(n: 1); // sent\n  @@}\n}\n';
    const s = scopesOf(text);
    const at = (needle: string): string[] => s[text.indexOf(needle)]!;
    expect(has(at('PUBLISH'), 'meta.embedded.body')).toBe(true);
    expect(has(at('PUBLISH'), 'keyword.control')).toBe(true);
    expect(has(at('NOONE'), 'meta.statement-pattern')).toBe(true);
    expect(has(at('NOONE'), 'constant.language')).toBe(true);
    expect(has(at('Ping'), 'entity.name.type')).toBe(true);
    expect(has(at('// sent'), 'comment.line')).toBe(true);
  });
});
