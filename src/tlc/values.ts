// A parser for the TLA+ values TLC prints in error traces, into a small AST.
//
//   TRUE FALSE               booleans
//   -7 42                    integers
//   "a \"b\""                strings (TLC's escapes \" \\ \n \t \r \f)
//   {1, 2}                   sets
//   <<1, "a">>               sequences and tuples (and the empty function <<>>)
//   [a |-> 1, b |-> 2]       records (functions whose domain is a set of strings)
//   (0 :> 1 @@ 1 :> 2)       other functions
//   1..3                     integer intervals
//   p1 Nat                   model values and other names
//
// Anything else TLC can print (SUBSET S, [S -> T], S \X T, ...) is not
// parsed: `parseTlaValue` returns Left with the reason, and callers keep the
// text (`{ kind: 'raw' }`). The parser never throws and never recurses more
// than MAX_VALUE_DEPTH levels.

import { left, right, type Either } from 'fp-ts/lib/Either.js';

export type TlaValue =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'set'; readonly elements: readonly TlaValue[] }
  | { readonly kind: 'seq'; readonly elements: readonly TlaValue[] }
  | { readonly kind: 'record'; readonly fields: readonly { readonly name: string; readonly value: TlaValue }[] }
  | { readonly kind: 'function'; readonly entries: readonly { readonly key: TlaValue; readonly value: TlaValue }[] }
  | { readonly kind: 'interval'; readonly low: number; readonly high: number }
  | { readonly kind: 'model'; readonly name: string }
  | { readonly kind: 'raw'; readonly text: string };

export const MAX_VALUE_DEPTH = 200;

type Tok =
  | { t: 'punct'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'int'; v: number; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'eof'; at: number };

const PUNCT = ['|->', '<<', '>>', ':>', '@@', '..', '{', '}', '[', ']', '(', ')', ','] as const;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', f: '\f' };

