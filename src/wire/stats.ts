// Counters of one node's wire: what came and went, what was dropped and why,
// and what the cryptography cost. Every drop is counted, because a drop is
// silent on the wire: the counters are how an operator (and the bench) sees
// a forger, a misconfigured key or a peer speaking another version.

import { performance } from 'node:perf_hooks';

/** Why a whole frame was dropped before its items were looked at. */
export type FrameDropReason = 'oversized' | 'malformed' | 'wrong-version' | 'misaddressed' | 'wrong-sender';

/** Why one item of a data frame was dropped. */
export type ItemDropReason =
  | 'malformed' | 'forged' | 'wrong-mechanism' | 'not-a-verifier' | 'no-key'
  /**
   * A carrier refused because of a statement it carries (certificates, issue
   * 25): a carried authenticator that does not verify; one this node cannot
   * audit (a MAC or a channel, a mechanism the deployment does not give the
   * issuer toward this node, a TTP it is no client of, a key it lacks); a
   * carried statement that is not what its field declares; more than the
   * field's SIZE; nested deeper than the program's records carry.
   */
  | 'carried-forged' | 'carried-not-auditable' | 'carried-pattern-mismatch' | 'carried-over-bound' | 'carried-too-deep';

export const FRAME_DROP_REASONS: readonly FrameDropReason[] = ['oversized', 'malformed', 'wrong-version', 'misaddressed', 'wrong-sender'];
export const ITEM_DROP_REASONS: readonly ItemDropReason[] = [
  'malformed', 'forged', 'wrong-mechanism', 'not-a-verifier', 'no-key',
  'carried-forged', 'carried-not-auditable', 'carried-pattern-mismatch', 'carried-over-bound', 'carried-too-deep',
];

export type CryptoOp = 'mac' | 'sign' | 'verify';

export interface OpStats {
  /** Operations done (a MAC computed to check a tag counts as a mac). */
  readonly count: number;
  /** Wall-clock time spent in them, in milliseconds. */
  readonly ms: number;
}

export interface WireStatsSnapshot {
  readonly framesIn: number;
  readonly bytesIn: number;
  readonly framesOut: number;
  readonly bytesOut: number;
  readonly framesDropped: Readonly<Record<FrameDropReason, number>>;
  readonly itemsAccepted: number;
  readonly itemsDropped: Readonly<Record<ItemDropReason, number>>;
  /** Statements carried in accepted or refused carriers: authenticators checked, and those skipped because the node already knew the statement. */
  readonly carried: { readonly checked: number; readonly known: number };
  readonly crypto: Readonly<Record<CryptoOp, OpStats>>;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = 0;
  return out;
}

export class WireStats {
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;
  itemsAccepted = 0;
  readonly framesDropped = zeros(FRAME_DROP_REASONS);
  readonly itemsDropped = zeros(ITEM_DROP_REASONS);
  readonly carried = { checked: 0, known: 0 };
  private readonly ops: Record<CryptoOp, { count: number; ms: number }> = {
    mac: { count: 0, ms: 0 },
    sign: { count: 0, ms: 0 },
    verify: { count: 0, ms: 0 },
  };

  /** One transmission of `bytes` bytes (the runtime calls this for every send, retransmissions included). */
  sent(bytes: number): void {
    this.framesOut++;
    this.bytesOut += bytes;
  }

  /** One frame received (decodeFrame calls this). */
  received(bytes: number): void {
    this.framesIn++;
    this.bytesIn += bytes;
  }

  frameDropped(reason: FrameDropReason): void {
    this.framesDropped[reason]++;
  }

  itemDropped(reason: ItemDropReason): void {
    this.itemsDropped[reason]++;
  }

  itemAccepted(): void {
    this.itemsAccepted++;
  }

  /** Runs `f`, counting it as one `op` and adding its duration. */
  timed<T>(op: CryptoOp, f: () => T): T {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      const s = this.ops[op];
      s.count++;
      s.ms += performance.now() - t0;
    }
  }

  snapshot(): WireStatsSnapshot {
    return {
      framesIn: this.framesIn,
      bytesIn: this.bytesIn,
      framesOut: this.framesOut,
      bytesOut: this.bytesOut,
      framesDropped: { ...this.framesDropped },
      itemsAccepted: this.itemsAccepted,
      itemsDropped: { ...this.itemsDropped },
      carried: { ...this.carried },
      crypto: { mac: { ...this.ops.mac }, sign: { ...this.ops.sign }, verify: { ...this.ops.verify } },
    };
  }
}

/** For callers that keep no statistics: counts into a sink nobody reads. */
export function orScratch(stats: WireStats | undefined): WireStats {
  return stats ?? new WireStats();
}

/** `f()`, timed into `stats` when there are stats to keep. */
export function timed<T>(stats: WireStats | undefined, op: CryptoOp, f: () => T): T {
  return stats === undefined ? f() : stats.timed(op, f);
}
