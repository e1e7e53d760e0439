// MOMMIE values in trace files: JSON that a person can read and that decodes
// back to the same value. Numbers, booleans and names are themselves; a set is
// {"set": [...]}, a record {"rec": "Type", "f": [...]} (fields in declared order),
// a carried statement {"stmt": {"i": issuer, "v": [...], "a": [...], "r": record}}.

import * as t from 'io-ts';
import { makeRecord, makeSet, makeStatement, type RecordValue, type Value } from '../semantics/value.js';

export type ValueJson =
  | number | boolean | string
  | { readonly set: readonly ValueJson[] }
  | { readonly rec: string; readonly f: readonly ValueJson[] }
  | { readonly stmt: { readonly i: string; readonly v: readonly string[]; readonly a: readonly string[]; readonly r: ValueJson } };

export const ValueJsonCodec: t.Type<ValueJson> = t.recursion('ValueJson', () =>
  t.union([
    t.number, t.boolean, t.string,
    t.strict({ set: t.readonlyArray(ValueJsonCodec) }),
    t.strict({ rec: t.string, f: t.readonlyArray(ValueJsonCodec) }),
    t.strict({ stmt: t.strict({ i: t.string, v: t.readonlyArray(t.string), a: t.readonlyArray(t.string), r: ValueJsonCodec }) }),
  ]),
);

export function valueToJson(v: Value): ValueJson {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'string':
      return v;
    default:
      if (v.kind === 'statement') return { stmt: { i: v.issuer, v: v.verifiers, a: v.auditors, r: valueToJson(v.record) } };
      return v.kind === 'set' ? { set: v.elems.map(valueToJson) } : { rec: v.type, f: v.fields.map(valueToJson) };
  }
}

export function valueFromJson(j: ValueJson): Value {
  if (typeof j === 'number' || typeof j === 'boolean' || typeof j === 'string') return j;
  if ('set' in j) return makeSet(j.set.map(valueFromJson));
  if ('stmt' in j) {
    const r = valueFromJson(j.stmt.r);
    // A statement whose record is no record is kept as given and refused by the type check that follows (MOM501).
    const record = typeof r === 'object' && r.kind === 'record' ? r : makeRecord('?', [r]);
    return makeStatement(j.stmt.i, [...new Set(j.stmt.v)].sort(), [...new Set(j.stmt.a)].sort(), record);
  }
  return makeRecord(j.rec, j.f.map(valueFromJson));
}

export function recordFromJson(j: ValueJson): RecordValue | undefined {
  const v = valueFromJson(j);
  return typeof v === 'object' && v.kind === 'record' ? v : undefined;
}
