// The runtime's FrameCodec made of the wire stage: statements sealed for each
// verifier with the mechanism the deployment prescribes, frames in the
// canonical encoding, and every received frame opened (decoded, addressed,
// authenticated) before a node sees a statement of it.
//
// The countersignature exchange lives here too, on both sides. An issuer's
// statement whose mechanism toward some verifier is TTP(t) is prepared with a
// hole for t's countersignature: the runtime asks t (a countersign-request
// frame, each item authenticated over the issuer's channel with t), and the
// reply's countersignatures are checked against the statement's own bytes
// before they fill the hole. A TTP's codec answers requests with its
// Countersigner: only for the authenticated requester's own statements, and
// only those the deployment routes through it.
//
// The DIGEST optimizer lives here too (docs/wire.md, "Digests"). Sending: a
// statement whose plan has DIGEST goes to a verifier in digest form (each
// field holding a record replaced by the record's digest) when this node has
// evidence that the verifier holds the record — it is the issuer or a
// verifier of a statement this node knows that carries it; otherwise in full.
// Receiving: a digested item is rebuilt from the records this node holds
// (those of the statements it knows, and of the other items of the same
// frame) and opened like any other; one whose records are missing is held
// (per link sender, the peer its session proved, at most [Limits]
// MaxHeldPerPeer; past that the whole frame is left unacked, which slows
// that peer down: its retransmission brings the frame back later) and
// the runtime fetches the records. A fetched record is used only when its
// digest is the one asked for.

import { peekFrame, type PeekedFrame } from '../wire/peek.js';
import { Buffer } from 'node:buffer';
import type { Deployment } from '../deploy/deployment.js';
import type { KeyRing } from '../keys/keyring.js';
import {
  MAX_BATCH_DIGESTS, runContexts, type AuthContexts, MAX_FETCH_DIGESTS, ackFrame, countersignReplyFrame, countersignRequestFrame, dataFrame, dataFrameOf, decodeFrame, digestForm, encodeFrame,
  expandDigestForm, fetchedFrame, fetchFrame, macTag, namesOf, recordsOf, signStatement, statementDigest, transferable, ttpSign, Countersigner, Opener, Sealer, WireStats,
  type Authenticator, type BatchSignature, type CarriedOpened, type DataFrame, type EncodedStatement, type FetchedFrame, type FetchFrame, type Frame, type ItemToFrame, type OpenResult, type WireItem, type WireSchema,
} from '../wire/index.js';
import { statementKey } from '../semantics/value.js';
import { alteredCarrier, type CarrierAttack } from './carrier-attacks.js';
import { hex, MAX_HELD_PER_SENDER, RecordStore, type DigestCounts } from './record-store.js';
import type { Attestation, CountersignAnswer, FetchWant, FrameCodec, Message, Opened, OpenedStatement, Outgoing, RecordAnswer, RelayRequest, Resolved, VectorClock } from './codec.js';

export interface CountersignCounts {
  /** Statements this node asked a TTP to countersign (each time it asked). */
  asked: number;
  /** Countersignatures obtained and checked. */
  obtained: number;
  /** Replies whose countersignature did not verify with the TTP's key (kept waiting for a good one). */
  bad: number;
  /** Countersignatures for nothing this node waits for (a duplicate, or an answer to a request asked again). */
  late: number;
}

export interface WireCodecStats {
  /** Statements that could not be sealed (no mechanism, no key, a frame too large), by reason. */
  readonly unsealed: Record<string, number>;
  /** The countersignature exchange, from the issuer's side. */
  readonly countersign: CountersignCounts;
  /** The DIGEST optimizer, both sides. */
  readonly digest: DigestCounts;
}

/** A statement of this node, encoded once; the countersignatures it has obtained, by TTP. */
class Prepared implements Outgoing {
  readonly countersignatures = new Map<string, Uint8Array>();
  private readonly ttps = new Map<string, string | undefined>();

  constructor(
    readonly statement: OpenedStatement,
    readonly encoded: EncodedStatement,
    private readonly sealer: Sealer,
  ) {}

  /** The digest form and the digests of the records it replaces (null: none to replace); computed once. */
  digestForm?: { readonly form: Uint8Array; readonly digests: readonly string[] } | null;

