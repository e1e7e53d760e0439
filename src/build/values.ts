// MOMMIE values as body programs see them, and back: numbers, booleans and
// names as themselves, a set as a sorted array, a record as an object tagged
// with `$type` (what the generated constructors make). Back from a program,
// nothing is trusted: the shape is checked here, the type by the evaluator.
// What a program is handed is frozen: MOMMIE values are immutable, so a
// change in place (a push onto a set, a record's field assigned) throws at
// its own line instead of changing a value behind the step's back (the
// constants are one object for every step of every node).

import type { CheckedProgram } from '../analysis/program.js';
import { isSet, makeRecord, makeSet, type StatementValue, type Value } from '../semantics/value.js';

/**
 * Statement values handed to body programs, by the object the program holds:
 * a statement is opaque (issue 25), so what comes back as a statement must be
 * one of these objects, never one a program made up.
 */
const handles = new WeakMap<object, StatementValue>();

/** A value in a body program's hands: what `toHost` makes and `fromHost` takes. */
export type HostValue = boolean | number | string | readonly HostValue[] | { readonly [field: string]: HostValue };

export function toHost(v: Value, program: CheckedProgram): HostValue {
  if (typeof v !== 'object') return v;
  if (isSet(v)) return Object.freeze(v.elems.map((e) => toHost(e, program)));
  if (v.kind === 'statement') {
    const h = Object.freeze({ $statement: v.key, issuer: v.issuer, verifiers: Object.freeze([...v.verifiers]), auditors: Object.freeze([...v.auditors]), record: toHost(v.record, program) });
    handles.set(h, v);
    return h;
  }
  const fields = program.records.get(v.type)?.fields ?? [];
  const out: { [field: string]: HostValue } = { $type: v.type };
  v.fields.forEach((f, i) => {
    out[fields[i]?.name ?? `#${i}`] = toHost(f, program);
  });
  return Object.freeze(out);
}

/** The value a body program gave, or why it is not one. */
export function fromHost(x: unknown, program: CheckedProgram): Value | { readonly error: string } {
  if (typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'number') return Number.isInteger(x) ? x : { error: `${x} is not an integer` };
  if (Array.isArray(x)) {
    const elems: Value[] = [];
    for (const e of x as unknown[]) {
      const v = fromHost(e, program);
      if (typeof v === 'object' && 'error' in v) return v;
      elems.push(v);
    }
    return makeSet(elems);
  }
  if (typeof x === 'object' && x !== null) {
    const held = handles.get(x);
    if (held !== undefined) return held;
    const o = x as { readonly [k: string]: unknown };
    if ('$statement' in o) return { error: 'a statement the program made up: statement values are opaque, obtained only from a binding or a set of known statements' };
    const type = o['$type'];
    const r = typeof type === 'string' ? program.records.get(type) : undefined;
    if (r === undefined) return { error: 'an object that is no record (make records with the constructors of mommie.ts)' };
    const fields: Value[] = [];
    for (const f of r.fields) {
      if (!(f.name in o)) return { error: `record ${r.name} without its field ${f.name}` };
      const v = fromHost(o[f.name], program);
      if (typeof v === 'object' && 'error' in v) return v;
      fields.push(v);
    }
    return makeRecord(r.name, fields);
  }
  return { error: `${x === null ? 'null' : typeof x} is no MOMMIE value` };
}
