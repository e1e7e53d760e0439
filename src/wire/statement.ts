// The canonical bytes of a statement `[issuer, verifiers, auditors] record`:
// what every authenticator covers. A statement is the CBOR array
//   [issuer, verifiers, auditors, record]
// where a record is [typeName, field1, ..., fieldN] in declared field order,
// integers, booleans and names are CBOR integers, true/false and text, and a
// set (verifiers and auditors included) is an array of its elements sorted
// by their encoded bytes, with no repeats. The order is defined on bytes, as
// RFC 8949 orders map keys, so any implementation can produce it without
// knowing how mommie orders values internally.
//
// Decoding is strict and typed: the bytes must be the one canonical encoding
// (re-encoded and compared), and every part must fit the run's schema.

import { Buffer } from 'node:buffer';
import type { Domain } from '../analysis/types.js';
import type { RecordValue, Value } from '../semantics/value.js';
import { makeRecord, makeSet, makeStatement } from '../semantics/value.js';
import { compareCanonical, CborEncodeError, decodeCbor, encodeCbor, isCborArray, type Cbor } from './cbor.js';
import type { WireSchema } from './schema.js';

/** A statement as published: one issuer. Structurally a `Statement` of semantics/state.ts without id and key. */
export interface StatementBody {
  readonly issuer: string;
  /** Sorted principal names. */
  readonly verifiers: readonly string[];
  /** Sorted principal names; empty is NOONE. */
  readonly auditors: readonly string[];
  readonly record: RecordValue;
}

/** A statement together with its canonical bytes. */
export interface EncodedStatement {
  readonly statement: StatementBody;
  readonly bytes: Uint8Array;
  /**
   * The statements it carries, transitively, each once, in the order they
   * first appear in `bytes` (depth first: a statement before what it carries);
   * absent when it carries none. The item's `carried` authenticators follow
   * this order.
   */
  readonly carried?: readonly EncodedStatement[];
}

export type StatementErrorCode =
  | 'cbor'
  | 'bad-shape'
  | 'unknown-principal'
  | 'unknown-record'
  | 'field-count'
  | 'out-of-domain'
  | 'set-order'
  | 'non-canonical'
  /** Statements carried deeper than any record of the program can carry them (checked before the statement is typed). */
  | 'too-deep'
  /** More carried statements than a certificate field's SIZE bound (or than MAX_CARRIED_STATEMENTS in all), checked before they are decoded. */
  | 'over-bound'
  /** A carried statement that is not what its field declares: another record type, or auditors that do not include the field's AUDIT set. */
  | 'carried-mismatch';

/** At most this many statements carried, transitively, in one statement (a bound on the work before any is typed). */
export const MAX_CARRIED_STATEMENTS = 4096;

export interface StatementError {
  readonly code: StatementErrorCode;
  readonly detail: string;
}

export type StatementResult = { readonly ok: true; readonly encoded: EncodedStatement } | { readonly ok: false; readonly error: StatementError };

class Fail {
  constructor(readonly error: StatementError) {}
}

function fail(code: StatementErrorCode, detail: string): never {
  // Private to this module: caught at both entry points below.
  throw new Fail({ code, detail });
}

// ---------------------------------------------------------------------------
// Encoding

/**
 * The CBOR form of a value; domain-free, since the value was checked first.
 * A carried statement is a byte string holding its own canonical bytes (so
 * the carrier's authenticator covers exactly them); its authenticator travels
 * beside the carrier's item (frame.ts `carried`), never inside these bytes.
 * The statements it carries, transitively, are appended to `carried` in the
 * order they appear in its bytes (repeats kept).
 *
 * A set's elements are ordered by their canonical encodings without encoding
 * them one by one (compareCanonical gives the order of the bytes they encode
 * to; test/wire-canonical.test.ts holds it to the encoded comparison), and the
 * whole statement is encoded in one pass.
 */
function valueEnc(v: Value, carried: EncodedStatement[]): Cbor {
  switch (typeof v) {
    case 'boolean':
    case 'number':
    case 'string':
      return v;
    default:
      if (v.kind === 'record') {
        const out: Cbor[] = [v.type];
        for (const f of v.fields) out.push(valueEnc(f, carried));
        return out;
      }
      if (v.kind === 'statement') {
        const inner = bodyEnc(v);
        carried.push({ statement: bodyOf(v), bytes: inner.bytes }, ...inner.carried);
        return inner.bytes;
      }
      return sortedSet(v.elems, carried);
  }
}

function bodyOf(s: StatementBody): StatementBody {
  return { issuer: s.issuer, verifiers: s.verifiers, auditors: s.auditors, record: s.record };
}