  /** The TTP whose countersignature the mechanism toward `verifier` needs, if any. */
  ttpFor(verifier: string): string | undefined {
    if (!this.ttps.has(verifier)) {
      const m = this.sealer.mechanism(this.statement, verifier);
      this.ttps.set(verifier, m?.kind === 'TTP' ? m.principal : undefined);
    }
    return this.ttps.get(verifier);
  }

  waitsFor(verifier: string): string | undefined {
    const t = this.ttpFor(verifier);
    return t !== undefined && !this.countersignatures.has(t) ? t : undefined;
  }

  missing(): readonly string[] {
    const out = new Set<string>();
    for (const v of this.statement.verifiers) {
      if (v === this.statement.issuer) continue;
      const t = this.waitsFor(v);
      if (t !== undefined) out.add(t);
    }
    return [...out];
  }
}

/** Another issuer's statement this node passes on as it arrived: the issuer's authenticator, untouched. */
class Relayed implements Outgoing {
  constructor(
    readonly statement: OpenedStatement,
    readonly item: ItemToFrame,
  ) {}

  waitsFor(): undefined {
    return undefined;
  }

  missing(): readonly string[] {
    return [];
  }
}


/** A digested item with its full statement bytes back in place (what the authenticator covers). */
function rebuilt(item: WireItem, stmt: Uint8Array): WireItem {
  return { stmt, auth: item.auth, ...(item.relay === undefined ? {} : { relay: item.relay }), ...(item.carried === undefined ? {} : { carried: item.carried }) };
}

/** A statement's identity: the abstract statement (semantics' pool key), never its authenticator's bytes. */
function keyOfStatement(s: OpenedStatement): string {
  return statementKey(s.issuer, s.verifiers, s.auditors, s.record);
}

/** A relayed carrier's carried authenticators, as they came, with the batch signatures they name in their frame. */
function relayedCarried(item: WireItem, sigs: readonly BatchSignature[]): { carried?: readonly Authenticator[]; carriedBatches?: readonly (BatchSignature | undefined)[] } {
  if (item.carried === undefined) return {};
  return { carried: item.carried, carriedBatches: item.carried.map((a) => (a.kind === 'SIGBATCH' ? sigs[a.batch] : undefined)) };
}

/** An authenticator kept to carry a statement on, with the batch signature a SIGBATCH one names. */
interface KeptAuth {
  readonly auth: Authenticator;
  readonly batch?: BatchSignature;
}

export class WireCodec implements FrameCodec {
  readonly wire = new WireStats();
  readonly local: WireCodecStats = {
    unsealed: {}, countersign: { asked: 0, obtained: 0, bad: 0, late: 0 },
    digest: { sent: 0, full: 0, rebuilt: 0, held: 0, resolved: 0, heldFull: 0, asked: 0, fetched: 0, bad: 0, late: 0, served: 0, unknown: 0 },
  };
  private readonly store: RecordStore;
  private readonly sealer: Sealer;
  private readonly opener: Opener;
  private readonly countersigner: Countersigner;
  /** Is this node a trusted third party (a node of the deployment that is no program principal)? */
  readonly isThirdParty: boolean;
  /** Statements asked for, by TTP and digest: the answer fills their countersignature. */
  private readonly awaiting = new Map<string, Set<Prepared>>();

  /** The run's authenticator contexts: every statement authenticator binds the run identity when there is one. */
  private readonly contexts: AuthContexts;

  constructor(
    private readonly ring: KeyRing,
    private readonly deployment: Deployment,
    schema: WireSchema,
    /** The run identity's bytes (runtime/run-id.ts); without one (a one-process simulation) authenticators are unbound. */
    run?: Uint8Array,
  ) {
    this.contexts = runContexts(run);
    this.sealer = new Sealer(ring, deployment, schema, this.wire, this.contexts);
    this.opener = new Opener(ring, deployment, schema, this.wire, this.contexts);
    this.countersigner = new Countersigner(ring, deployment, schema, this.wire, this.contexts);
    this.isThirdParty = !schema.principals.has(ring.principal);
    this.schema = schema;
    this.store = new RecordStore(ring.principal, schema, this.local.digest);
    // Indexing every record costs a hash per nested record: only worth it
    // where someone may send a digest of one (the deployment has a DIGEST
    // rule). Without one, a digested item (a Byzantine peer's) finds no
    // record here and is held and fetched like any other.
    this.maxHeldPerPeer = deployment.limits?.maxHeldPerPeer ?? MAX_HELD_PER_SENDER;
    this.indexRecords = deployment.dissemination.some((r) => r.optimizers.some((o) => o.name === 'DIGEST'));
  }

