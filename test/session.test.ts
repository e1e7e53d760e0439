// The session layer's handshake and records on their own (no sockets):
// who may open a session, what a replayed, tampered or foreign message gets,
// and a fuzz of handshakes and records that must refuse, never throw.

import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  challengeMessage, NONCE_BYTES, RECORD_OVERHEAD_BYTES, RUN_ID_BYTES, SessionEndpoint, type RecordReader, type RecordWriter, type SessionConfig, type Step,
} from '../src/transport/session.js';
import { STATEMENT_CONTEXT } from '../src/wire/auth.js';

const RUN = randomBytes(RUN_ID_BYTES);
const K_AB = randomBytes(32);
const K_AC = randomBytes(32);

function config(me: string, keys: Record<string, Uint8Array>, run: Uint8Array = RUN): SessionConfig {
  return { me, run, pairKey: (p) => keys[p] };
}

const a = new SessionEndpoint(config('a', { b: K_AB, c: K_AC }));
const b = new SessionEndpoint(config('b', { a: K_AB }));

function ok<T>(s: Step<T>): T {
  if (!s.ok) throw new Error(`${s.reason}: ${s.detail}`);
  return s.value;
}

/** A whole handshake from `from` to `to`: the writer, the reader and the messages exchanged. */
function session(from: SessionEndpoint, to: SessionEndpoint, peer: string): { writer: RecordWriter; reader: RecordReader; peer: string; auth: Buffer; challenge: Buffer; confirm: Buffer } {
  const r = to.respond();
  const i = from.initiate(peer);
  const auth = ok(i.challenge(r.challenge));
  const accepted = ok(r.auth(auth));
  const writer = ok(i.confirm(accepted.confirm));
  return { writer, reader: accepted.receiver, peer: accepted.peer, auth, challenge: r.challenge, confirm: accepted.confirm };
}

describe('session handshake', () => {
  it('authenticates both ends with the pair key: the peer is who the handshake proved, and frames pass in order', () => {
    const s = session(a, b, 'b');
    expect(s.peer).toBe('a');
    for (let n = 0; n < 5; n++) {
      const rec = s.writer.seal(Uint8Array.of(n, 1, 2));
      expect(rec.length).toBe(3 + RECORD_OVERHEAD_BYTES);
      expect([...ok(s.reader.open(rec))]).toEqual([n, 1, 2]);
    }
  });

  it('refuses an initiator without the pair key (a forger claiming to be a), an unknown name, and an auth meant for another node', () => {
    const mallory = new SessionEndpoint(config('a', { b: randomBytes(32) }));
    const r = b.respond();
    const forged = r.auth(ok(mallory.initiate('b').challenge(r.challenge)));
    expect(forged).toMatchObject({ ok: false, reason: 'bad-handshake' });
    expect(!forged.ok && forged.detail).toContain('"a"');

    const stranger = new SessionEndpoint(config('zed', { b: K_AB }));
    const r2 = b.respond();
    expect(r2.auth(ok(stranger.initiate('b').challenge(r2.challenge)))).toMatchObject({ ok: false, reason: 'unknown-peer' });

    // a's auth toward c, shown to b: it names c as the responder.
    const r3 = b.respond();
    expect(r3.auth(ok(a.initiate('c').challenge(r3.challenge)))).toMatchObject({ ok: false, reason: 'unknown-peer' });
  });

  it('a replayed auth gets nothing: the next connection has a fresh challenge', () => {
    const first = session(a, b, 'b');
    const again = b.respond();
    expect(again.auth(first.auth)).toMatchObject({ ok: false, reason: 'bad-handshake' });
  });

  it('a peer of another run is told apart from a forger: counted as foreign-run, naming both runs, and gets no session', () => {
    const other = randomBytes(RUN_ID_BYTES);
    const old = new SessionEndpoint(config('a', { b: K_AB }, other));
    const r = b.respond();
    const got = r.auth(ok(old.initiate('b').challenge(r.challenge)));
    expect(got).toMatchObject({ ok: false, reason: 'foreign-run' });
    expect(!got.ok && got.detail).toContain(other.toString('hex'));
    expect(!got.ok && got.detail).toContain(RUN.toString('hex'));
  });

  it('the initiator refuses a confirmation from a responder without the key, or one replayed from another session', () => {
    const impostor = new SessionEndpoint(config('b', { a: randomBytes(32) }));
    const i = a.initiate('b');
    const r = impostor.respond();
    const auth = ok(i.challenge(r.challenge));
    // The impostor cannot even accept a's auth; a confirmation it makes up does not verify.
    expect(r.auth(auth)).toMatchObject({ ok: false, reason: 'bad-handshake' });
    expect(i.confirm(Buffer.concat([Buffer.of(0x03), randomBytes(32)]))).toMatchObject({ ok: false, reason: 'bad-handshake' });

    const earlier = session(a, b, 'b');
    const i2 = a.initiate('b');
    ok(i2.challenge(b.respond().challenge));
    expect(i2.confirm(earlier.confirm)).toMatchObject({ ok: false, reason: 'bad-handshake' });
  });

  it('a version other than this one is refused by name, from either side', () => {
    const r = b.respond();
    const auth = ok(a.initiate('b').challenge(r.challenge));
    auth[1] = 9;
    expect(r.auth(auth)).toMatchObject({ ok: false, reason: 'version' });
    const c = challengeMessage(randomBytes(NONCE_BYTES));
    c[1] = 9;
    expect(a.initiate('b').challenge(c)).toMatchObject({ ok: false, reason: 'version' });
  });

  it('never applies the pair key itself to a challenge: a challenge shaped like a statement does not come back as its tag', () => {
    // A malicious responder picks the challenge's bytes; with the pair key as the
    // handshake's MAC key, the auth's tag would be a statement tag over them.
    const chosen = challengeMessage(randomBytes(NONCE_BYTES));
    const auth = ok(a.initiate('b').challenge(chosen));
    const signed = auth.subarray(0, auth.length - 32);
    const candidates = [chosen, chosen.subarray(2), signed, Buffer.concat([chosen, signed])].flatMap((x) => [
      createHmac('sha256', K_AB).update(x).digest(),
      createHmac('sha256', K_AB).update(STATEMENT_CONTEXT).update(x).digest(),
      createHmac('sha256', K_AB).update(STATEMENT_CONTEXT).update(chosen).update(x).digest(),
    ]);
    for (const t of candidates) expect(auth.includes(t.subarray(0, 16))).toBe(false);
  });
});

