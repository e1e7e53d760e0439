// Run-time values of MOMMIE expressions, shared by the model checker and the
// runtime. Values are immutable; sets and records carry a canonical key
// computed once, so equality, ordering and hashing are string operations.
//
// Keys never collide across kinds: numbers start with a digit or '-',
// principal and enumeration names with a letter or '_', booleans are the
// reserved words TRUE/FALSE, sets start with '{', records with a type name
// followed by '('. A string that is no name (a value of the wrong type that a
// body program smuggled in, such as "1" for 1) is keyed as a JSON string, so
// that it never equals, nor sorts as, a value of another kind: the key stays
// injective whatever the values, not only on well-typed ones.

export type Value = boolean | number | string | SetValue | RecordValue;

export interface SetValue {
  readonly kind: 'set';
  /** Sorted by key, without duplicates. */
  readonly elems: readonly Value[];
  readonly key: string;
}

export interface RecordValue {
  readonly kind: 'record';
  readonly type: string;
  /** In the record type's declared field order. */
  readonly fields: readonly Value[];
  readonly key: string;
}

export function keyOf(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'number':
      return String(v);
    case 'string':
      return isName(v) ? v : JSON.stringify(v);
    default:
      return v.key;
  }
}

/**
 * Whether `s` is spelled as a MOMMIE name (what principals and enumeration
 * values are): a letter or '_', then letters, digits and '_', and no reserved
 * boolean. A loop, not a regular expression: keys are on the checker's hot path.
 */
export function isName(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let c = s.charCodeAt(0);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return false;
  for (let i = 1; i < n; i++) {
    c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return !((n === 4 && s === 'TRUE') || (n === 5 && s === 'FALSE'));
}

export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Equal values, and only those: `1` and `"1"` differ, at the top as inside sets and records. */
export function equalValues(a: Value, b: Value): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && a.key === b.key);
}

export function makeSet(items: Iterable<Value>): SetValue {
  const byKey = new Map<string, Value>();
  for (const v of items) byKey.set(keyOf(v), v);
  const elems = [...byKey.values()].sort(compareValues);
  return { kind: 'set', elems, key: `{${elems.map(keyOf).join(',')}}` };
}

export const EMPTY_SET: SetValue = makeSet([]);

export function makeRecord(type: string, fields: readonly Value[]): RecordValue {
  return { kind: 'record', type, fields, key: `${type}(${fields.map(keyOf).join(',')})` };
}

export function isSet(v: Value): v is SetValue {
  return typeof v === 'object' && v.kind === 'set';
}
export function isRecord(v: Value): v is RecordValue {
  return typeof v === 'object' && v.kind === 'record';
}

export function setHas(s: SetValue, v: Value): boolean {
  let lo = 0;
  let hi = s.elems.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compareValues(s.elems[mid]!, v);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Renders a value in MOMMIE syntax; `fieldNames` gives record field names. */
export function showValue(v: Value, fieldNames: (type: string) => readonly string[]): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 'TRUE' : 'FALSE';
    case 'number':
      return String(v);
    case 'string':
      // A string that is no name can only be a value of the wrong type: shown quoted, so that it does not read as one.
      return isName(v) ? v : JSON.stringify(v);
    default:
      if (v.kind === 'set') return `{${v.elems.map((e) => showValue(e, fieldNames)).join(', ')}}`;
      {
        const names = fieldNames(v.type);
        return `${v.type}(${v.fields.map((f, i) => `${names[i] ?? `#${i}`}: ${showValue(f, fieldNames)}`).join(', ')})`;
      }
  }
}

/** Applies a renaming of principals (symmetry) to a value. */
export function renameValue(v: Value, rename: ReadonlyMap<string, string>): Value {
  switch (typeof v) {
    case 'string':
      return rename.get(v) ?? v;
    case 'object':
      if (v.kind === 'set') return makeSet(v.elems.map((e) => renameValue(e, rename)));
      return makeRecord(v.type, v.fields.map((f) => renameValue(f, rename)));
    default:
      return v;
  }
}