  private readonly indexRecords: boolean;

  /** Digested items held per link sender (the peer its session proved): [Limits] MaxHeldPerPeer. */
  private readonly maxHeldPerPeer: number;

  private readonly schema: WireSchema;

  get me(): string {
    return this.ring.principal;
  }

  /**
   * Authenticators of statements some certificate field may carry, by the
   * abstract statement: those this node received or checked inside a carrier
   * (when they convince a third party), and TTP countersignatures of its own.
   * Its own signed statements are signed again when carried (the signature is
   * cached per statement). Only programs with certificate fields keep any.
   */
  private readonly kept = new Map<string, KeptAuth>();

  knownBy(knows: (s: OpenedStatement) => boolean): void {
    this.opener.setKnown(knows);
  }

  private keep(s: OpenedStatement, auth: Authenticator, batch: BatchSignature | undefined): void {
    if (!this.schema.carriable.has(s.record.type)) return;
    if (auth.kind === 'SIGBATCH' ? batch === undefined : !transferable(auth.kind)) return;
    this.kept.set(keyOfStatement(s), { auth, ...(batch === undefined ? {} : { batch }) });
  }

  /**
   * The authenticators of what `e` carries, for `to`, in the item's order; or
   * the first carried statement this node holds none for (counted as
   * unsealed: a correct node carries only what it can show, MOM506, so this
   * is a statement known without an authenticator that convinces `to`).
   */
  private carriedAuths(e: EncodedStatement, to: string, countersignatures?: ReadonlyMap<string, Uint8Array>): { auths: Authenticator[]; batches: (BatchSignature | undefined)[] } | undefined {
    const auths: Authenticator[] = [];
    const batches: (BatchSignature | undefined)[] = [];
    for (const c of e.carried ?? []) {
      const kept = this.kept.get(keyOfStatement(c.statement));
      const ttp = kept === undefined ? this.sealer.mechanism(c.statement, to) : undefined;
      const own = kept === undefined ? this.sealer.carriedAuth(c, to, ttp?.kind === 'TTP' ? countersignatures?.get(ttp.principal) : undefined) : undefined;
      const auth = kept?.auth ?? own;
      if (auth === undefined) return undefined;
      auths.push(auth);
      batches.push(kept?.batch);
    }
    return { auths, batches };
  }

  prepare(s: OpenedStatement): Outgoing | undefined {
    const e = this.sealer.encode(s);
    if (!e.ok) {
      this.unsealed('invalid-statement');
      return undefined;
    }
    if (this.indexRecords) this.store.learnRecords(e.encoded.bytes, s);
    return new Prepared(s, e.encoded, this.sealer);
  }

  stillMissing(digest: Uint8Array): boolean {
    return this.store.stillMissing(digest);
  }

  /** The runtime's fetcher asked a peer for `n` digests. */
  asked(n: number): void {
    this.local.digest.asked += n;
  }

  /** Digested items held now. */
  get heldItems(): number {
    return this.store.heldItems;
  }

  /** What the codec holds now, for the forget bench: records indexed by digest, held digested items, authenticators kept to carry statements on, statements awaiting a countersignature. */
  get retained(): { readonly records: number; readonly held: number; readonly kept: number; readonly awaiting: number } {
    let awaiting = 0;
    for (const a of this.awaiting.values()) awaiting += a.size;
    return { records: this.store.indexedRecords, held: this.store.heldItems, kept: this.kept.size, awaiting };
  }

  frame(to: string, seq: number, m: Message): Uint8Array {
    switch (m.kind) {
      case 'data':
        return this.encode(dataFrameOf(this.me, to, seq, this.digestAll(this.sealAll(m.statements, to, m.relays, m.batched), m.statements, to, m.digested), m.vc));
      case 'fetch':
        return this.encode(fetchFrame(this.me, to, seq, m.digests));
      case 'fetched':
        return this.encode(fetchedFrame(this.me, to, seq, m.records, m.unknown));
      case 'countersign-request':
        return this.encode(countersignRequestFrame(this.me, to, seq, this.requests(m.statements, to)));
      case 'countersign-reply':
        return this.encode(countersignReplyFrame(this.me, to, seq, m.answers));
    }
  }

