// One BFS level's states in a worker of the parallel search, packed
// (packed.ts) back to back into large Int32Array chunks: a record is
// [length, fingerprint high, fingerprint low, ...packed words]. One typed
// array per state, as the in-process queue keeps, costs about 100 bytes of
// object headers before its first word; here a state costs its words and
// three more.
//
// A level is written whole, then read whole (the search is level-synchronous),
// so it is a FIFO of chunks. Chunks already read are dropped at once. With a
// spill file, a level that holds more than `maxChunksInMemory` chunks writes
// its oldest full chunks to the file and reads them back when the reader
// gets there, as TLC spills its queue: the memory a level takes is bounded
// whatever its width, and the rest of a run's memory is the fingerprint
// table's 16 bytes a slot (shared-table.ts).

import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';

/** The words of a chunk when none is asked for: 1 MiB. */
export const CHUNK_WORDS = 1 << 18;

export interface FrontierEntry {
  readonly fp: number;
  readonly packed: Int32Array;
}

export interface SpillOptions {
  /** The file the level spills to; created on first spill, removed by dispose(). */
  readonly path: string;
  /** Chunks a level keeps in memory (at least 2: the one read and the one written). */
  readonly maxChunksInMemory: number;
  /** Words a chunk holds; smaller for tests that want to see a spill. */
  readonly chunkWords?: number;
}

interface Chunk {
  /** Undefined while the chunk is only on disk (or was read and dropped). */
  words: Int32Array | undefined;
  /** Words used. */
  used: number;
  /** Byte offset of the chunk in the spill file, or -1 when it was never spilled. */
  offset: number;
}

export class Frontier {
  private chunks: Chunk[] = [];
  private count = 0;
  private read = 0;
  /** Reading position: chunk and word offset in it. */
  private readChunk = 0;
  private readOffset = 0;
  private inMemory = 0;
  private fd: number | undefined;
  private fileEnd = 0;
  private spilled = 0;
  private readonly chunkWords: number;

  constructor(private readonly spill?: SpillOptions) {
    this.chunkWords = spill?.chunkWords ?? CHUNK_WORDS;
  }

  get size(): number {
    return this.count;
  }

  /** States not yet read by next(). */
  get remaining(): number {
    return this.count - this.read;
  }

  /** Bytes of the chunks held in memory. */
  get bytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.words?.byteLength ?? 0;
    return b;
  }

  /** Bytes written to the spill file so far (a chunk read back and spilled again counts twice). */
  get spilledBytes(): number {
    return this.spilled;
  }

  push(fp: number, packed: Int32Array): void {
    const need = packed.length + 3;
    let last = this.chunks.length - 1;
    if (last < 0 || this.chunks[last]!.words === undefined || this.chunks[last]!.used + need > this.chunks[last]!.words!.length) {
      this.chunks.push({ words: new Int32Array(Math.max(this.chunkWords, need)), used: 0, offset: -1 });
      this.inMemory++;
      last++;
      this.spillIfOver();
    }
    const chunk = this.chunks[last]!;
    const c = chunk.words!;
    let o = chunk.used;
    c[o++] = packed.length;
    c[o++] = Math.floor(fp / 4294967296);
    c[o++] = fp % 4294967296 | 0;
    c.set(packed, o);
    chunk.used = o + packed.length;
    this.count++;
  }

  /** The next unread state, or undefined at the end. */
  next(): FrontierEntry | undefined {
    while (this.readChunk < this.chunks.length) {
      const chunk = this.chunks[this.readChunk]!;
      if (this.readOffset < chunk.used) {
        const c = this.load(chunk);
        const len = c[this.readOffset]!;
        const fp = c[this.readOffset + 1]! * 4294967296 + (c[this.readOffset + 2]! >>> 0);
        const packed = c.subarray(this.readOffset + 3, this.readOffset + 3 + len);
        this.readOffset += 3 + len;
        this.read++;
        return { fp, packed };
      }
      // Read to its end: the chunk is dropped unless it is still being written.
      if (this.readChunk === this.chunks.length - 1) return undefined;
      this.drop(chunk);
      this.readChunk++;
      this.readOffset = 0;
    }
    return undefined;
  }

  /** Removes and returns the last `k` unread states, in order; the rest stay, unread, in order. */
  takeLast(k: number): FrontierEntry[] {
    const out: FrontierEntry[][] = [];
    let want = Math.min(k, this.remaining);
    while (want > 0) {
      const i = this.chunks.length - 1;
      const chunk = this.chunks[i]!;
      const first = i === this.readChunk ? this.readOffset : 0;
      const words = this.load(chunk);
      const records: { o: number; len: number }[] = [];
      for (let o = first; o < chunk.used; o += 3 + words[o]!) records.push({ o, len: words[o]! });
      const take = records.slice(Math.max(0, records.length - want));
      out.push(take.map(({ o, len }) => ({ fp: words[o + 1]! * 4294967296 + (words[o + 2]! >>> 0), packed: words.slice(o + 3, o + 3 + len) })));
      want -= take.length;
      this.count -= take.length;
      if (take.length === records.length && i > this.readChunk) {
        this.drop(chunk);
        this.chunks.pop();
      } else chunk.used = take.length === 0 ? chunk.used : take[0]!.o;
      if (i === this.readChunk) break;
    }
    return out.reverse().flat();
  }

  clear(): void {
    for (const c of this.chunks) this.drop(c);
    this.chunks = [];
    this.count = 0;
    this.read = 0;
    this.readChunk = 0;
    this.readOffset = 0;
    this.fileEnd = 0;
  }

  /** Frees the chunks and removes the spill file. */
  dispose(): void {
    this.clear();
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
      try {
        unlinkSync(this.spill!.path);
      } catch {
        // Already gone: the coordinator removes the whole directory at the end.
      }
    }
  }

  /** Writes the oldest in-memory chunks that nobody is reading or writing to the spill file. */
  private spillIfOver(): void {
    if (this.spill === undefined) return;
    const max = Math.max(2, this.spill.maxChunksInMemory);
    for (let i = this.readChunk + 1; this.inMemory > max && i < this.chunks.length - 1; i++) {
      const chunk = this.chunks[i]!;
      if (chunk.words === undefined) continue;
      if (chunk.offset < 0) {
        this.fd ??= openSync(this.spill.path, 'w+');
        const bytes = new Uint8Array(chunk.words.buffer, chunk.words.byteOffset, chunk.used * 4);
        let done = 0;
        while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.fileEnd + done);
        chunk.offset = this.fileEnd;
        this.fileEnd += bytes.length;
        this.spilled += bytes.length;
      }
      chunk.words = undefined;
      this.inMemory--;
    }
  }

  /** The chunk's words, read back from the spill file when they are only there. */
  private load(chunk: Chunk): Int32Array {
    if (chunk.words !== undefined) return chunk.words;
    if (chunk.offset < 0 || this.fd === undefined) throw new Error('a level chunk is neither in memory nor in the spill file');
    const words = new Int32Array(chunk.used);
    const bytes = new Uint8Array(words.buffer);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, chunk.offset + done);
      if (n === 0) throw new Error('the spill file of a level ended early');
      done += n;
    }
    // Kept until it is read: a later push may spill it again, to where it already is.
    chunk.words = words;
    this.inMemory++;
    this.spillIfOver();
    return words;
  }

  private drop(chunk: Chunk): void {
    if (chunk.words !== undefined) this.inMemory--;
    chunk.words = undefined;
  }
}
