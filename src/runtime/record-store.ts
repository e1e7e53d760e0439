// The records a node holds for the DIGEST optimizer (docs/wire.md,
// "Digests"): an index of records by digest, with the principals known to
// hold each (bounded: the oldest is forgotten), the digested items waiting
// for a record this node lacks, and the answers to peers' fetches. The codec
// (wire-codec.ts) rebuilds and opens items; this module only keeps records
// and says what is ready.

import { Buffer } from 'node:buffer';
import { recordDigest, recordsOf, type BatchSignature, type WireItem, type WireSchema } from '../wire/index.js';
import { decodeCbor, equalBytes, isCborArray } from '../wire/cbor.js';
import type { OpenedStatement, RecordAnswer, VectorClock } from './codec.js';

/** Digested items held for missing records, per link sender; past it, the sender's frames that would hold more are dropped unacked. */
export const MAX_HELD_PER_SENDER = 256;
/** Records indexed by digest; the oldest is forgotten past it (a later digest of it is fetched). */
export const MAX_INDEXED_RECORDS = 1 << 16;
/** Bytes of records in one fetch answer; the rest of the digests asked are left unanswered (asked again). */
export const MAX_FETCH_ANSWER_BYTES = 512 * 1024;

export interface DigestCounts {
  /** Items sent in digest form. */
  sent: number;
  /** Items of a DIGEST plan sent in full: the verifier was not known to hold a record. */
  full: number;
  /** Digested items received and rebuilt at once from records at hand. */
  rebuilt: number;
  /** Digested items held for a missing record (each time one was held). */
  held: number;
  /** Held items completed later (by a fetch answer or a record arriving otherwise). */
  resolved: number;
  /** Frames dropped unacked because their sender's held items were at MAX_HELD_PER_SENDER. */
  heldFull: number;
  /** Digests this node asked peers for (each time asked, counted by the runtime's fetcher). */
  asked: number;
  /** Records received by fetch and accepted (digest checked). */
  fetched: number;
  /** Fetched records whose bytes do not have the digest asked for: refused (a Byzantine or broken peer). */
  bad: number;
  /** Fetched records nobody here waits for (already had, or never asked): ignored. */
  late: number;
  /** Records this node served to peers that asked. */
  served: number;
  /** Digests peers asked for that this node does not hold (answered as unknown). */
  unknown: number;
}

/** A digested item waiting for records, with what its frame carried for opening it. */
export interface Held {
  readonly item: WireItem;
  readonly from: string;
  readonly sigs: readonly BatchSignature[];
  readonly vc?: VectorClock;
  readonly missing: readonly string[];
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class RecordStore {
  /** Records this node holds, by hex digest, with the principals known to hold them too. */
  private readonly records = new Map<string, { readonly bytes: Uint8Array; readonly holders: Set<string> }>();
  /** Digested items waiting for records, oldest first. */
  private held: Held[] = [];
  /** Hex digests some held item waits for. */
  private readonly wanted = new Set<string>();

  constructor(
    private readonly me: string,
    private readonly schema: WireSchema,
    private readonly counts: DigestCounts,
  ) {}

  /** Records indexed by digest now (only where a DIGEST rule may ask for one). */
  get indexedRecords(): number {
    return this.records.size;
  }

  /** Digested items held now. */
  get heldItems(): number {
    return this.held.length;
  }

  has(hexDigest: string): boolean {
    return this.records.has(hexDigest);
  }

  /** Whether `principal` is known to hold the record with this hex digest. */
  heldBy(hexDigest: string, principal: string): boolean {
    return this.records.get(hexDigest)?.holders.has(principal) === true;
  }

  lookup = (digest: Uint8Array): Uint8Array | undefined => this.records.get(hex(digest))?.bytes;

  stillMissing(digest: Uint8Array): boolean {
    const h = hex(digest);
    return this.wanted.has(h) && !this.records.has(h);
  }

  /** Indexes the records of a statement this node knows: its own record, held by its issuer and verifiers; the records its fields hold, by its issuer and this node. */
  learnRecords(bytes: Uint8Array, s: OpenedStatement): void {
    const r = recordsOf(this.schema, bytes);
    if (r === undefined) return;
    this.remember(r.own.digest, r.own.bytes, [s.issuer, ...s.verifiers]);
    for (const f of r.fields) if (f !== undefined) this.remember(f.digest, f.bytes, [s.issuer, this.me]);
  }

  private remember(digest: Uint8Array, bytes: Uint8Array, holders: readonly string[]): void {
    const h = hex(digest);
    const known = this.records.get(h);
    this.records.delete(h);
    const entry = known ?? { bytes, holders: new Set<string>() };
    for (const p of holders) entry.holders.add(p);
    this.records.set(h, entry);
    if (this.records.size > MAX_INDEXED_RECORDS) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }

  /** Whether `item` from `from` is held already (a retransmission of an unacked frame). */
  isHeld(from: string, item: WireItem): boolean {
    return this.held.some((x) => x.from === from && equalBytes(x.item.stmt, item.stmt));
  }

  heldFrom(from: string): number {
    return this.held.filter((h) => h.from === from).length;
  }

  /** Holds an item; the hex digests among `missing` nobody asked for yet (the runtime fetches them). */
  hold(h: Held): string[] {
    this.held.push(h);
    this.counts.held++;
    const ask: string[] = [];
    for (const m of h.missing) {
      if (this.wanted.has(m)) continue;
      this.wanted.add(m);
      ask.push(m);
    }
    return ask;
  }

  /** Held items whose records are all here now, taken out (the codec opens them). */
  takeReady(): Held[] {
    const ready = this.held.filter((h) => h.missing.every((m) => this.records.has(m)));
    if (ready.length > 0) this.held = this.held.filter((h) => !ready.includes(h));
    return ready;
  }

  /** Puts back an item that turned out to miss another record. */
  putBack(h: Held): void {
    this.held.push(h);
  }

  /** Forgets wanted digests no held item needs any more. */
  settleWanted(): void {
    const needed = new Set(this.held.flatMap((h) => h.missing.filter((m) => !this.records.has(m))));
    for (const w of [...this.wanted]) if (!needed.has(w)) this.wanted.delete(w);
  }

  /** A peer asks for records: those held, the rest named unknown (records past the answer's byte budget are left out; the peer asks again). */
  answer(digests: readonly Uint8Array[]): { records: RecordAnswer[]; unknown: Uint8Array[] } {
    const records: RecordAnswer[] = [];
    const unknown: Uint8Array[] = [];
    let bytes = 0;
    for (const d of digests) {
      const r = this.records.get(hex(d));
      if (r === undefined) {
        this.counts.unknown++;
        unknown.push(d);
        continue;
      }
      if (bytes + r.bytes.length > MAX_FETCH_ANSWER_BYTES) continue;
      bytes += r.bytes.length;
      this.counts.served++;
      records.push({ digest: d, record: r.bytes });
    }
    return { records, unknown };
  }

  /** Records a peer sent back: each accepted only for a digest waited for and only when its bytes have that digest. */
  take(from: string, answers: readonly RecordAnswer[]): void {
    for (const r of answers) {
      const h = hex(r.digest);
      if (!this.wanted.has(h) || this.records.has(h)) {
        this.counts.late++;
        continue;
      }
      const c = decodeCbor(r.record);
      if (!equalBytes(recordDigest(r.record), r.digest) || !c.ok || !isCborArray(c.value)) {
        this.counts.bad++;
        continue;
      }
      this.counts.fetched++;
      this.remember(r.digest, r.record, [from, this.me]);
    }
  }
}
