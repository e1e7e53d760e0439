// Fuzzing the receiving side: thousands of mutated frames (bit flips,
// truncations, insertions, splices, random bytes, deep nesting, and mutations
// that keep the frame well formed but tamper with its statements and
// authenticators) go through decodeFrame and the Opener. Nothing may throw,
// and nothing may be accepted that was not legitimately sealed: the attacker
// holds no key, so an accepted statement must be byte-identical to one that
// its issuer sealed, or be PLAINTEXT from its issuer over the channel that
// the PLAINTEXT mechanism trusts.
import { describe, expect, it } from 'vitest';
import { int, mulberry32, pick, type Rand } from './helpers/random.js';
import { makeRecord, makeSet, type RecordValue } from '../src/semantics/value.js';
import { decodeCbor, encodeCbor, type Cbor, type CborIn } from '../src/wire/cbor.js';
import {
  Countersigner,
  dataFrame,
  decodeFrame,
  decodeStatement,
  encodeFrame,
  encodeStatement,
  Opener,
  Sealer,
  WireStats,
  type Authenticator,
  type StatementBody,
  type WireItem,
} from '../src/wire/index.js';
import { kindsWorld } from './helpers/wire.js';

/** WIRE_FUZZ_SEED=n replays or widens the fuzz; the default keeps CI deterministic. */
const SEED = Number(process.env['WIRE_FUZZ_SEED'] ?? 0x5eed_2024);
const MUTATED_FRAMES = 12_000;


const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Sent {
  readonly from: string;
  readonly to: string;
  readonly items: readonly WireItem[];
  readonly bytes: Uint8Array;
}

/** Legitimate traffic: every issuer seals statements of both record types for several verifiers. */
function legitimateTraffic(): { frames: Sent[]; legit: Set<string> } {
  const w = kindsWorld();
  const legit = new Set<string>();
  const frames: Sent[] = [];
  const cs = new Countersigner(w.keys.ring('ttp'), w.deployment, w.schema);
  const kinds = (k: number): RecordValue =>
    makeRecord('Kinds', [k % 2 === 0, ['Red', 'Green', 'Blue'][k % 3]!, k % 4, -1 - k, 1000 * k, `r${1 + (k % 4)}`, makeSet([0, k % 4]), makeSet(['r1', `r${1 + (k % 4)}`]), makeRecord('Inner', ['c1', k % 4]), makeSet([makeRecord('Inner', ['c2', k % 3]), makeRecord('Inner', ['c1', 1])])]);
  let seq = 0;
  for (const issuer of w.principals) {
    const sealer = new Sealer(w.keys.ring(issuer), w.deployment, w.schema);
    const verifiers = w.principals.filter((p) => p !== issuer);
    const stmts: StatementBody[] = [];
    for (let k = 0; k < 4; k++) {
      const vs = verifiers.filter((_, i) => (i + k) % 2 === 0 || k === 0);
      stmts.push({ issuer, verifiers: vs, auditors: [], record: makeRecord('Ping', [k]) });
      stmts.push({ issuer, verifiers: vs, auditors: [], record: kinds(k) });
    }
    for (const to of verifiers) {
      const items: WireItem[] = [];
      for (const s of stmts) {
        if (!s.verifiers.includes(to)) continue;
        const e = encodeStatement(w.schema, s);
        if (!e.ok) throw new Error(e.error.detail);
        const c = issuer === 'r3' ? cs.countersign(e.encoded.bytes, issuer) : undefined;
        const r = sealer.seal(e.encoded, to, c?.ok ? c.sig : undefined);
        if (!r.ok) throw new Error(r.error.detail);
        legit.add(hex(r.item.stmt));
        items.push(r.item);
      }
      for (let i = 0; i < items.length; i += 3) {
        const chunk = items.slice(i, i + 3);
        const vc = seq % 2 === 0 ? { [issuer]: seq, [to]: i } : undefined;
        const f = encodeFrame(dataFrame(issuer, to, seq++, chunk, vc));
        if (!f.ok) throw new Error(f.detail);
        frames.push({ from: issuer, to, items: chunk, bytes: f.bytes });
      }
    }
  }
  return { frames, legit };
}

// ---------------------------------------------------------------------------
// Mutators


function flipBits(r: Rand, b: Uint8Array): Uint8Array {
  const c = b.slice();
  const n = 1 + int(r, 8);
  for (let i = 0; i < n && c.length > 0; i++) {
    const at = int(r, c.length);
    c[at] = c[at]! ^ (1 << int(r, 8));
  }
  return c;
}

const truncate = (r: Rand, b: Uint8Array): Uint8Array => b.slice(0, int(r, b.length));

function insertOrDelete(r: Rand, b: Uint8Array): Uint8Array {
  const at = int(r, b.length + 1);
  if (r() < 0.5 && b.length > 0) return new Uint8Array([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + int(r, 4)))]);
  const extra = Array.from({ length: 1 + int(r, 4) }, () => int(r, 256));
  return new Uint8Array([...b.subarray(0, at), ...extra, ...b.subarray(at)]);
}

