// What a Byzantine carrier on the simulated network does to certificates
// (issue 25): the bytes of one of its own carriers, altered so that a correct
// receiver must refuse it for one reason each — more statements than the
// field's SIZE, statements nested deeper than the program's records carry, a
// carried statement that is not what its field declares. (A forged or
// unauditable carried authenticator is the codec's business: it needs keys.)
// Only the first certificate field of the carrier's record is altered.

import type { Domain } from '../analysis/types.js';
import { decodeCbor, encodeCbor, isCborArray, type Cbor, type CborIn } from '../wire/cbor.js';
import type { WireSchema } from '../wire/index.js';

export type CarrierAttack = 'forged' | 'not-auditable' | 'over-bound' | 'too-deep' | 'pattern-mismatch';
/** The attacks that alter the carrier's bytes: another statement than any published, so a receiver always refuses it. */
export const STRUCTURAL_ATTACKS = ['over-bound', 'too-deep', 'pattern-mismatch'] as const;

type Field = { readonly index: number; readonly domain: Domain };

/** The first field of the record that holds statements, and its declared domain. */
function certificateField(schema: WireSchema, record: readonly Cbor[]): Field | undefined {
  const info = typeof record[0] === 'string' ? schema.records.get(record[0]) : undefined;
  const i = info?.fields.findIndex((f) => f.domain.k === 'statement' || (f.domain.k === 'set' && f.domain.elem.k === 'statement'));
  return info === undefined || i === undefined || i < 0 ? undefined : { index: i + 1, domain: info.fields[i]!.domain };
}

/** A statement's bytes with its record's first field replaced by `inner` (a byte string): one level deeper. */
function wrap(template: Uint8Array, inner: Uint8Array): Uint8Array | undefined {
  const d = decodeCbor(template);
  if (!d.ok || !isCborArray(d.value) || d.value.length !== 4 || !isCborArray(d.value[3]!) || d.value[3].length < 2) return undefined;
  const [i, v, a, rec] = d.value as [Cbor, Cbor, Cbor, readonly Cbor[]];
  return encodeCbor([i, v, a, [rec[0]!, inner, ...rec.slice(2)]] as CborIn);
}

/** The carried statement's bytes as a statement of another record type (the carrier's own). */
function retyped(stmt: Uint8Array, type: string): Uint8Array | undefined {
  const d = decodeCbor(stmt);
  if (!d.ok || !isCborArray(d.value) || d.value.length !== 4 || !isCborArray(d.value[3]!)) return undefined;
  const [i, v, a, rec] = d.value as [Cbor, Cbor, Cbor, readonly Cbor[]];
  return encodeCbor([i, v, a, [type, ...rec.slice(1)]] as CborIn);
}

/**
 * `carrier`'s bytes altered by `attack` (over-bound, too-deep or
 * pattern-mismatch); undefined when the carrier gives nothing to alter (no
 * carried statement, or a single statement where a set is needed).
 */
export function alteredCarrier(schema: WireSchema, carrier: Uint8Array, attack: 'over-bound' | 'too-deep' | 'pattern-mismatch'): Uint8Array | undefined {
  const d = decodeCbor(carrier);
  if (!d.ok || !isCborArray(d.value) || d.value.length !== 4 || !isCborArray(d.value[3]!)) return undefined;
  const [issuer, verifiers, auditors, record] = d.value as [Cbor, Cbor, Cbor, readonly Cbor[]];
  const field = certificateField(schema, record);
  if (field === undefined) return undefined;
  const value = record[field.index]!;
  const elems = isCborArray(value) ? value : [value];
  const first = elems[0];
  if (!(first instanceof Uint8Array)) return undefined;
  let altered: Cbor;
  switch (attack) {
    case 'over-bound': {
      const bound = field.domain.k === 'set' && field.domain.max !== undefined ? schema.sizeBound(field.domain.max) : undefined;
      if (bound === undefined) return undefined;
      // Repeats are fine: the size is judged before the elements are.
      altered = [...elems, ...Array.from({ length: bound + 1 - elems.length }, () => first)];
      break;
    }
    case 'too-deep': {
      let x: Uint8Array | undefined = first;
      for (let k = 0; k <= schema.maxCarryDepth && x !== undefined; k++) x = wrap(first, x);
      if (x === undefined) return undefined;
      altered = isCborArray(value) ? [x, ...elems.slice(1)] : x;
      break;
    }
    case 'pattern-mismatch': {
      const x = retyped(first, record[0] as string);
      if (x === undefined) return undefined;
      altered = isCborArray(value) ? [x, ...elems.slice(1)] : x;
      break;
    }
  }
  const rec = record.map((f, i) => (i === field.index ? altered : f));
  return encodeCbor([issuer, verifiers, auditors, rec] as CborIn);
}