  ack(to: string, seq: number): Uint8Array {
    return this.encode(ackFrame(this.me, to, seq));
  }

  /**
   * A data frame of this node's `statements`, prepared and sealed for `to` in
   * one go (for tests and tools; a statement that needs a countersignature
   * it does not have is left out and counted as unsealed).
   */
  data(to: string, seq: number, statements: readonly OpenedStatement[], vc?: VectorClock): Uint8Array {
    const outs = statements.flatMap((s) => this.prepare(s) ?? []);
    return this.frame(to, seq, vc === undefined ? { kind: 'data', statements: outs } : { kind: 'data', statements: outs, vc });
  }

  peek(bytes: Uint8Array): PeekedFrame | undefined {
    return peekFrame(bytes);
  }

  open(from: string, bytes: Uint8Array): Opened {
    const d = decodeFrame(bytes, { me: this.me, sender: from, stats: this.wire });
    if (!d.ok) return { kind: 'drop', reason: d.reason };
    const f = d.frame;
    switch (f.kind) {
      case 'ack':
        return { kind: 'ack', seq: f.seq };
      case 'hello':
        return { kind: 'hello' };
      case 'data':
        return this.openData(f);
      case 'fetch':
        return this.answerFetch(f);
      case 'fetched':
        return this.takeFetched(f);
      case 'countersign-request': {
        // Only a third party countersigns; a principal asked to is being probed.
        if (!this.isThirdParty) return { kind: 'drop', reason: 'not-a-ttp' };
        const answers: CountersignAnswer[] = [];
        const attestations: Attestation[] = [];
        for (const item of f.items) {
          const r = this.countersigner.answer(item, f.from);
          const statement = r.statement === undefined ? {} : { statement: r.statement };
          if (r.ok) {
            answers.push({ digest: statementDigest(item.stmt), sig: r.sig });
            attestations.push({ requester: f.from, ...statement });
          } else {
            attestations.push({ requester: f.from, ...statement, refused: { reason: r.error.code, detail: r.error.detail } });
          }
        }
        return { kind: 'countersign-request', seq: f.seq, answers, attestations };
      }
      case 'countersign-reply': {
        const countersigned: Prepared[] = [];
        for (const c of f.sigs) {
          const key = `${f.from}\0${hex(c.digest)}`;
          const waiting = this.awaiting.get(key);
          if (waiting === undefined) {
            this.local.countersign.late++;
            continue;
          }
          const first = waiting.values().next().value!;
          // The countersignature must be the TTP's, on these very bytes; a bad one leaves the statements waiting.
          if (!this.sealer.countersignatureFits(first.encoded, f.from, c.sig)) {
            this.local.countersign.bad++;
            continue;
          }
          this.awaiting.delete(key);
          for (const p of waiting) {
            p.countersignatures.set(f.from, c.sig);
            this.keep(p.statement, { kind: 'TTP', ttp: f.from, sig: c.sig }, undefined);
            countersigned.push(p);
            this.local.countersign.obtained++;
          }
        }
        return { kind: 'countersign-reply', seq: f.seq, countersigned };
      }
    }
  }

