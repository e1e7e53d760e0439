// What the runtime needs from the wire: frames for a reliable link, and the
// statements a received frame authenticates. The wire stage (src/wire/)
// implements it; the runtime never sees bytes it has not opened through it.
//
// A statement on its way out is first *prepared* (encoded once); its
// mechanism toward a verifier may need another party to handle it before
// that verifier can get it — today a trusted third party's countersignature
// (TTP) — and the runtime's Outbox holds it until then. The countersignature
// exchange rides the same reliable link as statements.

import type { RecordValue } from '../semantics/value.js';
import type { CarrierAttack } from './carrier-attacks.js';

/** A statement as the wire authenticated it, before a node interns it. */
export interface OpenedStatement {
  readonly issuer: string;
  readonly verifiers: readonly string[];
  readonly auditors: readonly string[];
  readonly record: RecordValue;
}

/** The sender's vector clock when it sent the frame: node -> events it had done. */
export type VectorClock = Readonly<Record<string, number>>;

/**
 * One of this node's statements, prepared for sending: encoded once, sealed
 * for each verifier as the frames are made. What it still waits for is
 * answered per verifier, since the deployment's mechanism may differ between
 * verifiers (a TTP's clients get its countersignature, others a signature).
 */
export interface Outgoing {
  readonly statement: OpenedStatement;
  /** The third party whose countersignature sealing for `verifier` needs and does not have yet, if any. */
  waitsFor(verifier: string): string | undefined;
  /** Every third party whose countersignature some verifier needs and that is not here yet. */
  missing(): readonly string[];
}

/** A TTP's countersignature as the wire carries it back to the requester; the runtime only passes it on. */
export interface CountersignAnswer {
  readonly digest: Uint8Array;
  readonly sig: Uint8Array;
}

/** What a TTP made of one statement a requester asked it to countersign. */
export interface Attestation {
  /** The authenticated link sender that asked. */
  readonly requester: string;
  /** The statement, when the bytes decoded to one. */
  readonly statement?: OpenedStatement;
  /** Undefined when it countersigned; otherwise why not (a SealErrorCode) and the details. */
  readonly refused?: { readonly reason: string; readonly detail: string };
}

/** What the reliable link sends to a peer: each is numbered, acked and retransmitted until acked. */
export type Message =
  | {
      readonly kind: 'data';
      readonly statements: readonly Outgoing[];
      readonly vc?: VectorClock;
      /**
       * Parallel to `statements`: the verifiers the peer is asked to pass each
       * one on to (a dissemination optimizer's relay), sealed so that each of
       * them can check it; undefined for a statement that is only for the peer.
       */
      readonly relays?: readonly (readonly string[] | undefined)[];
      /**
       * Parallel to `statements`: those whose plan batches (BATCH). Signed
       * ones among them share one signature over their digests.
       */
      readonly batched?: readonly boolean[];
      /**
       * Parallel to `statements`: those whose plan has DIGEST. Each field
       * holding a record is sent as the record's digest when the peer is
       * known to hold it (a verifier of a statement carrying it).
       */
      readonly digested?: readonly boolean[];
      /**
       * The log position (event number) of the earliest step that published
       * one of this node's own statements in the frame: where the link's
       * re-derivation starts when it does not hold the frame for a peer that
       * is down (runtime/rederive.ts). 0: from the oldest the log and its
       * checkpoint hold. Undefined when the frame carries none of them.
       */
      readonly ownFrom?: number;
      /** Statements re-derived from the log for this peer: the link holds them even while it owes the peer. */
      readonly rederived?: true;
    }
  /** Ask the peer for the records these digests name. */
  | { readonly kind: 'fetch'; readonly digests: readonly Uint8Array[] }
  /** The answer to a fetch: the records held, and the digests not held. */
  | { readonly kind: 'fetched'; readonly records: readonly RecordAnswer[]; readonly unknown: readonly Uint8Array[] }
  /** To a TTP: countersign these statements of mine. */
  | { readonly kind: 'countersign-request'; readonly statements: readonly Outgoing[] }
  /** From a TTP, back to the requester. */
  | { readonly kind: 'countersign-reply'; readonly answers: readonly CountersignAnswer[] };

/** A record as a fetch answer carries it. */
export interface RecordAnswer {
  readonly digest: Uint8Array;
  readonly record: Uint8Array;
}

