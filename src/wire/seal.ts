// The sending side: a node seals its own statements, one item per intended
// verifier, with the mechanism the deployment prescribes for that issuer,
// verifier and auditor set; and a TTP node countersigns what issuers ask it to.

import type { Deployment, Mechanism } from '../deploy/deployment.js';
import type { KeyRing } from '../keys/keyring.js';
import {
  compareMacTags, ED25519_SIG_BYTES, signBatch, statementDigest, keyFits, MAC_BYTES, macTag, macValid, signStatement, statementSignatureValid, ttpSign, ttpSignatureValid,
  UNBOUND_CONTEXTS,
  type AuthContexts,
  type Authenticator,
} from './auth.js';
import type { BatchSignature, WireItem } from './frame.js';
import { Buffer } from 'node:buffer';
import type { WireSchema } from './schema.js';
import { decodeStatement, encodeStatement, type EncodedStatement, type StatementBody, type StatementResult } from './statement.js';
import type { WireStats } from './stats.js';

export type SealErrorCode =
  | 'invalid-statement'
  | 'not-issuer'
  | 'not-a-verifier'
  | 'no-mechanism'
  | 'no-key'
  | 'needs-countersignature'
  | 'bad-countersignature'
  | 'not-this-ttp'
  /** A relay asked for where the authenticator cannot be passed on (PLAINTEXT, or mechanisms that differ between verifiers). */
  | 'not-relayable'
  /** A countersign request whose authenticator is not the requester's channel with the TTP. */
  | 'wrong-mechanism'
  /** A countersign request whose authenticator does not verify. */
  | 'forged';

/** Batch signatures kept for the other verifiers' frames of the same step. */
const MAX_REMEMBERED_BATCHES = 256;

export interface SealError {
  readonly code: SealErrorCode;
  readonly detail: string;
}

export type SealResult = { readonly ok: true; readonly item: WireItem } | { readonly ok: false; readonly error: SealError };

/** `deployment.mechanismFor`, which is another stage's code: a throw there is "no mechanism" here. */
export function prescribed(deployment: Deployment, issuer: string, verifier: string, auditors: readonly string[]): Mechanism | undefined {
  try {
    return deployment.mechanismFor(issuer, verifier, auditors);
  } catch {
    return undefined;
  }
}

const err = (code: SealErrorCode, detail: string): { ok: false; error: SealError } => ({ ok: false, error: { code, detail } });

export class Sealer {
  readonly me: string;
  /** Signatures by statement bytes: sealing one statement for n verifiers signs once. */
  private readonly signatures = new WeakMap<Uint8Array, Map<string, Uint8Array>>();

  constructor(
    private readonly ring: KeyRing,
    private readonly deployment: Deployment,
    private readonly schema: WireSchema,
    private readonly stats?: WireStats,
    /** The run's authenticator contexts (auth.ts runContexts). */
    private readonly contexts: AuthContexts = UNBOUND_CONTEXTS,
  ) {
    this.me = ring.principal;
  }

  /** The statement's canonical bytes, checked against the schema. Encode once, seal for each verifier. */
  encode(s: StatementBody): StatementResult {
    return encodeStatement(this.schema, s);
  }

  /** What the deployment prescribes for sending `s` to `verifier` (the runtime asks a TTP first when it says TTP). */
  mechanism(s: StatementBody, verifier: string): Mechanism | undefined {
    return prescribed(this.deployment, s.issuer, verifier, s.auditors);
  }