const splice = (r: Rand, a: Uint8Array, b: Uint8Array): Uint8Array => new Uint8Array([...a.subarray(0, int(r, a.length + 1)), ...b.subarray(int(r, b.length + 1))]);

const randomBytes = (r: Rand): Uint8Array => new Uint8Array(Array.from({ length: int(r, 300) }, () => int(r, 256)));

/** Deep nesting: alone, or in place of a statement inside a well-formed frame. */
function deep(r: Rand, f: Sent): Uint8Array {
  const depth = 50 + int(r, 5000);
  const unit = pick(r, [[0x81], [0xa1, 0x61, 0x61], [0x82, 0x00]]);
  const nest = new Uint8Array(depth * unit.length + 1);
  for (let i = 0; i < depth; i++) nest.set(unit, i * unit.length);
  if (r() < 0.5) return nest;
  const items = f.items.map((it, i) => (i === 0 ? { ...it, stmt: nest } : it));
  const e = encodeFrame(dataFrame(f.from, f.to, 0, items));
  return e.ok ? e.bytes : nest;
}

/** Tamper with the statements and authenticators of a frame while keeping it well formed. */
function tamper(r: Rand, f: Sent, all: readonly Sent[]): Uint8Array {
  const other = pick(r, all);
  const items = f.items.map((it): WireItem => {
    if (r() < 0.3) return it;
    const donor = pick(r, other.items);
    switch (int(r, 8)) {
      case 0: // the statement's bytes flipped, the authenticator kept
        return { ...it, stmt: flipBits(r, it.stmt) };
      case 1: // another statement under this authenticator
        return { stmt: donor.stmt, auth: it.auth };
      case 2: // this statement under another's authenticator
        return { stmt: it.stmt, auth: donor.auth };
      case 3: // the tag or signature flipped
        return { ...it, auth: flipAuth(r, it.auth) };
      case 4: // the HMAC vector re-addressed, or a TTP renamed
        return { ...it, auth: readdress(r, it.auth) };
      case 5: // a valid statement the issuer never sent, re-encoded canonically
        return { ...it, stmt: forgeStatement(r, it.stmt) };
      case 6: // a weaker mechanism claimed
        return { ...it, auth: { kind: 'PLAINTEXT' } };
      default: // statement re-encoded with one field changed at the CBOR level
        return { ...it, stmt: rewriteCbor(r, it.stmt) };
    }
  });
  const to = r() < 0.9 ? f.to : pick(r, kindsWorld().principals);
  const e = encodeFrame(dataFrame(f.from, to, int(r, 1000), items));
  return e.ok ? e.bytes : f.bytes;
}

function flipAuth(r: Rand, a: Authenticator): Authenticator {
  switch (a.kind) {
    case 'PLAINTEXT':
      return { kind: 'HMAC', tags: [] };
    case 'HMAC':
      return { kind: 'HMAC', tags: a.tags.map((t) => ({ to: t.to, tag: flipBits(r, t.tag) })) };
    case 'SIGBATCH':
      // A reference to another entry, or past the digests.
      return { kind: 'SIGBATCH', batch: a.batch + int(r, 3), index: a.index + 1 + int(r, 3) };
    default:
      return { ...a, sig: r() < 0.8 ? flipBits(r, a.sig) : a.sig.slice(0, int(r, a.sig.length)) };
  }
}

function readdress(r: Rand, a: Authenticator): Authenticator {
  const ps = [...kindsWorld().principals, 'ttp'];
  if (a.kind === 'HMAC') return { kind: 'HMAC', tags: a.tags.map((t) => ({ to: pick(r, ps), tag: t.tag })) };
  if (a.kind === 'TTP') return { ...a, ttp: pick(r, ps) };
  if (a.kind === 'ED25519') return { kind: 'RSA', sig: a.sig };
  if (a.kind === 'RSA') return { kind: 'ED25519', sig: a.sig };
  return { kind: 'TTP', ttp: 'ttp', sig: new Uint8Array(64) };
}

/** A well-typed statement close to the original: other issuer, verifiers or record value. */
function forgeStatement(r: Rand, stmt: Uint8Array): Uint8Array {
  const w = kindsWorld();
  const d = decodeStatement(w.schema, stmt);
  if (!d.ok) return stmt;
  const s = d.encoded.statement;
  const change = int(r, 3);
  const forged: StatementBody = {
    ...s,
    issuer: change === 0 ? pick(r, w.principals) : s.issuer,
    verifiers: change === 1 ? [...new Set([...s.verifiers, pick(r, w.principals)])] : s.verifiers,
    record: change === 2 && s.record.type === 'Ping' ? makeRecord('Ping', [int(r, 4)]) : s.record,
  };
  const e = encodeStatement(w.schema, forged);
  return e.ok ? e.encoded.bytes : stmt;
}