  /**
   * Opens a data frame's items. Digested items are rebuilt from the records
   * at hand (this node's index, and the other items of the frame); those
   * still missing a record are held, unless their sender's held items are at
   * the cap: then the frame is dropped unacked (the sender sends it again).
   */
  private openData(f: DataFrame): Opened {
    const local = new Map<string, Uint8Array>();
    const anyDigested = f.items.some((item) => item.digested === true);
    for (const item of f.items) {
      if (!anyDigested) break;
      if (item.digested === true) continue;
      const r = recordsOf(this.schema, item.stmt);
      if (r === undefined) continue;
      local.set(hex(r.own.digest), r.own.bytes);
      for (const x of r.fields) if (x !== undefined) local.set(hex(x.digest), x.bytes);
    }
    const lookup = (d: Uint8Array): Uint8Array | undefined => this.store.lookup(d) ?? local.get(hex(d));
    const full: (WireItem | undefined)[] = [];
    const hold: { item: WireItem; missing: readonly string[] }[] = [];
    for (const item of f.items) {
      if (item.digested !== true) {
        full.push(item);
        continue;
      }
      const x = expandDigestForm(this.schema, item.stmt, lookup);
      if (x.ok) {
        this.local.digest.rebuilt++;
        full.push(rebuilt(item, x.stmt));
      } else {
        full.push(undefined);
        if ('missing' in x) hold.push({ item, missing: x.missing.map(hex) });
        else this.wire.itemDropped('malformed');
      }
    }
    const fresh = hold.filter((h) => !this.store.isHeld(f.from, h.item));
    if (fresh.length > 0 && this.store.heldFrom(f.from) + fresh.length > this.maxHeldPerPeer) {
      this.local.digest.heldFull++;
      return { kind: 'drop', reason: 'held-full' };
    }
    const statements: OpenedStatement[] = [];
    const relays: RelayRequest[] = [];
    full.forEach((item) => {
      if (item === undefined) return;
      const s = this.accept(this.opener.open(item, f.from, f.sigs), item, relays, f.sigs);
      if (s !== undefined) statements.push(s);
    });
    const fetch: FetchWant[] = [];
    for (const h of hold) {
      // The same item again (a retransmission of an unacked frame) is held once.
      if (this.store.isHeld(f.from, h.item)) continue;
      const ask = this.store.hold({ item: h.item, from: f.from, sigs: f.sigs ?? [], ...(f.vc === undefined ? {} : { vc: f.vc }), missing: h.missing });
      const candidates = [...new Set([f.from, ...namesOf(h.item.stmt)])].filter((p) => p !== this.me);
      for (const m of ask) fetch.push({ digest: Uint8Array.from(Buffer.from(m, 'hex')), candidates });
    }
    const resolved = this.resolveHeld(relays);
    return {
      kind: 'data', seq: f.seq, statements, ...(f.vc === undefined ? {} : { vc: f.vc }), ...(relays.length === 0 ? {} : { relays }),
      ...(resolved.length === 0 ? {} : { resolved }), ...(fetch.length === 0 ? {} : { fetch }), ...(hold.length === 0 ? {} : { held: hold.length }),
    };
  }

  /** An opened item: its statement (its records indexed), and its relay request when it asks for one; undefined when it did not open. */
  private accept(r: OpenResult, item: WireItem, relays: RelayRequest[], sigs: readonly BatchSignature[] = []): OpenedStatement | undefined {
    if (!r.ok) return undefined;
    const s = r.opened.statement;
    if (this.indexRecords) this.store.learnRecords(r.opened.bytes, s);
    this.keep(s, r.opened.auth, r.opened.batch);
    for (const c of r.opened.carried ?? []) this.keep(c.statement, c.auth, c.batch);
    const asked = item.relay;
    if (asked !== undefined) {
      // Only to the statement's own verifiers: the list is not authenticated.
      const to = [...new Set(asked)].filter((v) => v !== this.me && v !== s.issuer && s.verifiers.includes(v));
      const batch = r.opened.batch;
      // Passed on in full: the next verifier may not hold the records.
      if (to.length > 0) relays.push({ out: new Relayed(s, { stmt: item.stmt, auth: item.auth, ...(batch === undefined ? {} : { batch }), ...relayedCarried(item, sigs) }), to });
    }
    return s;
  }

  /** Held items whose records are all here now, opened (those that fail are dropped and counted like any item). */
  private resolveHeld(relays: RelayRequest[]): Resolved[] {
    const out: Resolved[] = [];
    // A resolved item's records may complete another held item.
    for (let ready = this.store.takeReady(); ready.length > 0; ready = this.store.takeReady()) {
      let progress = false;
      for (const h of ready) {
        const x = expandDigestForm(this.schema, h.item.stmt, this.store.lookup);
        if (!x.ok) {
          if ('missing' in x) this.store.putBack({ ...h, missing: x.missing.map(hex) });
          else this.wire.itemDropped('malformed');
          continue;
        }
        progress = true;
        this.local.digest.resolved++;
        const item = rebuilt(h.item, x.stmt);
        const s = this.accept(this.opener.open(item, h.from, h.sigs), item, relays, h.sigs);
        if (s !== undefined) out.push({ from: h.from, statements: [s], ...(h.vc === undefined ? {} : { vc: h.vc }) });
      }
      if (!progress) break;
    }
    this.store.settleWanted();
    return out;
  }

  /** A peer asks for records: those held, the rest named unknown. */
  private answerFetch(f: FetchFrame): Opened {
    const { records, unknown } = this.store.answer(f.digests);
    return { kind: 'fetch', seq: f.seq, records, unknown };
  }