  /**
   * The item that carries `e` to `verifier`. Only the issuer seals (relaying
   * comes later); a TTP mechanism needs the TTP's countersignature on
   * `e.bytes`, obtained by the runtime (Countersigner below).
   */
  seal(e: EncodedStatement, verifier: string, countersignature?: Uint8Array): SealResult {
    const s = e.statement;
    if (s.issuer !== this.me) return err('not-issuer', `${this.me} cannot seal a statement issued by ${s.issuer}`);
    if (!s.verifiers.includes(verifier)) return err('not-a-verifier', `${verifier} is not among the statement's verifiers`);
    const mech = this.mechanism(s, verifier);
    if (mech === undefined) return err('no-mechanism', `the deployment gives no mechanism for ${s.issuer} -> ${verifier} with auditors {${s.auditors.join(', ')}}`);
    const auth = this.authenticate(mech, e.bytes, verifier, countersignature);
    return 'error' in auth ? { ok: false, error: auth.error } : { ok: true, item: { stmt: e.bytes, auth } };
  }

  /**
   * The item that carries `e` to `verifier` and that `verifier` can pass on,
   * unchanged, to each of `relayTo`: the mechanism toward every one of them
   * must be the same and transferable — a signature, a TTP's
   * countersignature, or HMAC as a vector with a tag per verifier (PBFT's
   * authenticators). PLAINTEXT cannot be passed on: the channel vouched for
   * it, and the next channel would vouch for the relay instead.
   */
  sealRelay(e: EncodedStatement, verifier: string, relayTo: readonly string[], countersignature?: Uint8Array): SealResult {
    const direct = this.seal(e, verifier, countersignature);
    if (!direct.ok) return direct;
    const targets = this.relayTargets(e, verifier, relayTo);
    if (!Array.isArray(targets)) return { ok: false, error: targets as SealError };
    relayTo = targets;
    if (relayTo.length === 0) return direct;
    const s = e.statement;
    const auth = direct.item.auth;
    switch (auth.kind) {
      case 'PLAINTEXT':
        return err('not-relayable', `a PLAINTEXT statement cannot be relayed: the channel, not the statement, vouches for ${s.issuer}`);
      case 'HMAC': {
        const tags = [...auth.tags];
        for (const v of relayTo) {
          if (v === verifier || tags.some((t) => t.to === v)) continue;
          const key = this.ring.hmacKey(v);
          if (key === undefined || key.length === 0) return err('no-key', `${this.me} holds no HMAC key shared with ${v}`);
          tags.push({ to: v, tag: macTag(key, e.bytes, this.stats, this.contexts.statement) });
        }
        tags.sort(compareMacTags);
        return { ok: true, item: { stmt: e.bytes, auth: { kind: 'HMAC', tags }, relay: [...relayTo] } };
      }
      default:
        return { ok: true, item: { ...direct.item, relay: [...relayTo] } };
    }
  }

  /**
   * The verifiers of `e` that `verifier` may pass it on to (the statement's
   * other verifiers among `relayTo`), or why it cannot be relayed: the
   * mechanism toward each must be the one toward `verifier`, and not PLAINTEXT.
   */
  relayTargets(e: EncodedStatement, verifier: string, relayTo: readonly string[]): readonly string[] | SealError {
    const s = e.statement;
    // Only the statement's other verifiers can be passed it (the receiver checks the same).
    const targets = [...new Set(relayTo)].filter((v) => v !== verifier && v !== s.issuer && s.verifiers.includes(v));
    if (targets.length === 0) return targets;
    const mech = this.mechanism(s, verifier);
    if (mech === undefined) return { code: 'no-mechanism', detail: `the deployment gives no mechanism for ${s.issuer} -> ${verifier}` };
    if (mech.kind === 'PLAINTEXT') return { code: 'not-relayable', detail: `a PLAINTEXT statement cannot be relayed: the channel, not the statement, vouches for ${s.issuer}` };
    for (const v of targets) {
      const m = this.mechanism(s, v);
      if (m === undefined || m.kind !== mech.kind || (m.kind === 'TTP' && mech.kind === 'TTP' && m.principal !== mech.principal)) {
        return { code: 'not-relayable', detail: `${verifier} cannot pass ${s.issuer}'s statement on to ${v}: the deployment prescribes ${m?.kind ?? 'nothing'} toward ${v} and ${mech.kind} toward ${verifier}` };
      }
    }
    return targets;
  }

