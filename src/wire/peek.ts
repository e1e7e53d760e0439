// A frame's kind and link sequence number, read without decoding the frame
// (issue 24 item 4): the link drops a retransmitted copy of a frame it has
// already delivered and acked by its number alone, instead of decoding the
// frame and checking every authenticator again. Only the top-level map's
// heads are walked until `kind` and `seq` are found; values on the way are
// skipped by their lengths. Anything that is not a canonical map of that
// shape is `undefined`, and the frame then goes to the full decoder, which
// says what is wrong with it. Over TCP the session record's tag was checked
// before (transport/session.ts), so the number is the authenticated peer's:
// nobody else can make this node skip one of its frames.

/** The kind and link sequence number a frame says it has. */
export interface PeekedFrame {
  readonly kind: string;
  readonly seq: number;
}

interface Head {
  readonly major: number;
  readonly value: number;
  readonly next: number;
}

/** A CBOR head at `at`: its major type, argument and where its content starts; undefined for an indefinite length or bytes past the end. */
function head(b: Uint8Array, at: number): Head | undefined {
  if (at >= b.length) return undefined;
  const first = b[at]!;
  const major = first >> 5;
  const ai = first & 31;
  if (ai < 24) return { major, value: ai, next: at + 1 };
  const n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
  if (n === 0 || at + 1 + n > b.length) return undefined;
  let value = 0;
  for (let i = 0; i < n; i++) value = value * 256 + b[at + 1 + i]!;
  if (!Number.isSafeInteger(value)) return undefined;
  return { major, value, next: at + 1 + n };
}

/** Where the item at `at` ends (depth-limited); undefined when it does not end inside `b`. */
function skip(b: Uint8Array, at: number, depth: number): number | undefined {
  if (depth > 16) return undefined;
  const h = head(b, at);
  if (h === undefined) return undefined;
  switch (h.major) {
    case 0:
    case 1:
    case 7:
      return h.next;
    case 2:
    case 3:
      return h.next + h.value <= b.length ? h.next + h.value : undefined;
    case 4:
    case 5: {
      let p: number | undefined = h.next;
      const items = h.major === 4 ? h.value : 2 * h.value;
      for (let i = 0; i < items && p !== undefined; i++) p = skip(b, p, depth + 1);
      return p;
    }
    case 6:
      return skip(b, h.next, depth + 1);
    default:
      return undefined;
  }
}

function text(b: Uint8Array, h: Head): string | undefined {
  if (h.major !== 3 || h.next + h.value > b.length || h.value > 64) return undefined;
  let s = '';
  for (let i = 0; i < h.value; i++) {
    const c = b[h.next + i]!;
    if (c >= 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/** The frame's `kind` and `seq`, when it is a map carrying both (an ack, data, fetch, ...); undefined otherwise. */
export function peekFrame(b: Uint8Array): PeekedFrame | undefined {
  const m = head(b, 0);
  if (m === undefined || m.major !== 5) return undefined;
  let p = m.next;
  let kind: string | undefined;
  let seq: number | undefined;
  for (let i = 0; i < m.value; i++) {
    const k = head(b, p);
    if (k === undefined) return undefined;
    const key = text(b, k);
    if (key === undefined) return undefined;
    p = k.next + k.value;
    if (key === 'seq') {
      const v = head(b, p);
      if (v === undefined || v.major !== 0) return undefined;
      seq = v.value;
      p = v.next;
    } else if (key === 'kind') {
      const v = head(b, p);
      if (v === undefined) return undefined;
      kind = text(b, v);
      if (kind === undefined) return undefined;
      p = v.next + v.value;
    } else {
      const next = skip(b, p, 0);
      if (next === undefined) return undefined;
      p = next;
    }
    if (kind !== undefined && seq !== undefined) return { kind, seq };
  }
  return undefined;
}