  /** Records a peer sent back (the store checks each digest); then what they complete. */
  private takeFetched(f: FetchedFrame): Opened {
    this.store.take(f.from, f.records);
    const relays: RelayRequest[] = [];
    const resolved = this.resolveHeld(relays);
    return { kind: 'data', seq: f.seq, statements: [], ...(relays.length === 0 ? {} : { relays }), ...(resolved.length === 0 ? {} : { resolved }) };
  }

  /**
   * Items of this node's own statements whose plan has DIGEST, put in digest
   * form toward `to` when `to` is known to hold every record replaced.
   */
  private digestAll(items: ItemToFrame[], statements: readonly Outgoing[], to: string, digested?: readonly boolean[]): ItemToFrame[] {
    if (digested === undefined) return items;
    // sealAll keeps the statements' order and leaves out only those it could not seal.
    const byStmt = new Map<Uint8Array, number>();
    statements.forEach((o, i) => {
      if (digested[i] === true && o instanceof Prepared) byStmt.set(o.encoded.bytes, i);
    });
    return items.map((item) => {
      const i = byStmt.get(item.stmt);
      if (i === undefined) return item;
      const o = statements[i] as Prepared;
      if (o.digestForm === undefined) {
        const form = digestForm(this.schema, o.encoded.bytes);
        const r = recordsOf(this.schema, o.encoded.bytes);
        o.digestForm = form === undefined || r === undefined ? null : { form, digests: r.fields.flatMap((x) => (x === undefined ? [] : [hex(x.digest)])) };
      }
      const df = o.digestForm;
      if (df === null) return item;
      if (!df.digests.every((d) => this.store.heldBy(d, to))) {
        this.local.digest.full++;
        return item;
      }
      this.local.digest.sent++;
      return { ...item, stmt: df.form, digested: true };
    });
  }

  /**
   * What a Byzantine node does to claim another issuer's statement: seal it
   * with its own keys under the mechanism the deployment prescribes for the
   * victim (for TTP(t): a "countersignature" of its own making that names t).
   * Receivers must refuse it; the simulation's attacker uses this.
   */
  forge(to: string, seq: number, s: OpenedStatement): Uint8Array {
    const e = this.sealer.encode(s);
    if (!e.ok) return new Uint8Array();
    const bytes = e.encoded.bytes;
    const mech = this.deployment.mechanismFor(s.issuer, to, s.auditors);
    let auth: Authenticator;
    if (mech?.kind === 'ED25519' || mech?.kind === 'RSA') {
      const key = this.ring.signingKey(mech.kind);
      const sig = key === undefined ? undefined : signStatement(mech.kind, key, bytes, undefined, this.contexts.statement);
      auth = sig === undefined ? { kind: 'PLAINTEXT' } : { kind: mech.kind, sig };
    } else if (mech?.kind === 'HMAC') {
      const key = this.ring.hmacKey(to);
      auth = key === undefined ? { kind: 'PLAINTEXT' } : { kind: 'HMAC', tags: [{ to, tag: macTag(key, bytes, undefined, this.contexts.statement) }] };
    } else if (mech?.kind === 'TTP') {
      const key = this.ring.signingKey('ED25519');
      const sig = key === undefined ? undefined : ttpSign(key, bytes, undefined, this.contexts.ttp);
      auth = sig === undefined ? { kind: 'PLAINTEXT' } : { kind: 'TTP', ttp: mech.principal, sig };
    } else {
      auth = { kind: 'PLAINTEXT' };
    }
    return this.encode(dataFrame(this.me, to, seq, [{ stmt: bytes, auth }]));
  }