function bodyEnc(s: StatementBody): { readonly bytes: Uint8Array; readonly carried: readonly EncodedStatement[] } {
  const carried: EncodedStatement[] = [];
  const r = valueEnc(s.record, carried);
  return { bytes: encodeCbor([s.issuer, sortedNames(s.verifiers), sortedNames(s.auditors), r]), carried };
}

/** Names in canonical order (by their encodings). */
function sortedNames(names: readonly string[]): string[] {
  return inCanonicalOrder(names) ? [...names] : [...names].sort(compareCanonical);
}

function inCanonicalOrder(xs: readonly Cbor[]): boolean {
  for (let i = 1; i < xs.length; i++) if (compareCanonical(xs[i - 1]!, xs[i]!) > 0) return false;
  return true;
}

/** A set's elements in canonical order; what they carry appended in that order. */
function sortedSet(elems: readonly Value[], carried: EncodedStatement[]): Cbor[] {
  if (elems.every((e) => typeof e !== 'object')) {
    const plain = elems as readonly Cbor[];
    return inCanonicalOrder(plain) ? [...plain] : [...plain].sort(compareCanonical);
  }
  const parts = elems.map((e) => {
    const c: EncodedStatement[] = [];
    return { cbor: valueEnc(e, c), carried: c };
  });
  parts.sort((a, b) => compareCanonical(a.cbor, b.cbor));
  for (const p of parts) carried.push(...p.carried);
  return parts.map((p) => p.cbor);
}

