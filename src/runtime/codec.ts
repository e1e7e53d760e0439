// What the runtime needs from the wire: frames for a reliable link, and the
// statements a received frame authenticates. The wire stage (src/wire/)
// implements it; the runtime never sees bytes it has not opened through it.

import type { RecordValue } from '../semantics/value.js';

/** A statement as the wire authenticated it, before a node interns it. */
export interface OpenedStatement {
  readonly issuer: string;
  readonly verifiers: readonly string[];
  readonly auditors: readonly string[];
  readonly record: RecordValue;
}

/** The sender's vector clock when it sent the frame: node -> events it had done. */
export type VectorClock = Readonly<Record<string, number>>;

export type Opened =
  | { readonly kind: 'data'; readonly seq: number; readonly statements: readonly OpenedStatement[]; readonly vc?: VectorClock }
  | { readonly kind: 'ack'; readonly seq: number }
  | { readonly kind: 'hello' }
  | { readonly kind: 'drop'; readonly reason: string };

export interface FrameCodec {
  /** A data frame to `to` with link sequence number `seq`, each statement sealed for `to`. */
  data(to: string, seq: number, statements: readonly OpenedStatement[], vc?: VectorClock): Uint8Array;
  ack(to: string, seq: number): Uint8Array;
  /** Opens bytes that arrived from (the transport's idea of) `from`; never throws. Items that fail authentication are dropped and counted, the rest returned. */
  open(from: string, bytes: Uint8Array): Opened;
  /** A data frame claiming `s` (of another issuer) sealed with this node's own keys: what a Byzantine node tries (simulation only). */
  forge?(to: string, seq: number, s: OpenedStatement): Uint8Array;
}