  /**
   * One of this node's own carriers `out`, altered so that `to` must refuse
   * it for the reason `attack` names: a carried authenticator forged (a bit of
   * its signature flipped) or one `to` cannot audit (a MAC this node makes
   * with its key for `to`), or the carrier's bytes altered (carried-attacks.ts)
   * and sealed again under its own authenticator. Undefined when `out`
   * carries nothing this attack can use. (The simulation's attacker.)
   */
  attackCarrier(to: string, seq: number, out: Outgoing, attack: CarrierAttack): Uint8Array | undefined {
    if (!(out instanceof Prepared) || out.encoded.carried === undefined) return undefined;
    const item = this.sealAll([out], to)[0];
    if (item?.carried === undefined || item.carried.length === 0) return undefined;
    let altered: ItemToFrame;
    switch (attack) {
      case 'forged': {
        const a = item.carried[0]!;
        const batch = item.carriedBatches?.[0];
        const sig = a.kind === 'SIGBATCH' ? batch?.sig : 'sig' in a ? a.sig : undefined;
        const kind = a.kind === 'SIGBATCH' ? batch?.alg : a.kind;
        if (sig === undefined || kind === undefined || kind === 'PLAINTEXT' || kind === 'HMAC') return undefined;
        const flipped = sig.slice();
        flipped[0] = flipped[0]! ^ 1;
        const forged: Authenticator = kind === 'TTP' && a.kind === 'TTP' ? { ...a, sig: flipped } : { kind: kind === 'TTP' ? 'ED25519' : kind, sig: flipped };
        altered = { ...item, carried: [forged, ...item.carried.slice(1)], ...(item.carriedBatches === undefined ? {} : { carriedBatches: [undefined, ...item.carriedBatches.slice(1)] }) };
        break;
      }
      case 'not-auditable': {
        const key = this.ring.hmacKey(to);
        const c = out.encoded.carried[0]!;
        if (key === undefined) return undefined;
        const mac: Authenticator = { kind: 'HMAC', tags: [{ to, tag: macTag(key, c.bytes, undefined, this.contexts.statement) }] };
        altered = { ...item, carried: [mac, ...item.carried.slice(1)], ...(item.carriedBatches === undefined ? {} : { carriedBatches: [undefined, ...item.carriedBatches.slice(1)] }) };
        break;
      }
      default: {
        const bytes = alteredCarrier(this.schema, out.encoded.bytes, attack);
        const ttp = out.ttpFor(to);
        const sealed = bytes === undefined ? undefined : this.sealer.seal({ statement: out.encoded.statement, bytes }, to, ttp === undefined ? undefined : out.countersignatures.get(ttp));
        if (sealed === undefined || !sealed.ok) return undefined;
        altered = { ...sealed.item, carried: item.carried, ...(item.carriedBatches === undefined ? {} : { carriedBatches: item.carriedBatches }) };
      }
    }
    return this.encode(dataFrameOf(this.me, to, seq, [altered]));
  }

  /**
   * A countersign request to the TTP `to` for another issuer's statement,
   * authenticated with this node's own channel to `to`: the TTP must see that
   * the requester is not the issuer and refuse. (The simulation's attacker.)
   */
  forgeRequest(to: string, seq: number, s: OpenedStatement): Uint8Array {
    const e = this.sealer.encode(s);
    if (!e.ok) return new Uint8Array();
    const bytes = e.encoded.bytes;
    const mech = this.deployment.mechanismFor(this.me, to, []);
    let auth: Authenticator = { kind: 'PLAINTEXT' };
    if (mech?.kind === 'HMAC') {
      const key = this.ring.hmacKey(to);
      if (key !== undefined) auth = { kind: 'HMAC', tags: [{ to, tag: macTag(key, bytes, undefined, this.contexts.countersignRequest) }] };
    } else if (mech?.kind === 'ED25519' || mech?.kind === 'RSA') {
      const key = this.ring.signingKey(mech.kind);
      const sig = key === undefined ? undefined : signStatement(mech.kind, key, bytes, undefined, this.contexts.countersignRequest);
      if (sig !== undefined) auth = { kind: mech.kind, sig };
    }
    return this.encode(countersignRequestFrame(this.me, to, seq, [{ stmt: bytes, auth }]));
  }

