// An in-process network for many nodes, deterministic by seed: virtual time,
// random delays (which reorder frames), drops, duplicates, partitions and
// crashed nodes. The same seed and the same inputs give the same run, event
// for event, so a failing seed is a reproducible bug report.

import type { Host, TimerHandle } from '../runtime/host.js';
import type { Transport } from './transport.js';

export interface SimFaults {
  /** Probability that a frame is lost. */
  readonly drop: number;
  /** Probability that a frame is delivered twice. */
  readonly duplicate: number;
  /** Each frame takes a delay drawn uniformly from [minDelayMs, maxDelayMs]: unequal delays reorder. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** While a partition lasts, frames between different groups are lost. */
  readonly partitions: readonly { readonly fromMs: number; readonly toMs: number; readonly groups: readonly (readonly string[])[] }[];
}

export const NO_FAULTS: SimFaults = { drop: 0, duplicate: 0, minDelayMs: 1, maxDelayMs: 1, partitions: [] };

/** A small, fast, seedable generator (mulberry32). */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  /** Does not keep the network busy (`idle` ignores it): a Byzantine node's next move. */
  readonly background: boolean;
  cancelled: boolean;
}

export interface SimStats {
  framesSent: number;
  framesDelivered: number;
  framesDropped: number;
  framesDuplicated: number;
  bytesSent: number;
}

export class SimNetwork {
  readonly random: Random;
  readonly stats: SimStats = { framesSent: 0, framesDelivered: 0, framesDropped: 0, framesDuplicated: 0, bytesSent: 0 };
  private readonly queue: Event[] = [];
  private readonly handlers = new Map<string, (from: string, bytes: Uint8Array) => void>();
  private readonly crashed = new Set<string>();
  private clock = 0;
  private seq = 0;

  constructor(
    seed: number,
    private readonly faults: SimFaults = NO_FAULTS,
  ) {
    this.random = new Random(seed);
  }

  readonly host: Host = {
    now: () => this.clock,
    setTimer: (ms, f) => this.schedule(ms, f),
  };

  get now(): number {
    return this.clock;
  }

  endpoint(me: string): Transport {
    return {
      me,
      send: (to, bytes) => this.send(me, to, bytes),
      onFrame: (h) => void this.handlers.set(me, h),
      close: async () => {
        this.handlers.delete(me);
      },
    };
  }

  /** The node stops receiving and sending, for good (crash-stop). */
  crash(name: string): void {
    this.crashed.add(name);
  }

  schedule(ms: number, f: () => void, background = false): TimerHandle {
    const e: Event = { at: this.clock + Math.max(0, ms), seq: this.seq++, run: f, background, cancelled: false };
    this.push(e);
    return { cancel: () => void (e.cancelled = true) };
  }

  /** Runs events until none is left, `stop()` says so, or virtual time passes `untilMs`; returns the number of events run. */
  run(untilMs: number, stop: () => boolean = () => false, maxEvents = Number.MAX_SAFE_INTEGER): number {
    let n = 0;
    while (this.queue.length > 0 && n < maxEvents) {
      const e = this.pop()!;
      if (e.cancelled) continue;
      if (e.at > untilMs) {
        this.push(e);
        this.clock = untilMs;
        break;
      }
      this.clock = e.at;
      e.run();
      n++;
      if (stop()) break;
    }
    return n;
  }

  /** Nothing left to happen but background events: no frame in flight, no timer armed. */
  get idle(): boolean {
    return this.queue.every((e) => e.cancelled || e.background);
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
    if (this.crashed.has(from)) return;
    if (this.random.next() < this.faults.drop || this.partitioned(from, to)) {
      this.stats.framesDropped++;
      return;
    }
    const copies = this.random.next() < this.faults.duplicate ? 2 : 1;
    if (copies === 2) this.stats.framesDuplicated++;
    // A copy so that a sender reusing its buffer cannot change a frame in flight.
    const frame = bytes.slice();
    for (let c = 0; c < copies; c++) {
      const delay = this.random.int(this.faults.minDelayMs, this.faults.maxDelayMs);
      this.schedule(delay, () => {
        if (this.crashed.has(to)) return;
        const h = this.handlers.get(to);
        if (h === undefined) return;
        this.stats.framesDelivered++;
        h(from, frame);
      });
    }
  }

  private partitioned(a: string, b: string): boolean {
    for (const p of this.faults.partitions) {
      if (this.clock < p.fromMs || this.clock >= p.toMs) continue;
      const ga = p.groups.findIndex((g) => g.includes(a));
      const gb = p.groups.findIndex((g) => g.includes(b));
      if (ga !== gb) return true;
    }
    return false;
  }

  // A binary heap on (at, seq): equal times run in scheduling order.
  private push(e: Event): void {
    const q = this.queue;
    q.push(e);
    let i = q.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(q[p]!, e)) break;
      q[i] = q[p]!;
      i = p;
    }
    q[i] = e;
  }

  private pop(): Event | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (q.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = last;
      if (l < q.length && before(q[l]!, best)) {
        m = l;
        best = q[l]!;
      }
      if (r < q.length && before(q[r]!, best)) m = r;
      if (m === i) break;
      q[i] = q[m]!;
      i = m;
    }
    q[i] = last;
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