  /**
   * One signature of this node over several of its own statements (their
   * digests, in order), for a frame that carries them: the receiver checks it
   * once for all of them. The same statements in the same order (the frames
   * of one step to each verifier) are signed once.
   */
  signBatch(es: readonly EncodedStatement[], alg: 'ED25519' | 'RSA'): BatchSignature | undefined {
    const digests = es.map((e) => this.digest(e));
    const memo = `${alg}:${digests.map((d) => Buffer.from(d).toString('base64')).join(',')}`;
    const known = this.batches.get(memo);
    if (known !== undefined) return known;
    const key = this.ring.signingKey(alg);
    const sig = key === undefined ? undefined : signBatch(alg, key, digests, this.stats, this.contexts.batch);
    if (sig === undefined) return undefined;
    const b: BatchSignature = { alg, digests, sig };
    if (this.batches.size >= MAX_REMEMBERED_BATCHES) this.batches.clear();
    this.batches.set(memo, b);
    return b;
  }

  private readonly batches = new Map<string, BatchSignature>();
  private readonly digests = new WeakMap<Uint8Array, Uint8Array>();

  private digest(e: EncodedStatement): Uint8Array {
    let d = this.digests.get(e.bytes);
    if (d === undefined) {
      d = statementDigest(e.bytes);
      this.digests.set(e.bytes, d);
    }
    return d;
  }

  /**
   * The item that asks the third party `ttp` to countersign `e`, one of this
   * node's own statements: its bytes, authenticated over this node's channel
   * with the TTP (the pair's [Authentication] mechanism) under
   * COUNTERSIGN_REQUEST_CONTEXT, so that the TTP knows who asks.
   */
  request(e: EncodedStatement, ttp: string): SealResult {
    const s = e.statement;
    if (s.issuer !== this.me) return err('not-issuer', `${this.me} cannot ask for a countersignature on a statement issued by ${s.issuer}`);
    const mech = prescribed(this.deployment, this.me, ttp, []);
    const bytes = e.bytes;
    switch (mech?.kind) {
      case 'PLAINTEXT':
        return { ok: true, item: { stmt: bytes, auth: { kind: 'PLAINTEXT' } } };
      case 'HMAC': {
        const key = this.ring.hmacKey(ttp);
        if (key === undefined || key.length === 0) return err('no-key', `${this.me} holds no HMAC key shared with ${ttp}`);
        return { ok: true, item: { stmt: bytes, auth: { kind: 'HMAC', tags: [{ to: ttp, tag: macTag(key, bytes, this.stats, this.contexts.countersignRequest) }] } } };
      }
      case 'ED25519':
      case 'RSA': {
        const key = this.ring.signingKey(mech.kind);
        const sig = key === undefined ? undefined : signStatement(mech.kind, key, bytes, this.stats, this.contexts.countersignRequest);
        if (sig === undefined) return err('no-key', `${this.me} holds no usable ${mech.kind} signing key`);
        return { ok: true, item: { stmt: bytes, auth: { kind: mech.kind, sig } } };
      }
      default:
        return err('no-mechanism', `the deployment gives ${this.me} no channel with ${ttp} to ask it for countersignatures`);
    }
  }

  /** Whether `sig` is `ttp`'s countersignature on `e` (checked once per statement; the runtime checks a reply before it holds on to it). */
  countersignatureFits(e: EncodedStatement, ttp: string, sig: Uint8Array): boolean {
    return this.countersignatureValid(ttp, e.bytes, sig);
  }