  /**
   * The items of a data frame to `to`. This node's own statements that its
   * plan batches and that `to` gets under the same signature algorithm share
   * one batch signature when there are two or more of them: the receiver
   * checks one signature for the frame, and a relay passes each on with the
   * signed digest list.
   */
  private sealAll(statements: readonly Outgoing[], to: string, relays?: readonly (readonly string[] | undefined)[], batched?: readonly boolean[]): ItemToFrame[] {
    const items: (ItemToFrame | undefined)[] = new Array<ItemToFrame | undefined>(statements.length).fill(undefined);
    const relayTo = (o: Prepared, i: number): readonly string[] | undefined => {
      const relay = relays?.[i];
      if (relay === undefined) return [];
      const t = this.sealer.relayTargets(o.encoded, to, relay);
      return Array.isArray(t) ? (t as readonly string[]) : undefined;
    };
    const signed = new Map<'ED25519' | 'RSA', number[]>();
    statements.forEach((o, i) => {
      // A statement that cannot be relayed as asked is sealed alone below (and counted).
      if (!(o instanceof Prepared) || batched?.[i] !== true || relayTo(o, i) === undefined) return;
      const m = this.sealer.mechanism(o.statement, to);
      if (m?.kind === 'ED25519' || m?.kind === 'RSA') signed.set(m.kind, [...(signed.get(m.kind) ?? []), i]);
    });
    for (const [alg, at] of signed) {
      if (at.length < 2) continue;
      for (let k = 0; k < at.length; k += MAX_BATCH_DIGESTS) {
        const part = at.slice(k, k + MAX_BATCH_DIGESTS);
        const batch = this.sealer.signBatch(part.map((i) => (statements[i] as Prepared).encoded), alg);
        if (batch === undefined) continue;
        part.forEach((i, index) => {
          const o = statements[i] as Prepared;
          const targets = relayTo(o, i) ?? [];
          items[i] = { stmt: o.encoded.bytes, auth: { kind: 'SIGBATCH', batch: 0, index }, batch, ...(targets.length === 0 ? {} : { relay: targets }) };
        });
      }
    }
    statements.forEach((o, i) => {
      const item = items[i];
      if (item === undefined || !(o instanceof Prepared) || o.encoded.carried === undefined) return;
      items[i] = this.withCarried(item, o, to);
    });
    statements.forEach((o, i) => {
      if (items[i] !== undefined) return;
      if (o instanceof Relayed) {
        items[i] = o.item;
        return;
      }
      if (!(o instanceof Prepared)) {
        this.unsealed('not-prepared');
        return;
      }
      const ttp = o.ttpFor(to);
      const countersignature = ttp === undefined ? undefined : o.countersignatures.get(ttp);
      const relay = relays?.[i];
      let r = relay === undefined ? this.sealer.seal(o.encoded, to, countersignature) : this.sealer.sealRelay(o.encoded, to, relay, countersignature);
      if (!r.ok && r.error.code === 'not-relayable') {
        // The peer still gets it; the others get it when the optimizer escalates.
        this.unsealed('not-relayable');
        r = this.sealer.seal(o.encoded, to, countersignature);
      }
      if (r.ok) items[i] = o.encoded.carried === undefined ? r.item : this.withCarried(r.item, o, to);
      else this.unsealed(r.error.code);
    });
    return items.filter((x): x is ItemToFrame => x !== undefined);
  }

  /** `item` with the authenticators of what its statement carries, or undefined (counted) when this node holds one of them for no one. */
  private withCarried(item: ItemToFrame, o: Prepared, to: string): ItemToFrame | undefined {
    const c = this.carriedAuths(o.encoded, to, o.countersignatures);
    if (c === undefined) {
      this.unsealed('carried-no-authenticator');
      return undefined;
    }
    return { ...item, carried: c.auths, ...(c.batches.some((b) => b !== undefined) ? { carriedBatches: c.batches } : {}) };
  }

  /** The items asking `ttp` to countersign; each statement now awaits its answer. */
  private requests(statements: readonly Outgoing[], ttp: string): WireItem[] {
    const items: WireItem[] = [];
    for (const o of statements) {
      if (!(o instanceof Prepared)) {
        this.unsealed('not-prepared');
        continue;
      }
      const r = this.sealer.request(o.encoded, ttp);
      if (!r.ok) {
        this.unsealed(r.error.code);
        continue;
      }
      items.push(r.item);
      this.local.countersign.asked++;
      const key = `${ttp}\0${hex(statementDigest(o.encoded.bytes))}`;
      let set = this.awaiting.get(key);
      if (set === undefined) this.awaiting.set(key, (set = new Set()));
      set.add(o);
    }
    return items;
  }

  private encode(f: Frame): Uint8Array {
    const r = encodeFrame(f);
    if (!r.ok) {
      this.unsealed(`frame-${r.reason}`);
      return new Uint8Array();
    }
    return r.bytes;
  }

  private unsealed(reason: string): void {
    this.local.unsealed[reason] = (this.local.unsealed[reason] ?? 0) + 1;
  }
}
