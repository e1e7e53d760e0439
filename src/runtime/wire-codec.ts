// The runtime's FrameCodec made of the wire stage: statements sealed for each
// verifier with the mechanism the deployment prescribes, frames in the
// canonical encoding, and every received frame opened (decoded, addressed,
// authenticated) before a node sees a statement of it.

import type { Deployment } from '../deploy/deployment.js';
import type { KeyRing } from '../keys/keyring.js';
import {
  ackFrame, dataFrame, decodeFrame, encodeFrame, macTag, signStatement, Opener, Sealer, WireStats,
  type Authenticator, type WireItem, type WireSchema,
} from '../wire/index.js';
import type { FrameCodec, Opened, OpenedStatement, VectorClock } from './codec.js';

export interface WireCodecStats {
  /** Statements that could not be sealed (no mechanism, no key, a TTP not reached), by reason. */
  readonly unsealed: Record<string, number>;
}

export class WireCodec implements FrameCodec {
  readonly wire = new WireStats();
  readonly local: WireCodecStats = { unsealed: {} };
  private readonly sealer: Sealer;
  private readonly opener: Opener;

  constructor(
    private readonly ring: KeyRing,
    private readonly deployment: Deployment,
    schema: WireSchema,
  ) {
    this.sealer = new Sealer(ring, deployment, schema, this.wire);
    this.opener = new Opener(ring, deployment, schema, this.wire);
  }

  get me(): string {
    return this.ring.principal;
  }

  data(to: string, seq: number, statements: readonly OpenedStatement[], vc?: VectorClock): Uint8Array {
    const items: WireItem[] = [];
    for (const s of statements) {
      const e = this.sealer.encode(s);
      if (!e.ok) {
        this.unsealed(`invalid-statement`);
        continue;
      }
      const r = this.sealer.seal(e.encoded, to);
      if (r.ok) items.push(r.item);
      else this.unsealed(r.error.code);
    }
    return this.encode(dataFrame(this.me, to, seq, items, vc));
  }

  ack(to: string, seq: number): Uint8Array {
    return this.encode(ackFrame(this.me, to, seq));
  }

  open(from: string, bytes: Uint8Array): Opened {
    const d = decodeFrame(bytes, { me: this.me, sender: from, stats: this.wire });
    if (!d.ok) return { kind: 'drop', reason: d.reason };
    const f = d.frame;
    switch (f.kind) {
      case 'ack':
        return { kind: 'ack', seq: f.seq };
      case 'hello':
        return { kind: 'hello' };
      case 'data': {
        const statements: OpenedStatement[] = [];
        for (const r of this.opener.openFrame(f)) if (r.ok) statements.push(r.opened.statement);
        return f.vc === undefined ? { kind: 'data', seq: f.seq, statements } : { kind: 'data', seq: f.seq, statements, vc: f.vc };
      }
    }
  }

  /**
   * What a Byzantine node does to claim another issuer's statement: seal it
   * with its own keys under the mechanism the deployment prescribes for the
   * victim. Receivers must refuse it; the simulation's attacker uses this.
   */
  forge(to: string, seq: number, s: OpenedStatement): Uint8Array {
    const e = this.sealer.encode(s);
    if (!e.ok) return new Uint8Array();
    const mech = this.deployment.mechanismFor(s.issuer, to, s.auditors);
    let auth: Authenticator;
    if (mech?.kind === 'ED25519' || mech?.kind === 'RSA') {
      const key = this.ring.signingKey(mech.kind);
      const sig = key === undefined ? undefined : signStatement(mech.kind, key, e.encoded.bytes);
      auth = sig === undefined ? { kind: 'PLAINTEXT' } : { kind: mech.kind, sig };
    } else if (mech?.kind === 'HMAC') {
      const key = this.ring.hmacKey(to);
      auth = key === undefined ? { kind: 'PLAINTEXT' } : { kind: 'HMAC', tags: [{ to, tag: macTag(key, e.encoded.bytes) }] };
    } else {
      auth = { kind: 'PLAINTEXT' };
    }
    return this.encode(dataFrame(this.me, to, seq, [{ stmt: e.encoded.bytes, auth }]));
  }

  private encode(f: Parameters<typeof encodeFrame>[0]): Uint8Array {
    const r = encodeFrame(f);
    if (!r.ok) {
      this.unsealed(`frame-${r.reason}`);
      return new Uint8Array();
    }
    return r.bytes;
  }

  private unsealed(reason: string): void {
    this.local.unsealed[reason] = (this.local.unsealed[reason] ?? 0) + 1;
  }
}

