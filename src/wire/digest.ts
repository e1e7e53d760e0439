// The DIGEST optimizer's wire form of a statement: its canonical bytes
// (statement.ts) with each field of its record that holds a record replaced
// by a marker map {d: SHA-256 of that record's canonical encoding}. The
// canonical encoding of a statement holds no map anywhere, so a marker is
// never mistaken for a value. Only the statement's own fields are replaced
// (a record nested deeper travels inside the record it belongs to).
//
// What is MACed or signed does not change: the authenticator covers the full
// canonical statement, which the receiver rebuilds from the digest form and
// the records it holds, then opens exactly as any other item. A record is
// named by the digest of its bytes, so where the bytes came from (a known
// statement, another frame, a fetch from any node) does not matter once the
// digest matches.

import type { RecordInfo } from '../analysis/program.js';
import { statementDigest } from './auth.js';
import { decodeCbor, Encoded, encodeCbor, isCborArray, isCborMap, type Cbor, type CborIn } from './cbor.js';
import type { WireSchema } from './schema.js';

/** Bytes of a record digest (SHA-256). */
export const RECORD_DIGEST_BYTES = 32;

/** A record's canonical bytes and their digest. */
export interface DigestedRecord {
  readonly digest: Uint8Array;
  readonly bytes: Uint8Array;
}

/** SHA-256 of a record's canonical encoding. */
export function recordDigest(recordBytes: Uint8Array): Uint8Array {
  return statementDigest(recordBytes);
}

function recordInfo(schema: WireSchema, c: Cbor): { info: RecordInfo; fields: readonly Cbor[] } | undefined {
  if (!isCborArray(c) || c.length !== 4) return undefined;
  const rec = c[3]!;
  if (!isCborArray(rec) || rec.length === 0 || typeof rec[0] !== 'string') return undefined;
  const info = schema.records.get(rec[0]);
  if (info === undefined || info.fields.length !== rec.length - 1) return undefined;
  return { info, fields: rec.slice(1) };
}

/**
 * The records a canonical statement's record holds in its own fields (what
 * DIGEST replaces), each with its bytes and digest; and the record itself as
 * `own`. Undefined when the bytes are no statement of the schema's shape.
 */
export function recordsOf(schema: WireSchema, stmt: Uint8Array): { own: DigestedRecord; fields: readonly (DigestedRecord | undefined)[] } | undefined {
  const d = decodeCbor(stmt);
  if (!d.ok) return undefined;
  const r = recordInfo(schema, d.value);
  if (r === undefined) return undefined;
  const ownBytes = encodeCbor((d.value as readonly Cbor[])[3]! as CborIn);
  const fields = r.fields.map((f, i) => {
    if (r.info.fields[i]!.domain.k !== 'record' || isCborMap(f)) return undefined;
    const bytes = encodeCbor(f as CborIn);
    return { digest: recordDigest(bytes), bytes };
  });
  return { own: { digest: recordDigest(ownBytes), bytes: ownBytes }, fields };
}

/**
 * The digest form of canonical statement bytes: every field holding a record
 * replaced by {d: digest}. Undefined when the statement has no such field
 * (or the bytes are no statement): it travels in full.
 */
export function digestForm(schema: WireSchema, stmt: Uint8Array): Uint8Array | undefined {
  const d = decodeCbor(stmt);
  if (!d.ok) return undefined;
  const c = d.value as readonly Cbor[];
  const r = recordInfo(schema, c);
  if (r === undefined) return undefined;
  let replaced = 0;
  const fields: CborIn[] = r.fields.map((f, i) => {
    if (r.info.fields[i]!.domain.k !== 'record' || isCborMap(f)) return f as CborIn;
    replaced++;
    return { d: recordDigest(encodeCbor(f as CborIn)) };
  });
  if (replaced === 0) return undefined;
  const rec = c[3] as readonly Cbor[];
  return encodeCbor([c[0] as CborIn, c[1] as CborIn, c[2] as CborIn, [rec[0] as CborIn, ...fields]]);
}

export type ExpandResult =
  | { readonly ok: true; readonly stmt: Uint8Array }
  /** Records this node does not hold (their digests); the item waits for them. */
  | { readonly ok: false; readonly missing: readonly Uint8Array[] }
  | { readonly ok: false; readonly malformed: string };

/**
 * The full canonical bytes a digest form stands for, given the records this
 * node holds by digest. Never throws; the result is checked by the Opener
 * like any received statement (a bad splice is refused there).
 */
export function expandDigestForm(schema: WireSchema, form: Uint8Array, lookup: (digest: Uint8Array) => Uint8Array | undefined): ExpandResult {
  const d = decodeCbor(form);
  if (!d.ok) return { ok: false, malformed: `${d.error.code} at byte ${d.error.at}` };
  const c = d.value;
  const r = recordInfo(schema, c);
  if (r === undefined) return { ok: false, malformed: 'a digested statement is not a statement of a declared record type' };
  const missing: Uint8Array[] = [];
  let markers = 0;
  const fields: CborIn[] = [];
  for (let i = 0; i < r.fields.length; i++) {
    const f = r.fields[i]!;
    if (!isCborMap(f)) {
      fields.push(f as CborIn);
      continue;
    }
    const keys = Object.keys(f);
    const dig = f['d'];
    if (keys.length !== 1 || !(dig instanceof Uint8Array) || dig.length !== RECORD_DIGEST_BYTES) return { ok: false, malformed: 'a digest marker is not {d: 32 bytes}' };
    if (r.info.fields[i]!.domain.k !== 'record') return { ok: false, malformed: `a digest marker in field ${r.info.fields[i]!.name}, which holds no record` };
    markers++;
    const bytes = lookup(dig);
    if (bytes === undefined) missing.push(dig);
    else fields.push(new Encoded(bytes));
  }
  if (markers === 0) return { ok: false, malformed: 'a digested statement without a digest marker' };
  if (missing.length > 0) return { ok: false, missing };
  const arr = c as readonly Cbor[];
  const rec = arr[3] as readonly Cbor[];
  try {
    return { ok: true, stmt: encodeCbor([arr[0] as CborIn, arr[1] as CborIn, arr[2] as CborIn, [rec[0] as CborIn, ...fields]]) };
  } catch (e) {
    return { ok: false, malformed: e instanceof Error ? e.message : String(e) };
  }
}

/** The issuer and verifiers a digest form names (who may hold its records), without checking anything else. */
export function namesOf(form: Uint8Array): readonly string[] {
  const d = decodeCbor(form);
  if (!d.ok || !isCborArray(d.value) || d.value.length !== 4) return [];
  const [issuer, verifiers] = d.value;
  const out: string[] = typeof issuer === 'string' ? [issuer] : [];
  if (verifiers !== undefined && isCborArray(verifiers)) for (const v of verifiers) if (typeof v === 'string') out.push(v);
  return out;
}
