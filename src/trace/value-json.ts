// MOMMIE values in trace files: JSON that a person can read and that decodes
// back to the same value. Numbers, booleans and names are themselves; a set is
// {"set": [...]}, a record {"rec": "Type", "f": [...]} (fields in declared order).

import * as t from 'io-ts';
import { makeRecord, makeSet, type RecordValue, type Value } from '../semantics/value.js';

export type ValueJson = number | boolean | string | { readonly set: readonly ValueJson[] } | { readonly rec: string; readonly f: readonly ValueJson[] };

export const ValueJsonCodec: t.Type<ValueJson> = t.recursion('ValueJson', () =>
  t.union([t.number, t.boolean, t.string, t.strict({ set: t.readonlyArray(ValueJsonCodec) }), t.strict({ rec: t.string, f: t.readonlyArray(ValueJsonCodec) })]),
);

export function valueToJson(v: Value): ValueJson {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'string':
      return v;
    default:
      return v.kind === 'set' ? { set: v.elems.map(valueToJson) } : { rec: v.type, f: v.fields.map(valueToJson) };
  }
}

export function valueFromJson(j: ValueJson): Value {
  if (typeof j === 'number' || typeof j === 'boolean' || typeof j === 'string') return j;
  if ('set' in j) return makeSet(j.set.map(valueFromJson));
  return makeRecord(j.rec, j.f.map(valueFromJson));
}

export function recordFromJson(j: ValueJson): RecordValue | undefined {
  const v = valueFromJson(j);
  return typeof v === 'object' && v.kind === 'record' ? v : undefined;
}