  private authenticate(mech: Mechanism, bytes: Uint8Array, verifier: string, countersignature: Uint8Array | undefined): Authenticator | { error: SealError } {
    switch (mech.kind) {
      case 'PLAINTEXT':
        return { kind: 'PLAINTEXT' };
      case 'HMAC': {
        const key = this.ring.hmacKey(verifier);
        if (key === undefined || key.length === 0) return { error: { code: 'no-key', detail: `${this.me} holds no HMAC key shared with ${verifier}` } };
        return { kind: 'HMAC', tags: [{ to: verifier, tag: macTag(key, bytes, this.stats, this.contexts.statement) }] };
      }
      case 'ED25519':
      case 'RSA': {
        const sig = this.signature(mech.kind, bytes);
        if (sig === undefined) return { error: { code: 'no-key', detail: `${this.me} holds no usable ${mech.kind} signing key` } };
        return { kind: mech.kind, sig };
      }
      case 'TTP': {
        if (countersignature === undefined) return { error: { code: 'needs-countersignature', detail: `the statement needs ${mech.principal}'s countersignature` } };
        if (!this.countersignatureValid(mech.principal, bytes, countersignature)) {
          return { error: { code: 'bad-countersignature', detail: `the countersignature does not verify with ${mech.principal}'s key` } };
        }
        return { kind: 'TTP', ttp: mech.principal, sig: countersignature };
      }
    }
  }

  private cached(bytes: Uint8Array): Map<string, Uint8Array> {
    let m = this.signatures.get(bytes);
    if (m === undefined) {
      m = new Map();
      this.signatures.set(bytes, m);
    }
    return m;
  }

  /**
   * This node's authenticator on one of its own statements that another
   * statement carries toward `verifier`: what the deployment prescribes for
   * that pair when it can be passed on (a signature, or a TTP's
   * countersignature the runtime obtained); undefined otherwise.
   */
  carriedAuth(e: EncodedStatement, verifier: string, countersignature?: Uint8Array): Authenticator | undefined {
    if (e.statement.issuer !== this.me) return undefined;
    const mech = this.mechanism(e.statement, verifier);
    if (mech === undefined || mech.kind === 'PLAINTEXT' || mech.kind === 'HMAC') return undefined;
    const auth = this.authenticate(mech, e.bytes, verifier, countersignature);
    return 'error' in auth ? undefined : auth;
  }

  private signature(alg: 'ED25519' | 'RSA', bytes: Uint8Array): Uint8Array | undefined {
    const cache = this.cached(bytes);
    const known = cache.get(alg);
    if (known !== undefined) return known;
    const key = this.ring.signingKey(alg);
    const sig = key === undefined ? undefined : signStatement(alg, key, bytes, this.stats, this.contexts.statement);
    if (sig !== undefined) cache.set(alg, sig);
    return sig;
  }

  /** A countersignature that would be refused by every verifier is refused here, once per statement. */
  private countersignatureValid(ttp: string, bytes: Uint8Array, sig: Uint8Array): boolean {
    const cache = this.cached(bytes);
    const tag = `TTP:${ttp}`;
    const known = cache.get(tag);
    if (known !== undefined && known.length === sig.length && known.every((b, i) => b === sig[i])) return true;
    const key = this.ring.publicKey(ttp, 'ED25519');
    if (key === undefined || !ttpSignatureValid(key, bytes, sig, this.stats, this.contexts.ttp)) return false;
    cache.set(tag, sig);
    return true;
  }
}

export type CountersignResult = { readonly ok: true; readonly sig: Uint8Array } | { readonly ok: false; readonly error: SealError };

/**
 * What a TTP node does with a statement an issuer asks it to countersign.
 * It countersigns only a well-typed statement whose issuer is the requester
 * (whom the runtime has authenticated), and only when the deployment routes
 * that issuer's statement to some verifier through this TTP.
 */
export class Countersigner {
  constructor(
    private readonly ring: KeyRing,
    private readonly deployment: Deployment,
    private readonly schema: WireSchema,
    private readonly stats?: WireStats,
    private readonly contexts: AuthContexts = UNBOUND_CONTEXTS,
  ) {}