describe('session records', () => {
  it('a record repeated, dropped or reordered is refused as replayed; a tampered one as bad-record', () => {
    const s = session(a, b, 'b');
    const r0 = s.writer.seal(Uint8Array.of(0));
    const r1 = s.writer.seal(Uint8Array.of(1));
    const r2 = s.writer.seal(Uint8Array.of(2));
    ok(s.reader.open(r0));
    expect(s.reader.open(r0)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(s.reader.open(r2)).toMatchObject({ ok: false, reason: 'replayed' });
    const bad = Buffer.from(r1);
    bad[9] = bad[9]! ^ 1;
    expect(s.reader.open(bad)).toMatchObject({ ok: false, reason: 'bad-record' });
    expect([...ok(s.reader.open(r1))]).toEqual([1]);
  });

  it('a record of one session replayed into a later session of the same pair fails its MAC', () => {
    const first = session(a, b, 'b');
    const old = first.writer.seal(Uint8Array.of(42));
    const second = session(a, b, 'b');
    expect(second.reader.open(old)).toMatchObject({ ok: false, reason: 'bad-record' });
  });
});

describe('session fuzz', () => {
  /** Flips, truncates, extends or replaces `m` at random. */
  function mutate(m: Buffer, rnd: () => number): Buffer {
    const out = Buffer.from(m);
    switch (Math.floor(rnd() * 5)) {
      case 0: {
        const at = Math.floor(rnd() * out.length);
        out[at] = out[at]! ^ (1 << Math.floor(rnd() * 8));
        return out;
      }
      case 1:
        return out.subarray(0, Math.floor(rnd() * out.length));
      case 2:
        return Buffer.concat([out, randomBytes(1 + Math.floor(rnd() * 8))]);
      case 3:
        return randomBytes(Math.floor(rnd() * 2 * out.length));
      default: {
        const at = Math.floor(rnd() * out.length);
        out[at] = Math.floor(rnd() * 256);
        return out;
      }
    }
  }

  it('10,000 mutated handshakes and 10,000 mutated records: each refused with a reason, none throws, none accepted altered', () => {
    let seed = 20261207;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const reasons = new Map<string, number>();
    const count = (s: Step<unknown>): void => {
      if (!s.ok) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
    };
    let accepted = 0;
    for (let n = 0; n < 10_000; n++) {
      const r = b.respond();
      const i = a.initiate('b');
      const which = n % 3;
      if (which === 0) {
        // The responder gets a mutated auth.
        const auth = ok(i.challenge(r.challenge));
        const m = mutate(auth, rnd);
        const got = r.auth(m);
        if (got.ok) {
          expect(m.equals(auth)).toBe(true);
          accepted++;
        }
        count(got);
      } else if (which === 1) {
        // The initiator gets a mutated challenge, or a mutated confirmation.
        const c = mutate(r.challenge, rnd);
        const got = i.challenge(c);
        count(got);
        if (got.ok) {
          // A challenge altered in its nonce is still a challenge: the responder then refuses the auth.
          const back = r.auth(got.value);
          if (!c.equals(r.challenge)) expect(back.ok).toBe(false);
          count(back);
        }
      } else {
        const auth = ok(i.challenge(r.challenge));
        const confirm = ok(r.auth(auth)).confirm;
        const m = mutate(confirm, rnd);
        const got = i.confirm(m);
        if (got.ok) expect(m.equals(confirm)).toBe(true);
        count(got);
      }
    }
    const s = session(a, b, 'b');
    let recordsOk = 0;
    for (let n = 0; n < 10_000; n++) {
      const rec = s.writer.seal(randomBytes(1 + Math.floor(rnd() * 64)));
      const m = mutate(rec, rnd);
      const got = s.reader.open(m);
      count(got);
      if (got.ok) {
        expect(m.equals(rec)).toBe(true);
        recordsOk++;
      } else {
        // The genuine record still opens: a refused one leaves the session where it was.
        expect(s.reader.open(rec).ok).toBe(true);
      }
    }
    // Every reason a mutation can produce was produced; the counts are the fuzz's record.
    for (const r of ['garbage', 'version', 'bad-handshake', 'unknown-peer', 'bad-record']) expect(reasons.get(r) ?? 0, r).toBeGreaterThan(0);
    expect(accepted + recordsOk).toBeLessThan(2000);
  });
});
