// One BFS level's states in a worker of the parallel search, packed
// (packed.ts) back to back into large Int32Array chunks: a record is
// [length, fingerprint high, fingerprint low, ...packed words]. One typed
// array per state, as the in-process queue keeps, costs about 100 bytes of
// object headers before its first word; here a state costs its words and
// three more.

const CHUNK_WORDS = 1 << 18;

export interface FrontierEntry {
  readonly fp: number;
  readonly packed: Int32Array;
}

export class Frontier {
  private chunks: Int32Array[] = [];
  private used: number[] = [];
  private count = 0;
  /** Reading position: chunk and offset. */
  private readChunk = 0;
  private readOffset = 0;

  get size(): number {
    return this.count;
  }

  /** States not yet read by next(). */
  get remaining(): number {
    return this.count - this.read;
  }
  private read = 0;

  get bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.byteLength;
    return b;
  }

  push(fp: number, packed: Int32Array): void {
    const need = packed.length + 3;
    let last = this.chunks.length - 1;
    if (last < 0 || this.used[last]! + need > this.chunks[last]!.length) {
      this.chunks.push(new Int32Array(Math.max(CHUNK_WORDS, need)));
      this.used.push(0);
      last++;
    }
    const c = this.chunks[last]!;
    let o = this.used[last]!;
    c[o++] = packed.length;
    c[o++] = Math.floor(fp / 4294967296);
    c[o++] = fp % 4294967296 | 0;
    c.set(packed, o);
    this.used[last] = o + packed.length;
    this.count++;
  }

  /** The next unread state, or undefined at the end. */
  next(): FrontierEntry | undefined {
    while (this.readChunk < this.chunks.length) {
      const c = this.chunks[this.readChunk]!;
      if (this.readOffset < this.used[this.readChunk]!) {
        const len = c[this.readOffset]!;
        const fp = c[this.readOffset + 1]! * 4294967296 + (c[this.readOffset + 2]! >>> 0);
        const packed = c.subarray(this.readOffset + 3, this.readOffset + 3 + len);
        this.readOffset += 3 + len;
        this.read++;
        return { fp, packed };
      }
      this.readChunk++;
      this.readOffset = 0;
    }
    return undefined;
  }

  /** Removes and returns the last `k` unread states; the rest stay, unread, in order. */
  takeLast(k: number): FrontierEntry[] {
    const unread: FrontierEntry[] = [];
    for (let ci = this.readChunk; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci]!;
      for (let o = ci === this.readChunk ? this.readOffset : 0; o < this.used[ci]!; ) {
        const len = c[o]!;
        unread.push({ fp: c[o + 1]! * 4294967296 + (c[o + 2]! >>> 0), packed: c.slice(o + 3, o + 3 + len) });
        o += 3 + len;
      }
    }
    const keep = unread.slice(0, Math.max(0, unread.length - k));
    const out = unread.slice(keep.length);
    this.clear();
    for (const e of keep) this.push(e.fp, e.packed);
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.used = [];
    this.count = 0;
    this.read = 0;
    this.readChunk = 0;
    this.readOffset = 0;
  }
}
