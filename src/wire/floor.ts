// The cost of the cryptography under the wire on this machine: the floor
// below which no authenticated message rate can go. Measured with the wire's
// own functions (context prefix included) on a statement-sized message, for
// the bench to report beside the runtime's throughput.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { macTag, signStatement, statementSignatureValid } from './auth.js';

export interface CryptoFloor {
  /** HMAC-SHA256 tag, µs per operation. */
  readonly macUs: number;
  readonly ed25519SignUs: number;
  readonly ed25519VerifyUs: number;
  /** RSA-2048 PSS/SHA-256. */
  readonly rsaSignUs: number;
  readonly rsaVerifyUs: number;
}

export interface CryptoFloorOptions {
  /** Size of the message authenticated; default 128 bytes, a typical statement. */
  readonly messageBytes?: number;
  /** Minimum time spent measuring each operation; default 200 ms. */
  readonly minMs?: number;
}

/** µs per call of `f`, after a warm-up, over at least `minMs` and 10 calls. */
function perOp(f: () => unknown, minMs: number): number {
  for (let i = 0; i < 10; i++) f();
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  // Batches keep the clock out of the loop for fast operations.
  let batch = 1;
  while (elapsed < minMs || n < 10) {
    for (let i = 0; i < batch; i++) f();
    n += batch;
    elapsed = performance.now() - t0;
    if (elapsed < minMs / 10) batch = Math.min(batch * 2, 4096);
  }
  return (elapsed * 1000) / n;
}

export function cryptoFloor(opts: CryptoFloorOptions = {}): CryptoFloor {
  const minMs = opts.minMs ?? 200;
  const msg = new Uint8Array(randomBytes(opts.messageBytes ?? 128));
  const macKey = new Uint8Array(randomBytes(32));
  const ed = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const edSig = signStatement('ED25519', ed.privateKey, msg);
  const rsaSig = signStatement('RSA', rsa.privateKey, msg);
  if (edSig === undefined || rsaSig === undefined) throw new Error('cryptoFloor: node:crypto refused a freshly generated key');
  return {
    macUs: perOp(() => macTag(macKey, msg), minMs),
    ed25519SignUs: perOp(() => signStatement('ED25519', ed.privateKey, msg), minMs),
    ed25519VerifyUs: perOp(() => statementSignatureValid('ED25519', ed.publicKey, msg, edSig), minMs),
    rsaSignUs: perOp(() => signStatement('RSA', rsa.privateKey, msg), minMs),
    rsaVerifyUs: perOp(() => statementSignatureValid('RSA', rsa.publicKey, msg, rsaSig), minMs),
  };
}
