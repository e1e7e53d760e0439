// Values between the application and the program: an argument (a number, a
// boolean, a string naming a principal or an enum value, an array for a set)
// checked against its parameter's type, and an answer shown as plain data (a
// record as an object of its fields with `type`, a set as an array).

import type { CheckedProgram } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import { EvalError } from '../semantics/errors.js';
import type { Evaluator } from '../semantics/eval.js';
import { makeSet, type Value } from '../semantics/value.js';
import type { Span } from '../diagnostics/diagnostic.js';

/** An answer or argument as the application sees it. */
export type Plain = number | boolean | string | readonly Plain[] | { readonly [field: string]: Plain };

/** `x` as a value of domain `d`, or why it is none. */
export function toValue(ev: Evaluator, x: unknown, d: Domain, what: string, at: Span): { ok: true; value: Value } | { ok: false; message: string } {
  const raw = plainToValue(x, d);
  if (raw === undefined) return { ok: false, message: `${what}: ${JSON.stringify(x) ?? String(x)} is not a value of its type` };
  try {
    return { ok: true, value: ev.checkDomain(raw, d, what, at) };
  } catch (e) {
    if (e instanceof EvalError) return { ok: false, message: e.message };
    throw e;
  }
}

function plainToValue(x: unknown, d: Domain): Value | undefined {
  switch (d.k) {
    case 'bool':
      return typeof x === 'boolean' ? x : undefined;
    case 'int':
    case 'range':
      return typeof x === 'number' && Number.isInteger(x) ? x : undefined;
    case 'enum':
    case 'principals':
      return typeof x === 'string' ? x : undefined;
    case 'set': {
      if (!Array.isArray(x)) return undefined;
      const elems: Value[] = [];
      for (const e of x as unknown[]) {
        const v = plainToValue(e, d.elem);
        if (v === undefined) return undefined;
        elems.push(v);
      }
      return makeSet(elems);
    }
    default:
      // Records and statements as arguments are not taken yet (docs/api.md).
      return undefined;
  }
}

/** `v` as plain data. */
export function toPlain(program: CheckedProgram, v: Value): Plain {
  if (typeof v !== 'object') return v;
  switch (v.kind) {
    case 'set':
      return v.elems.map((e) => toPlain(program, e));
    case 'record': {
      const names = program.records.get(v.type)?.fields.map((f) => f.name) ?? v.fields.map((_, i) => `f${i}`);
      return Object.fromEntries([['type', v.type], ...v.fields.map((f, i) => [names[i]!, toPlain(program, f)])]);
    }
    case 'statement':
      return { issuer: v.issuer, verifiers: v.verifiers, auditors: v.auditors, record: toPlain(program, v.record) };
  }
}
