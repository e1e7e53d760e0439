// What the runtime needs from a network: send bytes to a named peer, be told
// of bytes from one. Frames may be lost, duplicated, reordered or delayed;
// reliability (retransmission until acknowledged) sits above this, in the
// runtime's link layer, so that every transport gets it the same way.

export interface Transport {
  /** The principal this endpoint belongs to. */
  readonly me: string;
  /** Queues `bytes` for `to`; never throws for an unreachable peer (the frame is simply lost). */
  send(to: string, bytes: Uint8Array): void;
  /** Installs the one receive handler; `from` is what the transport knows of the sender (unauthenticated). */
  onFrame(handler: (from: string, bytes: Uint8Array) => void): void;
  close(): Promise<void>;
}
