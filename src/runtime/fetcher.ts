// Fetching the records that digested items (the DIGEST optimizer) are held
// for. Each missing record is asked of the item's sender first; while it is
// still missing, it is asked again with backoff, of the next candidate in
// turn (the item's issuer, then its other verifiers, then the sender again),
// until it arrives. The requests ride the reliable link; a peer that does not
// hold the record answers "unknown", and the next try goes to another peer.
// So a held item is never given up: the frame that brought it was acked, and
// this is how its delivery is kept. The codec's held items (at most
// MAX_HELD_PER_SENDER per sender) bound what is fetched.

import type { FetchWant, FrameCodec } from './codec.js';
import type { Host, TimerHandle } from './host.js';
import type { ReliableLink } from './link.js';
import { MAX_FETCH_DIGESTS } from '../wire/index.js';

export interface FetcherOptions {
  /** A record still missing this long after it was asked for is asked for again (of the next candidate); doubles up to `maxRetryMs`. */
  readonly retryMs: number;
  readonly maxRetryMs: number;
}

export const DEFAULT_FETCHER_OPTIONS: FetcherOptions = { retryMs: 300, maxRetryMs: 4000 };

interface Want {
  readonly want: FetchWant;
  tries: number;
  timer?: TimerHandle;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export class Fetcher {
  private readonly wants = new Map<string, Want>();
  private closed = false;

  constructor(
    private readonly link: ReliableLink,
    private readonly codec: FrameCodec & { asked?(n: number): void },
    private readonly host: Host,
    private readonly options: FetcherOptions = DEFAULT_FETCHER_OPTIONS,
  ) {}

  /** Records being fetched. */
  get pending(): number {
    return this.wants.size;
  }

  /** New records to fetch: each asked of its first candidate now. */
  want(list: readonly FetchWant[]): void {
    if (this.closed) return;
    const now: Want[] = [];
    for (const w of list) {
      const h = hex(w.digest);
      if (this.wants.has(h) || w.candidates.length === 0) continue;
      const entry: Want = { want: w, tries: 0 };
      this.wants.set(h, entry);
      now.push(entry);
    }
    this.ask(now);
  }

  close(): void {
    this.closed = true;
    for (const w of this.wants.values()) w.timer?.cancel();
    this.wants.clear();
  }

  /** Asks each want's current candidate (grouped per peer), and arms its retry. */
  private ask(list: readonly Want[]): void {
    const byPeer = new Map<string, Uint8Array[]>();
    for (const w of list) {
      const c = w.want.candidates;
      const peer = c[w.tries % c.length]!;
      let l = byPeer.get(peer);
      if (l === undefined) byPeer.set(peer, (l = []));
      l.push(w.want.digest);
      const delay = Math.min(this.options.retryMs * 2 ** w.tries, this.options.maxRetryMs);
      w.timer = this.host.setTimer(delay, () => this.retry(w));
    }
    for (const [peer, digests] of byPeer) {
      for (let i = 0; i < digests.length; i += MAX_FETCH_DIGESTS) {
        const part = digests.slice(i, i + MAX_FETCH_DIGESTS);
        this.codec.asked?.(part.length);
        this.link.send(peer, { kind: 'fetch', digests: part });
      }
    }
  }

  private retry(w: Want): void {
    if (this.closed) return;
    const h = hex(w.want.digest);
    if (this.codec.stillMissing?.(w.want.digest) !== true) {
      this.wants.delete(h);
      return;
    }
    w.tries++;
    this.ask([w]);
  }
}
