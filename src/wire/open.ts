// The receiving side: whether an item that arrived from link sender S may
// make its statement known to this node. In order: the statement decodes and
// fits the schema; this node is one of its verifiers; the authenticator is
// the one the deployment prescribes for (issuer, this node, auditors), not a
// weaker nor any other one; and it verifies with the key that mechanism
// names. Every refusal is a counted reason, never an exception.

import type { Deployment, MechanismKind } from '../deploy/deployment.js';
import type { KeyRing } from '../keys/keyring.js';
import { batchSignatureValid, compareMacTags, UNBOUND_CONTEXTS, type AuthContexts, ED25519_SIG_BYTES, keyFits, MAC_BYTES, macValid, statementDigest, statementSignatureValid, ttpSignatureValid, type Authenticator, type MacTag } from './auth.js';
import { equalBytes } from './cbor.js';
import type { BatchSignature, DataFrame, WireItem } from './frame.js';
import type { WireSchema } from './schema.js';
import { prescribed } from './seal.js';
import { decodeStatement, type EncodedStatement, type StatementBody, type StatementErrorCode } from './statement.js';
import { orScratch, type ItemDropReason, type WireStats } from './stats.js';

export interface OpenedStatement {
  readonly statement: StatementBody;
  /** Its canonical bytes, as received. */
  readonly bytes: Uint8Array;
  readonly mechanism: MechanismKind;
  /** Kept so that a later relay can pass on what a third party can check. */
  readonly auth: Authenticator;
  /** The batch signature a SIGBATCH authenticator refers to (a relay passes it on with the statement). */
  readonly batch?: BatchSignature;
  /**
   * The statements it carries whose authenticators were checked here (those
   * this node already knew were not checked again and are left out), with
   * those authenticators: kept so that this node can carry them on.
   */
  readonly carried?: readonly CarriedOpened[];
}

/** A carried statement whose own authenticator this node checked. */
export interface CarriedOpened {
  readonly statement: StatementBody;
  readonly bytes: Uint8Array;
  readonly auth: Authenticator;
  readonly batch?: BatchSignature;
}

/** Mechanisms whose authenticator convinces a third party when passed on: signatures and a TTP's countersignature. */
export function transferable(kind: MechanismKind): boolean {
  return kind === 'ED25519' || kind === 'RSA' || kind === 'TTP';
}

export type OpenResult =
  | { readonly ok: true; readonly opened: OpenedStatement }
  | { readonly ok: false; readonly reason: ItemDropReason; readonly detail: string };

type Refusal = { readonly ok: false; readonly reason: ItemDropReason; readonly detail: string };

/** Statements that do not decode for a reason of what they carry are refused for that reason. */
const DECODE_REFUSAL: Partial<Record<StatementErrorCode, ItemDropReason>> = {
  'too-deep': 'carried-too-deep',
  'over-bound': 'carried-over-bound',
  'carried-mismatch': 'carried-pattern-mismatch',
};
const refuse = (reason: ItemDropReason, detail: string): Refusal => ({ ok: false, reason, detail });

export class Opener {
  readonly me: string;
  private readonly stats: WireStats;
  /** Whether this node already knows a statement (by the abstract statement, never by authenticator bytes). */
  private knows: (s: StatementBody) => boolean = () => false;

  constructor(
    private readonly ring: KeyRing,
    private readonly deployment: Deployment,
    private readonly schema: WireSchema,
    stats?: WireStats,
    /** The run's authenticator contexts: another run's authenticators fail (auth.ts runContexts). */
    private readonly contexts: AuthContexts = UNBOUND_CONTEXTS,
  ) {
    this.me = ring.principal;
    this.stats = orScratch(stats);
  }

  /**
   * Opens `item`, received from link sender `sender`: the peer the channel
   * vouches for (PLAINTEXT relies on it; every other mechanism proves the
   * issuer by itself). Counts the outcome.
   */
  open(item: WireItem, sender: string, sigs: readonly BatchSignature[] = []): OpenResult {
    const r = this.check(item, sender, sigs);
    if (r.ok) this.stats.itemAccepted();
    else this.stats.itemDropped(r.reason);
    return r;
  }

  /** How this node tells a statement it knows: a carried statement it knows is not verified again. */
  setKnown(knows: (s: StatementBody) => boolean): void {
    this.knows = knows;
  }

  /**
   * Opens every item of a data frame that decodeFrame accepted, taking the
   * frame's `from` as the link sender: pass the transport's sender to
   * decodeFrame so that the two agree.
   */
  openFrame(frame: DataFrame): OpenResult[] {
    return frame.items.map((i) => this.open(i, frame.from, frame.sigs));
  }

