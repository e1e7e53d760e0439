import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import { isKeyword, PUNCTUATION, type Token } from './token.js';

export interface LexResult {
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Turns text into tokens. Never throws: a character that starts no token is
 * reported once per run of such characters and skipped, so the parser still
 * sees the rest of the file.
 */
export function lex(file: string, text: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  const n = text.length;
  let i = 0;
  let badRunStart = -1;
  const flushBad = (end: number): void => {
    if (badRunStart >= 0) {
      const shown = JSON.stringify(text.slice(badRunStart, Math.min(end, badRunStart + 8)));
      diagnostics.push(diag('MOM100', file, `unexpected character ${shown}`, { start: badRunStart, end }));
      badRunStart = -1;
    }
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
      flushBad(i);
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      flushBad(i);
      while (i < n && text.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      flushBad(i);
      const close = text.indexOf('*/', i + 2);
      if (close < 0) {
        diagnostics.push(diag('MOM101', file, "block comment is never closed: add '*/'", { start: i, end: i + 2 }));
        i = n;
      } else {
        i = close + 2;
      }
      continue;
    }
    if (isIdentStart(c) && !(c === 95 && !isIdentPart(text.charCodeAt(i + 1)))) {
      flushBad(i);
      const start = i;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: isKeyword(word) ? 'keyword' : 'ident', text: word, span: { start, end: i } });
      continue;
    }
    if (isDigit(c)) {
      flushBad(i);
      const start = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const digits = text.slice(start, i);
      const value = Number(digits);
      if (!Number.isSafeInteger(value)) {
        diagnostics.push(diag('MOM102', file, `integer ${digits.length > 20 ? digits.slice(0, 20) + '…' : digits} is too large`, { start, end: i }));
      }
      tokens.push({ kind: 'int', text: digits, span: { start, end: i }, value: Number.isSafeInteger(value) ? value : 0 });
      continue;
    }
    const p = PUNCTUATION.find((s) => text.startsWith(s, i));
    if (p !== undefined) {
      flushBad(i);
      tokens.push({ kind: 'punct', text: p, span: { start: i, end: i + p.length } });
      i += p.length;
      continue;
    }
    if (badRunStart < 0) badRunStart = i;
    i++;
  }
  flushBad(n);
  tokens.push({ kind: 'eof', text: '', span: { start: n, end: n } });
  return { tokens, diagnostics };
}
