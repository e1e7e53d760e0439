// TLA+ tokens as tlapm's lexer (src/alexer.mll) sees them, for what mommie
// reads in a proof module itself: its OMITTED steps, its theorems, its
// assumptions and what each proof cites. Comments (`\*` to the end of the
// line, `(* ... *)` nested) and strings are skipped, so a word in them is
// never taken for a keyword; text before a module's `---- MODULE` line and
// after its closing `====` is not part of the module and is skipped too.
//
// Only the distinctions this reading needs are made: keywords, names, step
// labels (`<1>2.`, `<+>`, `<*>`), `==`, `,`, `!`, the module's dashes and
// equals lines; any other character sequence is an operator token.

export type TokenKind = 'keyword' | 'name' | 'step' | 'number' | 'string' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based, as tlapm and editors count. */
  readonly line: number;
  readonly column: number;
}

/** tlapm's reserved words (alexer.mll). */
const KEYWORDS = new Set([
  'ASSUME', 'ASSUMPTION', 'AXIOM', 'BOOLEAN', 'CASE', 'CHOOSE', 'CONSTANT', 'CONSTANTS', 'BY', 'DEF', 'DEFINE', 'DEFS', 'LAMBDA', 'OBVIOUS', 'ELSE',
  'EXCEPT', 'EXTENDS', 'IF', 'IN', 'INSTANCE', 'LET', 'HAVE', 'TRUE', 'FALSE', 'HIDE', 'PROOF', 'PROVE', 'STATE', 'OMITTED', 'LOCAL', 'MODULE', 'OTHER',
  'THEN', 'THEOREM', 'UNCHANGED', 'QED', 'RECURSIVE', 'WITNESS', 'STRING', 'SUFFICES', 'ACTION', 'LEMMA', 'COROLLARY', 'VARIABLE', 'VARIABLES', 'WITH',
  'TAKE', 'USE', 'PICK', 'NEW', 'TEMPORAL', 'PROPOSITION', 'ONLY',
]);

const NAME_CHAR = /[A-Za-z0-9_]/;
const HAS_LETTER = /[A-Za-z]/;
/** `<1>2.`, `<1>`, `<+>`, `<*>.` (the label follows the level). */
const STEP = /<\d+>[A-Za-z0-9_]*\.*|<[*+]>\.*/y;

/** Every token of `text`, comments and strings skipped, whether inside a module or not. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  const push = (kind: TokenKind, start: number, end: number): void => {
    out.push({ kind, text: text.slice(start, end), line, column: start - lineStart + 1 });
  };
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      newline(i);
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    // tlapm's pragmas `(*{` and `}*)` are tokens, not comments.
    if (text.startsWith('(*{', i) || text.startsWith('}*)', i)) {
      push('punct', i, i + 3);
      i += 3;
      continue;
    }
    if (text.startsWith('\\*', i)) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (text.startsWith('(*', i)) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '\n') newline(i);
        if (text.startsWith('(*', i)) {
          depth++;
          i += 2;
        } else if (text.startsWith('*)', i)) {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (c === '"') {
      const start = i;
      i++;
      // A string ends at its closing quote; tlapm rejects a newline inside one, so a line ends it too.
      while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' && i + 1 < n && text[i + 1] !== '\n' ? 2 : 1;
      if (text[i] === '"') i++;
      push('string', start, i);
      continue;
    }
    if (text.startsWith('----', i) || text.startsWith('====', i)) {
      const start = i;
      while (i < n && text[i] === c) i++;
      push('punct', start, i);
      continue;
    }
    // `<<` first: the longest match, as in tlapm's lexer (`<<1>>` is no step).
    if (text.startsWith('<<', i) || text.startsWith('>>', i)) {
      push('punct', i, i + 2);
      i += 2;
      continue;
    }
    STEP.lastIndex = i;
    const step = STEP.exec(text);
    if (step !== null) {
      push('step', i, i + step[0].length);
      i += step[0].length;
      continue;
    }
    if (NAME_CHAR.test(c)) {
      const start = i;
      while (i < n && NAME_CHAR.test(text[i]!)) i++;
      const word = text.slice(start, i);
      if (!HAS_LETTER.test(word)) {
        // A number, with a fraction (`1.5`).
        if (text[i] === '.' && /[0-9]/.test(text[i + 1] ?? '')) {
          i++;
          while (i < n && /[0-9]/.test(text[i]!)) i++;
        }
        push('number', start, i);
      } else push(KEYWORDS.has(word) ? 'keyword' : 'name', start, i);
      continue;
    }
    if (text.startsWith('==', i)) {
      push('punct', i, i + 2);
      i += 2;
      continue;
    }
    // `\in`, `\A`, `\cup`: one operator token, so that its letters are not a name.
    if (c === '\\' && /[A-Za-z]/.test(text[i + 1] ?? '')) {
      const start = i;
      i++;
      while (i < n && /[A-Za-z]/.test(text[i]!)) i++;
      push('punct', start, i);
      continue;
    }
    push('punct', i, i + 1);
    i++;
  }
  return out;
}

export interface TlaModuleTokens {
  /** The module's name, from its `---- MODULE Name ----` line. */
  readonly name: string;
  readonly line: number;
  /** The tokens between the header and the closing `====` (nested modules included). */
  readonly body: readonly Token[];
}

/**
 * The first module in the text and its body; null when there is none. As
 * SANY and tlapm do, everything before the first `---- MODULE` and after the
 * module's closing `====` is ignored.
 */
export function moduleTokens(text: string): TlaModuleTokens | null {
  const tokens = tokenize(text);
  const header = (k: number): string | null => {
    const a = tokens[k];
    const b = tokens[k + 1];
    const c = tokens[k + 2];
    return a?.kind === 'punct' && a.text.startsWith('----') && b?.text === 'MODULE' && c?.kind === 'name' ? c.text : null;
  };
  let start = -1;
  for (let k = 0; k < tokens.length; k++) {
    if (header(k) !== null) {
      start = k;
      break;
    }
  }
  if (start < 0) return null;
  const name = header(start)!;
  let depth = 1;
  const body: Token[] = [];
  // Skip the header's closing dashes.
  let k = start + 3;
  if (tokens[k]?.kind === 'punct' && tokens[k]!.text.startsWith('----')) k++;
  for (; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (header(k) !== null) depth++;
    if (t.kind === 'punct' && t.text.startsWith('====')) {
      depth--;
      if (depth === 0) break;
    }
    body.push(t);
  }
  return { name, line: tokens[start]!.line, body };
}