  private check(item: WireItem, sender: string, sigs: readonly BatchSignature[]): OpenResult {
    // Sizes, depth and the carried statements' types are judged here, before any signature.
    const d = decodeStatement(this.schema, item.stmt);
    if (!d.ok) return refuse(DECODE_REFUSAL[d.error.code] ?? 'malformed', `${d.error.code}: ${d.error.detail}`);
    const s = d.encoded.statement;
    if (!s.verifiers.includes(this.me)) return refuse('not-a-verifier', `${this.me} is not among the verifiers of ${s.issuer}'s ${s.record.type}`);
    const mech = prescribed(this.deployment, s.issuer, this.me, s.auditors);
    if (mech === undefined) return refuse('wrong-mechanism', `the deployment gives no mechanism for ${s.issuer} -> ${this.me} with auditors {${s.auditors.join(', ')}}`);
    const a = item.auth;
    if (a.kind === 'SIGBATCH') {
      const batch = sigs[a.batch];
      if (batch === undefined || a.index >= batch.digests.length) return refuse('malformed', `a batch signature reference (${a.batch}, ${a.index}) to nothing in the frame`);
      if (batch.alg !== mech.kind) return refuse('wrong-mechanism', `a ${batch.alg} batch signature where the deployment prescribes ${mech.kind === 'TTP' ? `TTP(${mech.principal})` : mech.kind}`);
      const bad = this.verifyBatch(batch, a.index, s.issuer, item.stmt);
      if (bad !== undefined) return bad;
      return this.withCarried({ statement: s, bytes: d.encoded.bytes, mechanism: mech.kind, auth: a, batch }, d.encoded, item, sender, sigs);
    }
    if (a.kind !== mech.kind || (a.kind === 'TTP' && mech.kind === 'TTP' && a.ttp !== mech.principal)) {
      return refuse('wrong-mechanism', `${a.kind} where the deployment prescribes ${mech.kind === 'TTP' ? `TTP(${mech.principal})` : mech.kind}`);
    }
    const bad = this.verify(a, s, item.stmt, sender);
    if (bad !== undefined) return bad;
    return this.withCarried({ statement: s, bytes: d.encoded.bytes, mechanism: mech.kind, auth: a }, d.encoded, item, sender, sigs);
  }

  /**
   * The carrier, once its own authenticator verified, with the statements it
   * carries: each must have an authenticator this node can audit, which
   * verifies; the first that fails refuses the whole carrier. A statement
   * this node already knows is not verified again.
   */
  private withCarried(opened: OpenedStatement, e: EncodedStatement, item: WireItem, sender: string, sigs: readonly BatchSignature[]): OpenResult {
    const carried = e.carried ?? [];
    const auths = item.carried ?? [];
    if (auths.length !== carried.length) return refuse('malformed', `${carried.length} carried statements but ${auths.length} carried authenticators`);
    if (carried.length === 0) return { ok: true, opened };
    const checked: CarriedOpened[] = [];
    for (let i = 0; i < carried.length; i++) {
      const c = carried[i]!;
      if (this.knows(c.statement)) {
        this.stats.carried.known++;
        continue;
      }
      this.stats.carried.checked++;
      const r = this.checkCarried(c, auths[i]!, sender, sigs);
      if ('ok' in r) return r;
      checked.push(r);
    }
    return { ok: true, opened: { ...opened, carried: checked } };
  }

  private checkCarried(c: EncodedStatement, a: Authenticator, sender: string, sigs: readonly BatchSignature[]): Refusal | CarriedOpened {
    const s = c.statement;
    const what = `${s.issuer}'s carried ${s.record.type}`;
    if (!s.auditors.includes(this.me) && !s.verifiers.includes(this.me)) return refuse('carried-not-auditable', `${this.me} is not among the auditors of ${what}`);
    // What the deployment gives the issuer toward this node (or, for this node's own statement, toward its verifiers).
    const toward = [this.me, ...s.verifiers].filter((v) => v !== s.issuer);
    const mech = toward.map((v) => prescribed(this.deployment, s.issuer, v, s.auditors)).find((m) => m !== undefined);
    if (mech === undefined || !transferable(mech.kind)) {
      return refuse('carried-not-auditable', `the deployment gives ${what} ${mech === undefined ? 'no mechanism' : mech.kind} toward ${this.me}: nothing a third party can check`);
    }
    const carriedRefusal = (r: Refusal): Refusal => refuse(r.reason === 'forged' ? 'carried-forged' : r.reason === 'malformed' ? 'malformed' : 'carried-not-auditable', `${what}: ${r.detail}`);
    if (a.kind === 'SIGBATCH') {
      const batch = sigs[a.batch];
      if (batch === undefined || a.index >= batch.digests.length) return refuse('malformed', `a carried batch signature reference (${a.batch}, ${a.index}) to nothing in the frame`);
      if (batch.alg !== mech.kind) return refuse('carried-not-auditable', `${what} under a ${batch.alg} batch signature where the deployment prescribes ${mech.kind}`);
      const bad = this.verifyBatch(batch, a.index, s.issuer, c.bytes);
      return bad === undefined ? { statement: s, bytes: c.bytes, auth: a, batch } : carriedRefusal(bad);
    }
    if (a.kind !== mech.kind || (a.kind === 'TTP' && mech.kind === 'TTP' && a.ttp !== mech.principal)) {
      return refuse('carried-not-auditable', `${what} authenticated by ${a.kind}, which ${this.me} cannot audit (the deployment prescribes ${mech.kind === 'TTP' ? `TTP(${mech.principal})` : mech.kind})`);
    }
    const bad = this.verify(a, s, c.bytes, sender);
    return bad === undefined ? { statement: s, bytes: c.bytes, auth: a } : carriedRefusal(bad);
  }