/** Decode the statement's CBOR, change one leaf, re-encode: canonical bytes, possibly ill-typed. */
function rewriteCbor(r: Rand, stmt: Uint8Array): Uint8Array {
  const d = decodeCbor(stmt);
  if (!d.ok) return stmt;
  const leaves = [0, 1, -1, 4, 1000000, true, false, 'r1', 'c2', 'Red', 'mallory', '', new Uint8Array(2), [], ['Ping', 1]];
  const change = (c: Cbor, depth: number): CborIn => {
    if (Array.isArray(c) && c.length > 0 && (depth === 0 || r() < 0.7)) {
      const arr = c as readonly Cbor[];
      const i = int(r, arr.length);
      return arr.map((x, j) => (j === i ? change(x, depth + 1) : (x as CborIn)));
    }
    return pick(r, leaves) as CborIn;
  };
  return encodeCbor(change(d.value, 0));
}

// ---------------------------------------------------------------------------

describe('wire fuzz', () => {
  it(`${MUTATED_FRAMES} mutated frames: no exception, no forgery accepted`, () => {
    const w = kindsWorld();
    const { frames, legit } = legitimateTraffic();
    const stats = new WireStats();
    const openers = new Map(w.principals.map((p) => [p, new Opener(w.keys.ring(p), w.deployment, w.schema, stats)]));
    const r = mulberry32(SEED);
    const mutators: ((f: Sent) => Uint8Array)[] = [
      (f) => flipBits(r, f.bytes),
      (f) => truncate(r, f.bytes),
      (f) => insertOrDelete(r, f.bytes),
      (f) => splice(r, f.bytes, pick(r, frames).bytes),
      () => randomBytes(r),
      (f) => deep(r, f),
      (f) => tamper(r, f, frames),
      (f) => tamper(r, f, frames),
      (f) => tamper(r, f, frames),
    ];
    let exceptions = 0;
    let accepted = 0;
    let plaintextFromIssuer = 0;
    const forgeries: string[] = [];
    for (let n = 0; n < MUTATED_FRAMES; n++) {
      const f = pick(r, frames);
      const m = int(r, mutators.length);
      try {
        const bytes = mutators[m]!(f);
        // The link sender is the transport's: usually the original sender; sometimes a peer sending as itself.
        const sender = r() < 0.85 ? f.from : pick(r, w.principals);
        for (const me of new Set([f.to, pick(r, w.principals)])) {
          const d = decodeFrame(bytes, { me, sender, stats });
          if (!d.ok || d.frame.kind !== 'data') continue;
          for (const o of openers.get(me)!.openFrame(d.frame)) {
            if (!o.ok) continue;
            accepted++;
            const s = o.opened.statement;
            if (legit.has(hex(o.opened.bytes))) continue;
            if (o.opened.mechanism === 'PLAINTEXT' && s.issuer === sender) {
              plaintextFromIssuer++;
              continue;
            }
            forgeries.push(`mutator ${m}, frame ${n}: ${me} accepted ${s.issuer}'s ${s.record.key} by ${o.opened.mechanism} from ${sender}`);
          }
        }
      } catch (e) {
        exceptions++;
        if (exceptions < 5) console.error(`mutator ${m}, frame ${n}:`, e);
      }
    }
    const s = stats.snapshot();
    console.log(
      `wire fuzz (seed ${SEED}): ${MUTATED_FRAMES} mutated frames (${frames.length} legitimate), ${s.framesIn} decodes, ` +
        `frames dropped ${JSON.stringify(s.framesDropped)}, items accepted ${accepted} (PLAINTEXT from its issuer, altered in flight: ${plaintextFromIssuer}), ` +
        `items dropped ${JSON.stringify(s.itemsDropped)}, verifies ${s.crypto.verify.count}, macs ${s.crypto.mac.count}`,
    );
    expect(exceptions).toBe(0);
    expect(forgeries).toEqual([]);
    // The fuzz reached every stage: frames refused, items refused for each reason, statements accepted.
    for (const reason of ['malformed', 'misaddressed', 'wrong-sender'] as const) expect(s.framesDropped[reason], reason).toBeGreaterThan(0);
    for (const reason of ['malformed', 'forged', 'wrong-mechanism', 'not-a-verifier'] as const) expect(s.itemsDropped[reason], reason).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
  });

  it('the unmutated traffic is accepted whole', () => {
    const w = kindsWorld();
    const { frames } = legitimateTraffic();
    let items = 0;
    for (const f of frames) {
      const d = decodeFrame(f.bytes, { me: f.to, sender: f.from });
      if (!d.ok || d.frame.kind !== 'data') throw new Error(d.ok ? 'not data' : d.detail);
      const opened = new Opener(w.keys.ring(f.to), w.deployment, w.schema).openFrame(d.frame);
      expect(opened.map((o) => (o.ok ? 'ok' : `${o.reason}: ${o.detail}`))).toEqual(f.items.map(() => 'ok'));
      items += opened.length;
    }
    expect(items).toBeGreaterThan(100);
  });
});
