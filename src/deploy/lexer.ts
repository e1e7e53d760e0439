// Tokens of one deploy-file line. The format is line-oriented (an entry is a
// line, a `:` line continues a dissemination rule), so lexing per line keeps
// every error on the line that caused it.

import type { Span } from '../diagnostics/diagnostic.js';

export type Tok =
  | { readonly kind: 'ident'; readonly text: string; readonly span: Span }
  | { readonly kind: 'int'; readonly value: number; readonly text: string; readonly span: Span }
  | { readonly kind: 'duration'; readonly ms: number; readonly text: string; readonly span: Span }
  | { readonly kind: 'punct'; readonly text: string; readonly span: Span };

export type LexResult = { readonly ok: true; readonly toks: readonly Tok[] } | { readonly ok: false; readonly message: string; readonly span: Span };

/** The longest a timer can wait in Node (setTimeout's limit, about 24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

const PUNCT = ['<->', '->', '=', ':', ',', ';', '(', ')', '[', ']', '*', '.', '-'] as const;
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000 };

/** The code part of a line: `//` and `#` start comments (the format has no strings). */
export function stripComment(line: string): string {
  const hash = line.indexOf('#');
  const slashes = line.indexOf('//');
  const cut = [hash, slashes].filter((i) => i >= 0);
  return cut.length === 0 ? line : line.slice(0, Math.min(...cut));
}

/** Tokens of `text`, whose first character is at `offset` in the file. */
export function lexLine(text: string, offset: number): LexResult {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    const span = (end: number): Span => ({ start: offset + start, end: offset + end });
    if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      toks.push({ kind: 'ident', text: text.slice(start, i), span: span(i) });
      continue;
    }
    if (/[0-9]/.test(c)) {
      while (i < text.length && /[0-9]/.test(text[i]!)) i++;
      const digits = text.slice(start, i);
      const unitStart = i;
      while (i < text.length && /[A-Za-z]/.test(text[i]!)) i++;
      const unit = text.slice(unitStart, i);
      const value = Number(digits);
      if (digits.length > 15 || !Number.isSafeInteger(value)) {
        return { ok: false, message: `the number ${digits} is too large`, span: span(i) };
      }
      if (unit === '') {
        toks.push({ kind: 'int', value, text: digits, span: span(i) });
        continue;
      }
      const factor = UNITS[unit];
      if (factor === undefined) {
        return { ok: false, message: `unknown unit '${unit}' in ${digits}${unit}: durations are written like 500ms or 2s`, span: span(i) };
      }
      toks.push({ kind: 'duration', ms: value * factor, text: text.slice(start, i), span: span(i) });
      continue;
    }
    const p = PUNCT.find((q) => text.startsWith(q, i));
    if (p !== undefined) {
      i += p.length;
      toks.push({ kind: 'punct', text: p, span: span(i) });
      continue;
    }
    const code = c.codePointAt(0) ?? 0;
    const shown = code < 0x20 || code === 0x7f || code === 0xfffd ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCodePoint(code)}'`;
    return { ok: false, message: `unexpected character ${shown}`, span: span(i + (code > 0xffff ? 2 : 1)) };
  }
  return { ok: true, toks };
}
