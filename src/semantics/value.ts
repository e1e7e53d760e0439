// Run-time values of MOMMIE expressions, shared by the model checker and the
// runtime. Values are immutable; sets and records carry a canonical key
// computed once, so equality, ordering and hashing are string operations.
//
// Keys never collide across kinds: numbers start with a digit or '-',
// principal and enumeration names with a letter or '_', booleans are the
// reserved words TRUE/FALSE, sets start with '{', records with a type name
// followed by '(', statements with '[' (statementKey). A string that is no name (a value of the wrong type that a
// body program smuggled in, such as "1" for 1) is keyed as a JSON string, so
// that it never equals, nor sorts as, a value of another kind: the key stays
// injective whatever the values, not only on well-typed ones.

export type Value = boolean | number | string | SetValue | RecordValue | StatementValue;

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

/**
 * An authenticated statement carried as a value (a certificate field, issue
 * 25): exactly as its issuer published it, one issuer, its own verifiers and
 * auditors. Opaque to programs except through `.issuer`, `.verifiers`,
 * `.auditors` and `.record`; its key is its identity, the same string the
 * abstract pool keys statements by.
 */
export interface StatementValue {
  readonly kind: 'statement';
  readonly issuer: string;
  /** Sorted principal names. */
  readonly verifiers: readonly string[];
  /** Sorted principal names; empty is NOONE. */
  readonly auditors: readonly string[];
  readonly record: RecordValue;
  readonly key: string;
}

/** The identity of a statement: equal keys, equal statements. Starts with '[', which no other kind of key does. */
export function statementKey(issuer: string, verifiers: readonly string[], auditors: readonly string[], record: RecordValue): string {
  return `[${issuer}|${verifiers.join(',')}|${auditors.join(',')}]${record.key}`;
}

/** A statement value; `verifiers` and `auditors` must be sorted and without duplicates. */
export function makeStatement(issuer: string, verifiers: readonly string[], auditors: readonly string[], record: RecordValue): StatementValue {
  return { kind: 'statement', issuer, verifiers, auditors, record, key: statementKey(issuer, verifiers, auditors, record) };
}

export function isStatement(v: Value): v is StatementValue {
  return typeof v === 'object' && v.kind === 'statement';
}

/** `[issuer, verifiers, auditors] Type`, for messages. */
export function showStatementHead(s: StatementValue): string {
  return `[${s.issuer}, {${s.verifiers.join(', ')}}, ${s.auditors.length === 0 ? 'NOONE' : `{${s.auditors.join(', ')}}`}] ${s.record.type}`;
}

/** `s.issuer`, `s.verifiers`, `s.auditors`, `s.record`; undefined for any other name. */
export function statementPartOf(s: StatementValue, part: string): Value | undefined {
  switch (part) {
    case 'issuer':
      return s.issuer;
    case 'verifiers':
      return makeSet(s.verifiers);
    case 'auditors':
      return makeSet(s.auditors);
    case 'record':
      return s.record;
    default:
      return undefined;
  }
}

/**
 * The statements a value carries directly: statement values found in it, not
 * looking inside those statements' own records (see `carriedClosure`).
 */
export function carriedIn(v: Value, out: StatementValue[] = []): StatementValue[] {
  if (typeof v !== 'object') return out;
  if (v.kind === 'statement') out.push(v);
  else if (v.kind === 'set') for (const e of v.elems) carriedIn(e, out);
  else for (const f of v.fields) carriedIn(f, out);
  return out;
}

/** Every statement carried in `record`, transitively (inside carried statements too), each once, in discovery order. */
export function carriedClosure(record: RecordValue): StatementValue[] {
  const seen = new Map<string, StatementValue>();
  const todo = carriedIn(record);
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s.key)) continue;
    seen.set(s.key, s);
    carriedIn(s.record, todo);
  }
  return [...seen.values()];
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
      if (v.kind === 'statement') {
        const who = (ps: readonly string[], none: string): string => (ps.length === 0 ? none : ps.length === 1 ? ps[0]! : `{${ps.join(', ')}}`);
        return `[${v.issuer}, ${who(v.verifiers, '{}')}, ${who(v.auditors, 'NOONE')}] ${showValue(v.record, fieldNames)}`;
      }
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
      if (v.kind === 'statement') {
        const r = (p: string): string => rename.get(p) ?? p;
        return makeStatement(r(v.issuer), v.verifiers.map(r).sort(), v.auditors.map(r).sort(), renameValue(v.record, rename) as RecordValue);
      }
      return makeRecord(v.type, v.fields.map((f) => renameValue(f, rename)));
    default:
      return v;
  }
}
