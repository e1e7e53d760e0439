// Length-prefixed frames on a byte stream: a 4-byte big-endian length, then
// that many bytes. The length is checked before anything is buffered, so a
// peer announcing a huge frame costs four bytes, not a gigabyte of memory.

export interface FrameReaderOptions {
  /** The largest frame accepted (the wire's MAX_FRAME_BYTES). */
  readonly maxFrameBytes: number;
}

export type ReadResult =
  | { readonly ok: true; readonly frames: readonly Uint8Array[] }
  | { readonly ok: false; readonly reason: 'oversized' | 'empty'; readonly detail: string };

export const LENGTH_BYTES = 4;

/** Prefixes `bytes` with its length. */
export function lengthPrefixed(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_BYTES + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, LENGTH_BYTES);
  return out;
}

/**
 * Reassembles frames from chunks as they arrive. After a refusal the reader
 * is spent: the stream is out of step and its connection must be closed.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  private maxFrameBytes: number;

  constructor(opts: FrameReaderOptions) {
    this.maxFrameBytes = opts.maxFrameBytes;
  }

  /** From now on, frames up to `n` bytes (a session's records, once its small handshake messages are done). */
  limit(n: number): void {
    this.maxFrameBytes = n;
  }

  push(chunk: Buffer): ReadResult {
    if (this.failed) return { ok: false, reason: 'oversized', detail: 'the stream was already refused' };
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.buffered < LENGTH_BYTES) break;
      const head = this.peek(LENGTH_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.maxFrameBytes) {
        this.failed = true;
        return { ok: false, reason: 'oversized', detail: `a frame of ${length} bytes announced, at most ${this.maxFrameBytes}` };
      }
      // No frame is empty (the smallest CBOR map of a frame has several fields): zero is garbage.
      if (length === 0) {
        this.failed = true;
        return { ok: false, reason: 'empty', detail: 'a frame of 0 bytes announced' };
      }
      if (this.buffered < LENGTH_BYTES + length) break;
      const whole = this.take(LENGTH_BYTES + length);
      frames.push(new Uint8Array(whole.buffer, whole.byteOffset + LENGTH_BYTES, length));
    }
    return { ok: true, frames };
  }

  /** Bytes waiting for the rest of their frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    // Rare (a length split across chunks): join once, so the next look is cheap.
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    // A copy, so that the frame handed on does not pin (or share) the receive buffer.
    const out = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