/** A record this node needs (a held digested item names it), and whom to ask: first the item's sender, then the others in turn. */
export interface FetchWant {
  readonly digest: Uint8Array;
  readonly candidates: readonly string[];
}

/** Digested items held earlier that the records now at hand complete, with the sender and clock of the frame each came in. */
export interface Resolved {
  readonly from: string;
  readonly statements: readonly OpenedStatement[];
  readonly vc?: VectorClock;
}

/** A statement the sender asked this node to pass on, as it arrived (its authenticator serves each of `to`). */
export interface RelayRequest {
  readonly out: Outgoing;
  /** The statement's verifiers to pass it to (never this node nor the issuer). */
  readonly to: readonly string[];
}

export type Opened =
  | {
      readonly kind: 'data';
      readonly seq: number;
      readonly statements: readonly OpenedStatement[];
      readonly vc?: VectorClock;
      readonly relays?: readonly RelayRequest[];
      /** Held digested items (of this or earlier frames) completed now. */
      readonly resolved?: readonly Resolved[];
      /** Records newly needed by items held for them: the runtime fetches them. */
      readonly fetch?: readonly FetchWant[];
      /**
       * Items of this frame held for a missing record. A link that acks only
       * what was logged (ackAfterDelivery) does not ack such a frame: the
       * sender sends it again, and a node restarted meanwhile still gets it.
       */
      readonly held?: number;
    }
  /** A peer asks for records by digest: the answer to send back. */
  | { readonly kind: 'fetch'; readonly seq: number; readonly records: readonly RecordAnswer[]; readonly unknown: readonly Uint8Array[] }
  /** At a TTP: the request was answered as far as it could be; `answers` go back to the sender. */
  | { readonly kind: 'countersign-request'; readonly seq: number; readonly answers: readonly CountersignAnswer[]; readonly attestations: readonly Attestation[] }
  /** At an issuer: these of its statements now carry the sender's countersignature (checked). */
  | { readonly kind: 'countersign-reply'; readonly seq: number; readonly countersigned: readonly Outgoing[] }
  | { readonly kind: 'ack'; readonly seq: number }
  | { readonly kind: 'hello' }
  | { readonly kind: 'drop'; readonly reason: string };

/** The kinds of Opened that carry a link sequence number: they are acked. */
export type Sequenced = Extract<Opened, { readonly kind: 'data' | 'countersign-request' | 'countersign-reply' | 'fetch' }>;

export interface FrameCodec {
  /** One of this node's statements, encoded for sending; undefined (and counted) when it cannot be sent at all. */
  prepare(s: OpenedStatement): Outgoing | undefined;
  /** The frame that carries `m` to `to` with link sequence number `seq`; statements are sealed for `to`. */
  frame(to: string, seq: number, m: Message): Uint8Array;
  ack(to: string, seq: number): Uint8Array;
  /**
   * A frame's kind and link sequence number, read without decoding it
   * (wire/peek.ts): how the link recognises a copy of a frame it delivered
   * and acked already. Undefined when the bytes do not say.
   */
  peek?(bytes: Uint8Array): { readonly kind: string; readonly seq: number } | undefined;
  /** Opens bytes that arrived from (the transport's idea of) `from`; never throws. Items that fail authentication are dropped and counted, the rest returned. */
  open(from: string, bytes: Uint8Array): Opened;
  /** Whether a record this node needs to rebuild a held item is still missing (the runtime stops fetching it when not). */
  stillMissing?(digest: Uint8Array): boolean;
  /**
   * How the node tells what it knows (by the abstract statement): a carrier's
   * carried statements the node knows are not verified again.
   */
  knownBy?(knows: (s: OpenedStatement) => boolean): void;
  /** One of this node's own carriers, altered so that `to` must refuse it for the reason `attack` names (simulation only). */
  attackCarrier?(to: string, seq: number, out: Outgoing, attack: CarrierAttack): Uint8Array | undefined;
  /** A data frame claiming `s` (of another issuer) sealed with this node's own keys: what a Byzantine node tries (simulation only). */
  forge?(to: string, seq: number, s: OpenedStatement): Uint8Array;
  /** A countersign request for `s` (of another issuer) made with this node's own channel to the TTP `to`: a Byzantine node asking the TTP to attest a statement that is not its own (simulation only). */
  forgeRequest?(to: string, seq: number, s: OpenedStatement): Uint8Array;
}