  private verify(a: Authenticator, s: StatementBody, bytes: Uint8Array, sender: string): Refusal | undefined {
    switch (a.kind) {
      case 'PLAINTEXT':
        return sender === s.issuer ? undefined : refuse('forged', `PLAINTEXT statement of ${s.issuer} relayed by ${sender}`);
      case 'HMAC':
        return this.verifyMac(a.tags, s.issuer, bytes);
      case 'ED25519':
      case 'RSA': {
        const key = this.ring.publicKey(s.issuer, a.kind);
        if (key === undefined || !keyFits(a.kind, key)) return refuse('no-key', `${this.me} holds no ${a.kind} public key of ${s.issuer}`);
        if (a.kind === 'ED25519' && a.sig.length !== ED25519_SIG_BYTES) return refuse('malformed', `an Ed25519 signature of ${a.sig.length} bytes`);
        const rsaBytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
        if (a.kind === 'RSA' && a.sig.length !== rsaBytes) return refuse('malformed', `an RSA signature of ${a.sig.length} bytes, expected ${rsaBytes}`);
        return statementSignatureValid(a.kind, key, bytes, a.sig, this.stats, this.contexts.statement) ? undefined : refuse('forged', `bad ${a.kind} signature for ${s.issuer}`);
      }
      case 'SIGBATCH':
        return refuse('malformed', 'a batch signature outside a frame');
      case 'TTP': {
        const key = this.ring.publicKey(a.ttp, 'ED25519');
        if (key === undefined || !keyFits('ED25519', key)) return refuse('no-key', `${this.me} holds no Ed25519 public key of ${a.ttp}`);
        if (a.sig.length !== ED25519_SIG_BYTES) return refuse('malformed', `a countersignature of ${a.sig.length} bytes`);
        return ttpSignatureValid(key, bytes, a.sig, this.stats, this.contexts.ttp) ? undefined : refuse('forged', `bad countersignature by ${a.ttp}`);
      }
    }
  }

  /** Batch signatures already checked (for the issuer of the statement that used them): a frame's statements share one check. */
  private readonly batchesChecked = new WeakMap<BatchSignature, { readonly issuer: string; readonly ok: boolean }>();

  private verifyBatch(b: BatchSignature, index: number, issuer: string, bytes: Uint8Array): Refusal | undefined {
    if (!equalBytes(statementDigest(bytes), b.digests[index]!)) return refuse('forged', `the statement is not the one ${issuer}'s batch signature lists at ${index}`);
    const key = this.ring.publicKey(issuer, b.alg);
    if (key === undefined || !keyFits(b.alg, key)) return refuse('no-key', `${this.me} holds no ${b.alg} public key of ${issuer}`);
    const known = this.batchesChecked.get(b);
    // Another issuer's statement pointing at the same entry is checked against its own key.
    const ok = known !== undefined && known.issuer === issuer ? known.ok : batchSignatureValid(b.alg, key, b.digests, b.sig, this.stats, this.contexts.batch);
    this.batchesChecked.set(b, { issuer, ok });
    return ok ? undefined : refuse('forged', `bad ${b.alg} batch signature for ${issuer}`);
  }

  private verifyMac(tags: readonly MacTag[], issuer: string, bytes: Uint8Array): Refusal | undefined {
    // The vector is canonical: verifiers in the order of their encoded names, each once.
    for (let i = 1; i < tags.length; i++) {
      if (compareMacTags(tags[i - 1]!, tags[i]!) >= 0) return refuse('malformed', 'an HMAC vector out of order or with a repeated verifier');
    }
    const mine = tags.find((t) => t.to === this.me);
    if (mine === undefined) return refuse('forged', `no HMAC tag for ${this.me}`);
    if (mine.tag.length !== MAC_BYTES) return refuse('malformed', `an HMAC tag of ${mine.tag.length} bytes`);
    // A node never MACs to itself: an HMAC "from me" came from someone else.
    if (issuer === this.me) return refuse('forged', `an HMAC statement claiming ${this.me} as issuer`);
    const key = this.ring.hmacKey(issuer);
    if (key === undefined || key.length === 0) return refuse('no-key', `${this.me} holds no HMAC key shared with ${issuer}`);
    return macValid(key, bytes, mine.tag, this.stats, this.contexts.statement) ? undefined : refuse('forged', `bad HMAC tag from ${issuer}`);
  }
}