function tokenize(s: string): Either<string, Tok[]> {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
      continue;
    }
    const p = PUNCT.find((q) => s.startsWith(q, i));
    if (p !== undefined) {
      out.push({ t: 'punct', v: p, at: i });
      i += p.length;
      continue;
    }
    if (c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= s.length) return left(`a string starting at offset ${i} is not closed`);
        const d = s[j]!;
        if (d === '"') break;
        if (d === '\\') {
          const e = ESCAPES[s[j + 1] ?? ''];
          if (e === undefined) return left(`unknown escape \\${s[j + 1] ?? ''} at offset ${j}`);
          v += e;
          j += 2;
        } else {
          v += d;
          j++;
        }
      }
      out.push({ t: 'string', v, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+/.exec(s.slice(i, i + 40));
    if (num !== null) {
      const n = Number(num[0]);
      if (!Number.isSafeInteger(n)) return left(`the number ${num[0]} is too large`);
      out.push({ t: 'int', v: n, at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 256));
    if (name !== null) {
      out.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    return left(`unexpected character '${c}' at offset ${i}`);
  }
  out.push({ t: 'eof', at: s.length });
  return right(out);
}

class ValueParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }

  private isPunct(v: string): boolean {
    const t = this.peek();
    return t.t === 'punct' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.isPunct(v)) throw new ParseStop(`expected '${v}' at offset ${this.peek().at}`);
    this.i++;
  }

  whole(): TlaValue {
    const v = this.value(0);
    const t = this.peek();
    if (t.t !== 'eof') throw new ParseStop(`unexpected text after the value at offset ${t.at}`);
    return v;
  }

  private list<T>(close: string, item: () => T): T[] {
    const items: T[] = [];
    if (this.isPunct(close)) {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(item());
      if (this.isPunct(',')) {
        this.i++;
        continue;
      }
      this.expect(close);
      return items;
    }
  }

  private value(depth: number): TlaValue {
    if (depth > MAX_VALUE_DEPTH) throw new ParseStop(`the value nests more than ${MAX_VALUE_DEPTH} levels deep`);
    const t = this.peek();
    switch (t.t) {
      case 'eof':
        throw new ParseStop('the value is empty or ends too early');
      case 'string':
        this.i++;
        return { kind: 'string', value: t.v };
      case 'int': {
        this.i++;
        if (this.isPunct('..')) {
          this.i++;
          const hi = this.peek();
          if (hi.t !== 'int') throw new ParseStop(`expected the upper bound of an interval at offset ${hi.at}`);
          this.i++;
          return { kind: 'interval', low: t.v, high: hi.v };
        }
        return { kind: 'int', value: t.v };
      }
      case 'name':
        this.i++;
        if (t.v === 'TRUE' || t.v === 'FALSE') return { kind: 'bool', value: t.v === 'TRUE' };
        if (['SUBSET', 'UNION', 'DOMAIN'].includes(t.v)) throw new ParseStop(`${t.v} values are not parsed`);
        return { kind: 'model', name: t.v };
      case 'punct':
        break;
    }
    this.i++;
    switch (t.v) {
      case '{':
        return { kind: 'set', elements: this.list('}', () => this.value(depth + 1)) };
      case '<<':
        return { kind: 'seq', elements: this.list('>>', () => this.value(depth + 1)) };
      case '[': {
        const fields = this.list(']', () => {
          const n = this.peek();
          if (n.t !== 'name') throw new ParseStop(`expected a field name at offset ${n.at}`);
          this.i++;
          this.expect('|->');
          return { name: n.v, value: this.value(depth + 1) };
        });
        if (fields.length === 0) throw new ParseStop('an empty record [] is not a TLC value');
        return { kind: 'record', fields };
      }
      case '(': {
        const entries: { key: TlaValue; value: TlaValue }[] = [];
        for (;;) {
          const key = this.value(depth + 1);
          this.expect(':>');
          entries.push({ key, value: this.value(depth + 1) });
          if (this.isPunct('@@')) {
            this.i++;
            continue;
          }
          this.expect(')');
          return { kind: 'function', entries };
        }
      }
      default:
        throw new ParseStop(`unexpected '${t.v}' at offset ${t.at}`);
    }
  }
}

class ParseStop {
  constructor(readonly reason: string) {}
}

/** Parses one value as TLC prints it; Left gives the reason it could not. */
export function parseTlaValue(text: string): Either<string, TlaValue> {
  const toks = tokenize(text);
  if (toks._tag === 'Left') return toks;
  try {
    return right(new ValueParser(toks.right).whole());
  } catch (e) {
    if (e instanceof ParseStop) return left(e.reason);
    return left(`the value could not be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The parsed value, or `{ kind: 'raw', text }` when it cannot be parsed. */
export function tlaValueOrRaw(text: string): TlaValue {
  const r = parseTlaValue(text);
  return r._tag === 'Right' ? r.right : { kind: 'raw', text };
}

/** Prints a value back in TLC's notation (on one line). */
export function formatTlaValue(v: TlaValue): string {
  switch (v.kind) {
    case 'bool':
      return v.value ? 'TRUE' : 'FALSE';
    case 'int':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value).replace(/\\u000c/g, '\\f');
    case 'set':
      return `{${v.elements.map(formatTlaValue).join(', ')}}`;
    case 'seq':
      return `<<${v.elements.map(formatTlaValue).join(', ')}>>`;
    case 'record':
      return `[${v.fields.map((f) => `${f.name} |-> ${formatTlaValue(f.value)}`).join(', ')}]`;
    case 'function':
      return `(${v.entries.map((e) => `${formatTlaValue(e.key)} :> ${formatTlaValue(e.value)}`).join(' @@ ')})`;
    case 'interval':
      return `${v.low}..${v.high}`;
    case 'model':
      return v.name;
    case 'raw':
      return v.text;
  }
}
