// Statement authenticators bind the run identity (issue 22 item 2): a
// statement sealed in one run, with the same keys, is refused as forged by a
// node of another run, whichever mechanism authenticates it (HMAC, Ed25519,
// RSA, a TTP's countersignature, a batch signature) and whichever path it
// came by; within one run it is accepted. Without a run (unit tests, one
// process simulations) the contexts are the unbound ones, as before.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeRecord } from '../src/semantics/value.js';
import { batchSignatureValid, Countersigner, encodeStatement, Opener, runContexts, Sealer, statementDigest, UNBOUND_CONTEXTS, type StatementBody } from '../src/wire/index.js';
import { kindsWorld } from './helpers/wire.js';

const RUN_A = randomBytes(16);
const RUN_B = randomBytes(16);

/** Seals `issuer`'s Ping for r4 under `sealRun` and opens it at r4 under `openRun`. */
function sealAndOpen(issuer: string, sealRun: Uint8Array | undefined, openRun: Uint8Array | undefined) {
  const w = kindsWorld();
  const s: StatementBody = { issuer, verifiers: ['r4'], auditors: [], record: makeRecord('Ping', [1]) };
  const e = encodeStatement(w.schema, s);
  if (!e.ok) throw new Error(e.error.detail);
  const sealer = new Sealer(w.keys.ring(issuer), w.deployment, w.schema, undefined, runContexts(sealRun));
  // r3's statements go out countersigned by the TTP, which belongs to the sealing run.
  const cs = issuer === 'r3' ? new Countersigner(w.keys.ring('ttp'), w.deployment, w.schema, undefined, runContexts(sealRun)).countersign(e.encoded.bytes, issuer) : undefined;
  if (cs !== undefined && !cs.ok) throw new Error(cs.error.detail);
  const sealed = sealer.seal(e.encoded, 'r4', cs?.ok ? cs.sig : undefined);
  if (!sealed.ok) throw new Error(sealed.error.detail);
  return new Opener(w.keys.ring('r4'), w.deployment, w.schema, undefined, runContexts(openRun)).open(sealed.item, issuer);
}

describe('run-bound statement authenticators', () => {
  // c1: HMAC, r1: Ed25519, r2: RSA, r3: TTP (test/helpers/wire.ts MECHANISMS).
  for (const [issuer, mechanism] of [['c1', 'HMAC'], ['r1', 'ED25519'], ['r2', 'RSA'], ['r3', 'TTP']] as const) {
    it(`${mechanism}: accepted within the run, refused as forged from another run or from no run`, () => {
      const same = sealAndOpen(issuer, RUN_A, RUN_A);
      expect(same.ok).toBe(true);
      for (const [from, to] of [[RUN_A, RUN_B], [undefined, RUN_A], [RUN_A, undefined]] as const) {
        const other = sealAndOpen(issuer, from, to);
        expect(other.ok).toBe(false);
        if (!other.ok) expect(other.reason).toBe('forged');
      }
    });
  }

  it('a batch signature of another run does not verify', () => {
    const w = kindsWorld();
    const e = encodeStatement(w.schema, { issuer: 'r1', verifiers: ['r4'], auditors: [], record: makeRecord('Ping', [2]) });
    if (!e.ok) throw new Error(e.error.detail);
    const batch = new Sealer(w.keys.ring('r1'), w.deployment, w.schema, undefined, runContexts(RUN_A)).signBatch([e.encoded], 'ED25519')!;
    const key = w.keys.ring('r4').publicKey('r1', 'ED25519')!;
    const digests = [statementDigest(e.encoded.bytes)];
    expect(batchSignatureValid('ED25519', key, digests, batch.sig, undefined, runContexts(RUN_A).batch)).toBe(true);
    expect(batchSignatureValid('ED25519', key, digests, batch.sig, undefined, runContexts(RUN_B).batch)).toBe(false);
  });

  it('no run is the unbound contexts; runs differ from each other and from them', () => {
    expect(runContexts(undefined)).toBe(UNBOUND_CONTEXTS);
    const a = runContexts(RUN_A);
    const b = runContexts(RUN_B);
    for (const k of ['statement', 'ttp', 'countersignRequest', 'batch'] as const) {
      expect(Buffer.from(a[k]).equals(Buffer.from(b[k]))).toBe(false);
      expect(Buffer.from(a[k]).equals(Buffer.from(UNBOUND_CONTEXTS[k]))).toBe(false);
      expect(Buffer.from(a[k]).subarray(0, UNBOUND_CONTEXTS[k].length).equals(Buffer.from(UNBOUND_CONTEXTS[k]))).toBe(true);
    }
  });
});
