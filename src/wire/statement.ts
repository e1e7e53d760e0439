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

import type { Domain } from '../analysis/types.js';
import type { RecordValue, Value } from '../semantics/value.js';
import { makeRecord, makeSet } from '../semantics/value.js';
import { compareBytes, compareCanonical, CborEncodeError, decodeCbor, Encoded, encodeCbor, isCborArray, type Cbor, type CborIn } from './cbor.js';
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
}

export type StatementErrorCode =
  | 'cbor'
  | 'bad-shape'
  | 'unknown-principal'
  | 'unknown-record'
  | 'field-count'
  | 'out-of-domain'
  | 'set-order'
  | 'non-canonical';

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

/** The CBOR form of a value; domain-free, since the value was checked first. */
function valueCbor(v: Value): CborIn {
  switch (typeof v) {
    case 'boolean':
    case 'number':
    case 'string':
      return v;
    default:
      if (v.kind === 'record') return [v.type, ...v.fields.map(valueCbor)];
      // Carried statements travel with their own authenticators (issue 25 item 3, not built yet).
      if (v.kind === 'statement') return fail('bad-shape', 'a record that carries a statement cannot be sent yet: certificates on the wire are not implemented');
      return sortedSet(v.elems.map(valueCbor));
  }
}

/** A set's elements in canonical order: each encoded once, sorted by bytes. */
function sortedSet(elems: readonly CborIn[]): Encoded[] {
  return elems.map((e) => new Encoded(encodeCbor(e))).sort((a, b) => compareBytes(a.bytes, b.bytes));
}

function checkPrincipals(schema: WireSchema, names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const p of names) {
    if (!schema.principals.has(p)) fail('unknown-principal', `${what}: ${p} is not a principal of the program`);
    if (seen.has(p)) fail('set-order', `${what}: ${p} appears twice`);
    seen.add(p);
  }
}

function checkRecord(schema: WireSchema, r: RecordValue): void {
  const info = schema.records.get(r.type);
  if (info === undefined) fail('unknown-record', `no record type ${r.type}`);
  if (r.fields.length !== info.fields.length) fail('field-count', `${r.type} has ${info.fields.length} fields, not ${r.fields.length}`);
  info.fields.forEach((f, i) => {
    if (!schema.inDomain(r.fields[i]!, f.domain)) fail('out-of-domain', `field ${f.name} of ${r.type} is outside its declared type`);
  });
}

/** The bytes of a statement already checked against the schema. */
function canonicalBytes(s: StatementBody): Uint8Array {
  return encodeCbor([s.issuer, sortedSet(s.verifiers), sortedSet(s.auditors), valueCbor(s.record)]);
}

/**
 * The canonical bytes of `s`, after checking that it fits the schema (a
 * correct node never sends what a correct node would refuse).
 */
export function encodeStatement(schema: WireSchema, s: StatementBody): StatementResult {
  try {
    checkPrincipals(schema, [s.issuer], 'issuer');
    checkPrincipals(schema, s.verifiers, 'verifiers');
    checkPrincipals(schema, s.auditors, 'auditors');
    checkRecord(schema, s.record);
    const bytes = canonicalBytes(s);
    const statement: StatementBody = {
      issuer: s.issuer,
      verifiers: [...s.verifiers].sort(),
      auditors: [...s.auditors].sort(),
      record: s.record,
    };
    return { ok: true, encoded: { statement, bytes } };
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
  return out.sort();
}

function recordFrom(schema: WireSchema, c: Cbor, expected: string | undefined, path: string): RecordValue {
  if (!isCborArray(c) || c.length === 0 || typeof c[0] !== 'string') fail('bad-shape', `${path} is not a record`);
  const type = c[0];
  if (expected !== undefined && type !== expected) fail('bad-shape', `${path} is a ${type}, not a ${expected}`);
  const info = schema.records.get(type);
  if (info === undefined) fail('unknown-record', `${path}: no record type ${type}`);
  if (c.length - 1 !== info.fields.length) fail('field-count', `${path}: ${type} has ${info.fields.length} fields, not ${c.length - 1}`);
  const fields = info.fields.map((f, i) => valueFrom(schema, c[i + 1]!, f.domain, `${path}.${f.name}`));
  return makeRecord(type, fields);
}

/** The value a CBOR item stands for in domain `d`: shapes only; membership is checked after. */
function valueFrom(schema: WireSchema, c: Cbor, d: Domain, path: string): Value {
  switch (d.k) {
    case 'bool':
      if (typeof c !== 'boolean') fail('bad-shape', `${path} is not a boolean`);
      return c;
    case 'int':
    case 'range':
      if (typeof c !== 'number') fail('bad-shape', `${path} is not an integer`);
      return c;
    case 'enum':
    case 'principals':
      if (typeof c !== 'string') fail('bad-shape', `${path} is not a name`);
      return c;
    case 'record':
      return recordFrom(schema, c, d.name, path);
    case 'set': {
      if (!isCborArray(c)) fail('bad-shape', `${path} is not a set`);
      const elems = c.map((e, i) => valueFrom(schema, e, d.elem, `${path}[${i}]`));
      checkSetOrder(c, path);
      return makeSet(elems);
    }
    case 'statement':
      return fail('bad-shape', `${path} carries a statement: certificates on the wire are not implemented yet (issue 25 item 3)`);
    case 'error':
      return fail('bad-shape', `${path} has a type with errors`);
  }
}

/**
 * The statement `bytes` encode, if they are the canonical encoding of a
 * statement that fits the schema. Never throws.
 */
export function decodeStatement(schema: WireSchema, bytes: Uint8Array): StatementResult {
  const decoded = decodeCbor(bytes);
  if (!decoded.ok) return { ok: false, error: { code: 'cbor', detail: `${decoded.error.code} at byte ${decoded.error.at}: ${decoded.error.detail}` } };
  try {
    const c = decoded.value;
    if (!isCborArray(c) || c.length !== 4) fail('bad-shape', 'a statement is an array of 4 items');
    const [issuerC, verifiersC, auditorsC, recordC] = c as [Cbor, Cbor, Cbor, Cbor];
    if (typeof issuerC !== 'string') fail('bad-shape', 'the issuer is not a name');
    if (!schema.principals.has(issuerC)) fail('unknown-principal', `issuer: ${issuerC} is not a principal of the program`);
    const verifiers = principalList(schema, verifiersC, 'verifiers');
    const auditors = principalList(schema, auditorsC, 'auditors');
    const record = recordFrom(schema, recordC, undefined, 'record');
    // Membership, under the run's constants, by the semantics' own rule.
    checkRecord(schema, record);
    const statement: StatementBody = { issuer: issuerC, verifiers, auditors, record };
    // No re-encoding to compare: the CBOR decoder accepts canonical items only
    // (a decoded item re-encodes to its own bytes), every set was checked to be
    // strictly increasing, and a record is exactly its type and declared
    // fields, so the statement's canonical bytes are \`bytes\`.
    // test/wire-canonical.test.ts checks it on every statement that decodes.
    return { ok: true, encoded: { statement, bytes } };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    return { ok: false, error: { code: 'bad-shape', detail: e instanceof Error ? e.message : String(e) } };
  }
}