/** Each carried statement once, where it first appears: the order the item's `carried` authenticators follow. */
function distinct(carried: readonly EncodedStatement[]): readonly EncodedStatement[] | undefined {
  if (carried.length === 0) return undefined;
  const seen = new Set<string>();
  return carried.filter((c) => {
    const k = Buffer.from(c.bytes).toString('hex');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function checkPrincipals(schema: WireSchema, names: readonly string[], what: string): void {
  // Lists of principals are short: a repeat is found by looking back, without a set per statement.
  for (let i = 0; i < names.length; i++) {
    const p = names[i]!;
    if (!schema.principals.has(p)) fail('unknown-principal', `${what}: ${p} is not a principal of the program`);
    if (i > 0 && names.lastIndexOf(p, i - 1) >= 0) fail('set-order', `${what}: ${p} appears twice`);
  }
}

function checkIssuer(schema: WireSchema, issuer: string): void {
  if (!schema.principals.has(issuer)) fail('unknown-principal', `issuer: ${issuer} is not a principal of the program`);
}

function checkRecord(schema: WireSchema, r: RecordValue): void {
  const info = schema.records.get(r.type);
  if (info === undefined) fail('unknown-record', `no record type ${r.type}`);
  if (r.fields.length !== info.fields.length) fail('field-count', `${r.type} has ${info.fields.length} fields, not ${r.fields.length}`);
  for (let i = 0; i < info.fields.length; i++) {
    const f = info.fields[i]!;
    if (!schema.inDomain(r.fields[i]!, f.domain)) fail('out-of-domain', `field ${f.name} of ${r.type} is outside its declared type`);
  }
}


/**
 * The canonical bytes of `s`, after checking that it fits the schema (a
 * correct node never sends what a correct node would refuse).
 */
export function encodeStatement(schema: WireSchema, s: StatementBody): StatementResult {
  try {
    checkIssuer(schema, s.issuer);
    checkPrincipals(schema, s.verifiers, 'verifiers');
    checkPrincipals(schema, s.auditors, 'auditors');
    checkRecord(schema, s.record);
    const { bytes, carried } = bodyEnc(s);
    const statement: StatementBody = {
      issuer: s.issuer,
      verifiers: ascending(s.verifiers) ? [...s.verifiers] : [...s.verifiers].sort(),
      auditors: ascending(s.auditors) ? [...s.auditors] : [...s.auditors].sort(),
      record: s.record,
    };
    const all = distinct(carried);
    return { ok: true, encoded: { statement, bytes, ...(all === undefined ? {} : { carried: all }) } };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    if (e instanceof CborEncodeError) return { ok: false, error: { code: 'out-of-domain', detail: e.message } };
    // Only a value that is not a Value at all gets here (a caller's bug); still an error value.
    return { ok: false, error: { code: 'bad-shape', detail: e instanceof Error ? e.message : String(e) } };
  }
}

// ---------------------------------------------------------------------------
// Decoding

/** Elements of an encoded set must be strictly increasing by their canonical bytes (compared without re-encoding them). */
function checkSetOrder(elems: readonly Cbor[], what: string): void {
  for (let i = 1; i < elems.length; i++) {
    const c = compareCanonical(elems[i - 1]!, elems[i]!);
    if (c >= 0) fail('set-order', `${what}: ${c === 0 ? 'an element is repeated' : 'elements are not in canonical order'}`);
  }
}

function principalList(schema: WireSchema, c: Cbor, what: string): string[] {
  if (!isCborArray(c)) fail('bad-shape', `${what} is not an array`);
  const out: string[] = [];
  for (const p of c) {
    if (typeof p !== 'string') fail('bad-shape', `${what} holds something that is not a name`);
    if (!schema.principals.has(p)) fail('unknown-principal', `${what}: ${p} is not a principal of the program`);
    out.push(p);
  }
  checkSetOrder(c, what);
  return ascending(out) ? out : out.sort();
}

/** Whether `names` is in JavaScript's string order already (sorting allocates; most lists are sorted). */
function ascending(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! > names[i]!) return false;
  return true;
}

/** What decoding one statement gathers: the statements it carries (in order of appearance) and the byte strings already parsed by the depth check. */
interface DecodeContext {
  readonly carried: EncodedStatement[];
  readonly parsed: Map<Uint8Array, Cbor>;
}

/** Nothing parsed ahead: the map of a program whose records carry no statements (never written to). */
const NONE_PARSED: Map<Uint8Array, Cbor> = new Map();

function recordFrom(schema: WireSchema, c: Cbor, expected: string | undefined, path: string, cx: DecodeContext): RecordValue {
  if (!isCborArray(c) || c.length === 0 || typeof c[0] !== 'string') fail('bad-shape', `${path} is not a record`);
  const type = c[0];
  if (expected !== undefined && type !== expected) fail('bad-shape', `${path} is a ${type}, not a ${expected}`);
  const info = schema.records.get(type);
  if (info === undefined) fail('unknown-record', `${path}: no record type ${type}`);
  if (c.length - 1 !== info.fields.length) fail('field-count', `${path}: ${type} has ${info.fields.length} fields, not ${c.length - 1}`);
  const fields: Value[] = [];
  for (let i = 0; i < info.fields.length; i++) {
    const f = info.fields[i]!;
    fields.push(valueFrom(schema, c[i + 1]!, f.domain, path, f.name, cx));
  }
  return makeRecord(type, fields);
}

/** `parent.name`, or `parent[i]`: where an item sits, for messages (built only when one is needed). */
function pathOf(parent: string, at: string | number): string {
  return typeof at === 'number' ? `${parent}[${at}]` : `${parent}.${at}`;
}

/** The value a CBOR item stands for in domain `d` (at `pathOf(parent, at)`): shapes only; membership is checked after. */
function valueFrom(schema: WireSchema, c: Cbor, d: Domain, parent: string, at: string | number, cx: DecodeContext): Value {
  switch (d.k) {
    case 'bool':
      if (typeof c !== 'boolean') fail('bad-shape', `${pathOf(parent, at)} is not a boolean`);
      return c;
    case 'int':
    case 'range':
      if (typeof c !== 'number') fail('bad-shape', `${pathOf(parent, at)} is not an integer`);
      return c;
    case 'enum':
    case 'principals':
      if (typeof c !== 'string') fail('bad-shape', `${pathOf(parent, at)} is not a name`);
      return c;
    case 'record':
      return recordFrom(schema, c, d.name, pathOf(parent, at), cx);
    case 'set': {
      if (!isCborArray(c)) fail('bad-shape', `${pathOf(parent, at)} is not a set`);
      // A certificate's size is judged before any of its statements is decoded.
      const bound = d.elem.k === 'statement' && d.max !== undefined ? schema.sizeBound(d.max) : undefined;
      if (bound !== undefined && c.length > bound) fail('over-bound', `${pathOf(parent, at)} carries ${c.length} statements, at most ${bound}`);
      const path = pathOf(parent, at);
      const elems = c.map((e, i) => valueFrom(schema, e, d.elem, path, i, cx));
      checkSetOrder(c, path);
      return makeSet(elems);
    }
    case 'statement':
      return carriedFrom(schema, c, d, pathOf(parent, at), cx);
    case 'error':
      return fail('bad-shape', `${pathOf(parent, at)} has a type with errors`);
  }
}

/** A carried statement: a byte string holding the canonical bytes of a statement of the field's record type, auditable by its AUDIT set. */
function carriedFrom(schema: WireSchema, c: Cbor, d: Domain & { k: 'statement' }, path: string, cx: DecodeContext): Value {
  if (!(c instanceof Uint8Array)) fail('bad-shape', `${path} is not a carried statement (a byte string)`);
  let inner = cx.parsed.get(c);
  if (inner === undefined) {
    const r = decodeCbor(c);
    if (!r.ok) fail('cbor', `${path}: ${r.error.code} at byte ${r.error.at}: ${r.error.detail}`);
    inner = r.value;
  }
  const type = isCborArray(inner) && inner.length === 4 && isCborArray(inner[3]!) ? inner[3][0] : undefined;
  if (typeof type === 'string' && type !== d.record) fail('carried-mismatch', `${path} carries a ${type} statement, not a ${d.record}`);
  const at = cx.carried.length;
  cx.carried.push(undefined as unknown as EncodedStatement);
  const statement = statementFrom(schema, inner, d.record, path, cx);
  const missing = d.auditors.filter((a) => !statement.auditors.includes(a));
  if (missing.length > 0) fail('carried-mismatch', `${path} carries a statement that ${missing.join(', ')} cannot audit (the field asks for AUDIT {${d.auditors.join(', ')}})`);
  cx.carried[at] = { statement, bytes: c };
  return makeStatement(statement.issuer, statement.verifiers, statement.auditors, statement.record);
}

function statementFrom(schema: WireSchema, c: Cbor, expected: string | undefined, path: string, cx: DecodeContext): StatementBody {
  if (!isCborArray(c) || c.length !== 4) fail('bad-shape', `${path}: a statement is an array of 4 items`);
  const [issuerC, verifiersC, auditorsC, recordC] = c as [Cbor, Cbor, Cbor, Cbor];
  if (typeof issuerC !== 'string') fail('bad-shape', `${path}: the issuer is not a name`);
  if (!schema.principals.has(issuerC)) fail('unknown-principal', `${path}: issuer ${issuerC} is not a principal of the program`);
  const verifiers = principalList(schema, verifiersC, 'verifiers');
  const auditors = principalList(schema, auditorsC, 'auditors');
  const record = recordFrom(schema, recordC, expected, path, cx);
  // Membership, under the run's constants, by the semantics' own rule.
  checkRecord(schema, record);
  return { issuer: issuerC, verifiers, auditors, record };
}

/**
 * Before anything is typed: statements carried (byte strings inside the
 * record, each parsed once and kept for the typed pass) no deeper than the
 * program's records can carry them, and not more of them than
 * MAX_CARRIED_STATEMENTS. Each byte string is parsed on its own, so without
 * this a chain of them would nest past the CBOR decoder's depth limit.
 */
function checkCarryDepth(schema: WireSchema, c: Cbor, depth: number, cx: DecodeContext, count: { n: number }): void {
  if (c instanceof Uint8Array) {
    if (depth + 1 > schema.maxCarryDepth) fail('too-deep', `statements carried ${depth + 1} deep; the program's records carry at most ${schema.maxCarryDepth} deep`);
    if (++count.n > MAX_CARRIED_STATEMENTS) fail('over-bound', `more than ${MAX_CARRIED_STATEMENTS} statements carried`);
    const r = decodeCbor(c);
    if (!r.ok) fail('cbor', `a carried statement: ${r.error.code} at byte ${r.error.at}: ${r.error.detail}`);
    cx.parsed.set(c, r.value);
    // Only its record can carry more.
    if (isCborArray(r.value) && r.value.length === 4) checkCarryDepth(schema, r.value[3]!, depth + 1, cx, count);
    return;
  }
  if (isCborArray(c)) for (const e of c) checkCarryDepth(schema, e, depth, cx, count);
}

/**
 * The statement `bytes` encode, if they are the canonical encoding of a
 * statement that fits the schema. Never throws. The statements it carries
 * are decoded with it (`encoded.carried`); their authenticators are the
 * item's business (open.ts).
 */
export function decodeStatement(schema: WireSchema, bytes: Uint8Array): StatementResult {
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return { ok: false, error: { code: 'cbor', detail: `${decoded.error.code} at byte ${decoded.error.at}: ${decoded.error.detail}` } };
  try {
    const c = decoded.value;
    if (!isCborArray(c) || c.length !== 4) fail('bad-shape', 'a statement is an array of 4 items');
    // The parsed carried statements' map only where a record can carry one (checkCarryDepth fills it).
    const cx: DecodeContext = { carried: [], parsed: schema.maxCarryDepth > 0 ? new Map() : NONE_PARSED };
    if (schema.maxCarryDepth > 0) checkCarryDepth(schema, c[3]!, 0, cx, { n: 0 });
    const statement = statementFrom(schema, c, undefined, 'record', cx);
    // No re-encoding to compare: the CBOR decoder accepts canonical items only
    // (a decoded item re-encodes to its own bytes), every set was checked to be
    // strictly increasing, and a record is exactly its type and declared
    // fields, so the statement's canonical bytes are \`bytes\`.
    // test/wire-canonical.test.ts checks it on every statement that decodes.
    const carried = distinct(cx.carried);
    return { ok: true, encoded: { statement, bytes, ...(carried === undefined ? {} : { carried }) } };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    return { ok: false, error: { code: 'bad-shape', detail: e instanceof Error ? e.message : String(e) } };
  }
}
