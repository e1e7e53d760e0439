// What a replica or client of the hand-written PBFT needs around it: a way to
// send a frame to a named node, a clock, and the counters the bench reports.

import type { WireStats } from '../../src/wire/stats.js';
import type { Counters } from './protocol.js';

export interface Net {
  /** Hands `bytes` to the transport for `to` (never throws). */
  send(to: string, bytes: Uint8Array): void;
}

/** Counts every message sent, then sends it. */
export class CountingNet implements Net {
  messages = 0;
  bytes = 0;
  digests = 0;
  refused = 0;

  /** CPU time of this process when the node started listening. */
  private readonly cpu0 = process.cpuUsage();

  constructor(private readonly inner: Net) {}

  send(to: string, bytes: Uint8Array): void {
    this.messages++;
    this.bytes += bytes.length;
    this.inner.send(to, bytes);
  }

  multicast(to: readonly string[], bytes: Uint8Array): void {
    for (const r of to) this.send(r, bytes);
  }

  counters(wire: WireStats, lost: number): Counters {
    const c = wire.snapshot().crypto;
    const cpu = process.cpuUsage(this.cpu0);
    return {
      messages: this.messages, bytes: this.bytes, mac: c.mac.count, sign: c.sign.count, verify: c.verify.count, digests: this.digests, refused: this.refused, lost,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  }
}

/** Milliseconds on a clock that the processes of one machine share (for a throughput over several clients). */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** f for n replicas: the most Byzantine replicas n tolerates. */
export function faultsTolerated(n: number): number {
  return Math.floor((n - 1) / 3);
}
