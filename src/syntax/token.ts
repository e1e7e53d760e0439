import type { Span } from '../diagnostics/diagnostic.js';

export const KEYWORDS = [
  'PROGRAM', 'PRINCIPALS', 'CONSTANT', 'TYPE', 'RECORD', 'FUNCTION', 'ROLE', 'AT', 'VAR',
  'TRANSITION', 'TIMEOUT', 'WHEN', 'ANDWHEN', 'UNLESS', 'IF', 'THEN', 'ELSE',
  'PUBLISH', 'PROGRESS', 'KNOWN', 'INVARIANT', 'PROPERTY', 'MODEL', 'CRASH', 'BYZANTINE',
  'SENDS', 'TO', 'AUDIT', 'BUDGET', 'SYMMETRY', 'CHECK',
  'ME', 'NOONE', 'NONE', 'TRUE', 'FALSE', 'AND', 'OR', 'NOT', 'IMPLIES',
  'IN', 'NOTIN', 'UNION', 'INTER', 'MINUS', 'SUBSETEQ', 'FORALL', 'EXISTS',
  'SET', 'OF', 'BOOLEAN', 'INT', 'CORRECT', 'FAULTY',
  'STATEMENT', 'STATEMENTS', 'SIZE', 'AS', 'FORGET', 'ANSWER', 'VALUE', 'WHERE',
] as const;

export type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
export function isKeyword(s: string): s is Keyword {
  return KEYWORD_SET.has(s);
}

/** Punctuation, longest first so the lexer can match greedily. */
export const PUNCTUATION = [
  '@@{', '@@}', '..', '==', '!=', '<=', '>=', '<-', '->', '=>', '~>', '[]', '<>',
  '[', ']', '{', '}', '(', ')', ',', ';', ':', '.', '=', '<', '>', '+', '-', '*', '/', '%', '_',
] as const;
export type Punct = (typeof PUNCTUATION)[number];

export type TokenKind = 'ident' | 'int' | 'keyword' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token's text: for keywords and punctuation, the keyword or symbol itself. */
  readonly text: string;
  readonly span: Span;
  /** For `int` tokens. */
  readonly value?: number;
}

export function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return `name '${t.text}'`;
    case 'int':
      return `number ${t.text}`;
    case 'keyword':
      return `keyword ${t.text}`;
    case 'punct':
      return `'${t.text}'`;
  }
}