  /**
   * Answers one item of a countersign request that arrived from link sender
   * `sender`: the item must be authenticated by the sender's channel with
   * this TTP (the pair's [Authentication] mechanism, over
   * COUNTERSIGN_REQUEST_CONTEXT) — that makes the sender the authenticated
   * requester — and then countersign() decides. `statement` is the decoded
   * statement when there is one (for the TTP's report and log).
   */
  answer(item: WireItem, sender: string): CountersignResult & { readonly statement?: StatementBody } {
    const d = decodeStatement(this.schema, item.stmt);
    if (!d.ok) return err('invalid-statement', `${d.error.code}: ${d.error.detail}`);
    const statement = d.encoded.statement;
    const bad = this.authenticRequest(item, sender);
    const r = bad ?? this.attest(d.encoded.statement, item.stmt, sender);
    return { ...r, statement };
  }

  private authenticRequest(item: WireItem, sender: string): { ok: false; error: SealError } | undefined {
    const me = this.ring.principal;
    const mech = prescribed(this.deployment, sender, me, []);
    const a = item.auth;
    if (mech === undefined) return err('no-mechanism', `${sender} has no channel with ${me}: it is not a client of this TTP`);
    if (a.kind !== mech.kind) return err('wrong-mechanism', `a request authenticated by ${a.kind} where ${sender}'s channel with ${me} is ${mech.kind}`);
    switch (a.kind) {
      case 'PLAINTEXT':
        // The channel itself is trusted to name the sender.
        return undefined;
      case 'HMAC': {
        const mine = a.tags.length === 1 ? a.tags[0] : undefined;
        if (mine === undefined || mine.to !== me || mine.tag.length !== MAC_BYTES) return err('forged', `a request without exactly one HMAC tag for ${me}`);
        if (sender === me) return err('forged', `a request claiming ${me} as its sender`);
        const key = this.ring.hmacKey(sender);
        if (key === undefined || key.length === 0) return err('no-key', `${me} holds no HMAC key shared with ${sender}`);
        return macValid(key, item.stmt, mine.tag, this.stats, this.contexts.countersignRequest) ? undefined : err('forged', `bad HMAC tag on a request from ${sender}`);
      }
      case 'ED25519':
      case 'RSA': {
        const key = this.ring.publicKey(sender, a.kind);
        if (key === undefined || !keyFits(a.kind, key)) return err('no-key', `${me} holds no ${a.kind} public key of ${sender}`);
        if (a.kind === 'ED25519' && a.sig.length !== ED25519_SIG_BYTES) return err('forged', `an Ed25519 signature of ${a.sig.length} bytes`);
        return statementSignatureValid(a.kind, key, item.stmt, a.sig, this.stats, this.contexts.countersignRequest) ? undefined : err('forged', `bad ${a.kind} signature on a request from ${sender}`);
      }
      case 'TTP':
        return err('wrong-mechanism', 'a request authenticated by a countersignature');
    }
  }

  countersign(stmt: Uint8Array, requester: string): CountersignResult {
    const d = decodeStatement(this.schema, stmt);
    if (!d.ok) return err('invalid-statement', `${d.error.code}: ${d.error.detail}`);
    return this.attest(d.encoded.statement, stmt, requester);
  }

  private attest(s: StatementBody, stmt: Uint8Array, requester: string): CountersignResult {
    if (s.issuer !== requester) return err('not-issuer', `${requester} asked for a countersignature on a statement of ${s.issuer}`);
    const me = this.ring.principal;
    const routed = s.verifiers.some((v) => {
      const m = prescribed(this.deployment, s.issuer, v, s.auditors);
      return m?.kind === 'TTP' && m.principal === me;
    });
    if (!routed) return err('not-this-ttp', `the deployment does not route ${s.issuer}'s statement through ${me}`);
    const key = this.ring.signingKey('ED25519');
    const sig = key !== undefined && keyFits('ED25519', key) ? ttpSign(key, stmt, this.stats, this.contexts.ttp) : undefined;
    if (sig === undefined) return err('no-key', `${me} holds no usable Ed25519 signing key`);
    return { ok: true, sig };
  }
}
