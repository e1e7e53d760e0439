// Key files: `mommie keys` writes one file per node (0600, in a 0700
// directory, never over an existing file), and loadKeyRing reads one back or
// says, with a code, why it will not. A ring's keys work with its peers':
// what one signs the other verifies, and both ends of a pair hold one HMAC key.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHmac, sign, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyRings } from '../src/keys/ring.js';
import { loadKeyRing } from '../src/keys/load.js';
import type { KeyRing } from '../src/keys/keyring.js';
import { mommie } from './helpers/cli.js';

let dir: string;
let keys: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mommie-keys-'));
  keys = join(dir, 'pb', 'keys');
  const r = await mommie(['keys', 'specs/PrimaryBackup.deploy', '-o', keys]);
  expect(r.stderr).toContain(`wrote 6 key files to ${keys}`);
  expect(r.exitCode).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

function ring(d: string, principal: string): KeyRing {
  const r = loadKeyRing(d, principal);
  if (!r.ok) throw new Error(r.diagnostic.message);
  return r.ring;
}

/** A copy of r1's key file under `name`, with `edit` applied to its JSON; returns the directory. */
function variant(name: string, edit: (json: Record<string, unknown>) => unknown, principal = 'r1'): string {
  const d = join(dir, `variant-${name}`);
  mkdirSync(d, { mode: 0o700 });
  const original = JSON.parse(readFileSync(join(keys, 'r1.keys.json'), 'utf8')) as Record<string, unknown>;
  const edited = edit(original);
  writeFileSync(join(d, `${principal}.keys.json`), typeof edited === 'string' ? edited : JSON.stringify(edited), { mode: 0o600 });
  return d;
}

describe('mommie keys', () => {
  it('writes one key file per node, mode 0600, in a directory created 0700', () => {
    expect(readdirSync(keys).sort()).toEqual(['c1', 'c2', 'r1', 'r2', 'r3', 'r4'].map((p) => `${p}.keys.json`));
    for (const f of readdirSync(keys)) expect(mode(join(keys, f)), f).toBe(0o600);
    expect(mode(keys)).toBe(0o700);
  });

  it('holds every kind of key whatever the mechanisms: HMAC with each other node, own private keys, every public key', () => {
    const f = JSON.parse(readFileSync(join(keys, 'c1.keys.json'), 'utf8')) as { format: string; principal: string; hmac: Record<string, string>; private: Record<string, string>; public: Record<string, Record<string, string>> };
    expect(f.format).toBe('mommie-keys/1');
    expect(f.principal).toBe('c1');
    // c1 and c2 share no [Authentication] entry; they still get a key, so a later mechanism change needs no new keys.
    expect(Object.keys(f.hmac).sort()).toEqual(['c2', 'r1', 'r2', 'r3', 'r4']);
    expect(f.private['ED25519']).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(f.private['RSA']).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(Object.keys(f.public).sort()).toEqual(['c1', 'c2', 'r1', 'r2', 'r3', 'r4']);
    expect(JSON.stringify(f.public)).not.toContain('PRIVATE');
  });

  it('never overwrites: a second run into the same directory is refused and changes nothing', async () => {
    const before = readFileSync(join(keys, 'r1.keys.json'));
    const r = await mommie(['keys', 'specs/PrimaryBackup.deploy', '-o', keys]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/error MOM645: .*r1\.keys\.json.* already exist; mommie keys never overwrites key files/);
    expect(readFileSync(join(keys, 'r1.keys.json'))).toEqual(before);
  });

  it('refuses when any one file exists, and then writes none of the others', async () => {
    const d = join(dir, 'one-exists');
    mkdirSync(d);
    writeFileSync(join(d, 'r3.keys.json'), 'mine');
    const r = await mommie(['keys', 'specs/PrimaryBackup.deploy', '-o', d]);
    expect(r.exitCode).toBe(1);
    expect(readdirSync(d)).toEqual(['r3.keys.json']);
    expect(readFileSync(join(d, 'r3.keys.json'), 'utf8')).toBe('mine');
  });

  it('makes keys for a trusted third party too (a node that is not a program principal)', async () => {
    const d = join(dir, 'ttp');
    const r = await mommie(['keys', 'test/fixtures/deploy/Attested-ttp.deploy', '-o', d]);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['c1.keys.json', 'r1.keys.json', 'r2.keys.json', 't.keys.json']);
  });

  it('refuses a broken deploy file with its diagnostic, and a missing -o', async () => {
    const bad = await mommie(['keys', 'test/fixtures/deploy/bad/MOM604-port-out-of-range.deploy', '-o', join(dir, 'never')]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/MOM604-port-out-of-range\.deploy:9:6: error MOM604: /);
    expect(() => statSync(join(dir, 'never'))).toThrow();
    const noOut = await mommie(['keys', 'specs/PrimaryBackup.deploy']);
    expect(noOut.exitCode).toBe(1);
    expect(noOut.stderr).toContain('give -o DIR');
    const help = await mommie(['keys', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: mommie keys DEPLOY -o DIR');
  });
});

describe('loadKeyRing round trip', () => {
  it('a signature made with one ring verifies with the public key its peer holds, for both algorithms', () => {
    const r1 = ring(keys, 'r1');
    const c1 = ring(keys, 'c1');
    const message = Buffer.from('[r1, c1, *] Reply(req, 3)');
    const ed = sign(null, message, r1.signingKey('ED25519')!);
    expect(verify(null, message, c1.publicKey('r1', 'ED25519')!, ed)).toBe(true);
    expect(verify(null, Buffer.from('[r1, c1, *] Reply(req, 2)'), c1.publicKey('r1', 'ED25519')!, ed)).toBe(false);
    // Another principal's key does not verify r1's signature.
    expect(verify(null, message, c1.publicKey('r2', 'ED25519')!, ed)).toBe(false);
    const rsa = sign('sha256', message, r1.signingKey('RSA')!);
    expect(verify('sha256', message, c1.publicKey('r1', 'RSA')!, rsa)).toBe(true);
    expect(r1.signingKey('RSA')!.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(r1.publicKey('r1', 'ED25519')).toBeDefined();
  });

  it('both ends of a pair hold the same 32-byte HMAC key, and different pairs different keys', () => {
    const r1 = ring(keys, 'r1');
    const c1 = ring(keys, 'c1');
    const k = r1.hmacKey('c1')!;
    expect(k.length).toBe(32);
    expect(Buffer.from(c1.hmacKey('r1')!)).toEqual(Buffer.from(k));
    expect(Buffer.from(r1.hmacKey('r2')!)).not.toEqual(Buffer.from(k));
    const mac = (key: Uint8Array): string => createHmac('sha256', key).update('[c1, r1, NOONE] Request(c1, 0)').digest('hex');
    expect(mac(c1.hmacKey('r1')!)).toBe(mac(r1.hmacKey('c1')!));
    expect(r1.hmacKey('r1')).toBeUndefined();
    expect(r1.hmacKey('nobody')).toBeUndefined();
  });

  it('generateKeyRings gives the same relations in memory', async () => {
    const rings = await generateKeyRings(['a', 'b', 'c']);
    const a = rings.get('a')!;
    const b = rings.get('b')!;
    expect(Buffer.from(a.hmacKey('b')!)).toEqual(Buffer.from(b.hmacKey('a')!));
    const msg = Buffer.from('x');
    expect(verify(null, msg, b.publicKey('a', 'ED25519')!, sign(null, msg, a.signingKey('ED25519')!))).toBe(true);
    expect(verify('sha256', msg, b.publicKey('a', 'RSA')!, sign('sha256', msg, a.signingKey('RSA')!))).toBe(true);
    // A caller that changes its copy of a key does not change the ring's.
    a.hmacKey('b')!.fill(0);
    expect(Buffer.from(a.hmacKey('b')!)).toEqual(Buffer.from(b.hmacKey('a')!));
  });
});

describe('loadKeyRing refusals', () => {
  it('refuses a key file that group or others can read (MOM641), and accepts it after chmod 600', () => {
    const d = join(dir, 'loose');
    mkdirSync(d);
    copyFileSync(join(keys, 'r2.keys.json'), join(d, 'r2.keys.json'));
    chmodSync(join(d, 'r2.keys.json'), 0o644);
    const r = loadKeyRing(d, 'r2');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostic.code).toBe('MOM641');
    expect(r.diagnostic.message).toContain('mode 0644');
    expect(r.diagnostic.message).toContain(`chmod 600 ${join(d, 'r2.keys.json')}`);
    chmodSync(join(d, 'r2.keys.json'), 0o600);
    expect(loadKeyRing(d, 'r2').ok).toBe(true);
  });

  it.each([
    ['a missing file', 'MOM640', () => keys, 'nobody', /no key file for nobody/],
    ['a name that is no principal', 'MOM640', () => keys, '../r1', /not a principal name/],
    ['malformed JSON', 'MOM642', () => variant('json', () => '{"format": '), 'r1', /is not JSON/],
    ['a missing field', 'MOM643', () => variant('shape', (j) => ({ ...j, private: undefined })), 'r1', /private should be/],
    ['another format', 'MOM643', () => variant('format', (j) => ({ ...j, format: 'other/2' })), 'r1', /format should be/],
    ["another principal's file", 'MOM643', () => variant('other', (j) => j, 'r2'), 'r2', /holds the keys of r1, not of r2/],
    ['a key that does not parse', 'MOM644', () => variant('pem', (j) => ({ ...j, private: { ...(j['private'] as object), RSA: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' } })), 'r1', /RSA private key does not parse/],
    ['an HMAC key of the wrong length', 'MOM644', () => variant('hmac', (j) => ({ ...j, hmac: { ...(j['hmac'] as object), c1: 'c2hvcnQ=' } })), 'r1', /HMAC key for c1 is not 32 bytes/],
    [
      'a private key that does not match the public key',
      'MOM644',
      () => variant('mismatch', (j) => ({ ...j, private: { ...(j['private'] as object), ED25519: (JSON.parse(readFileSync(join(keys, 'r2.keys.json'), 'utf8')) as { private: { ED25519: string } }).private.ED25519 } })),
      'r1',
      /ED25519 private key does not match/,
    ],
    ['an Ed25519 key where RSA belongs', 'MOM644', () => variant('alg', (j) => ({ ...j, private: { ...(j['private'] as { ED25519: string }), RSA: (j['private'] as { ED25519: string }).ED25519 } })), 'r1', /is a ed25519 key, not RSA/],
  ] as const)('%s: %s', (_what, code, makeDir, principal, message) => {
    const r = loadKeyRing(makeDir(), principal);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostic.code).toBe(code);
    expect(r.diagnostic.message).toMatch(message);
  });
});

describe('in-memory key rings (simulated runs)', () => {
  it('make a key pair only when it is first used, once, and every ring sees the same public key', async () => {
    const { generateKeyRings } = await import('../src/keys/ring.js');
    const { generateKeyPairSync, sign, verify } = await import('node:crypto');
    const made: string[] = [];
    const rings = await generateKeyRings(['a', 'b', 'c'], (alg) => {
      made.push(alg);
      return alg === 'RSA' ? generateKeyPairSync('rsa', { modulusLength: 1024 }) : generateKeyPairSync('ed25519');
    });
    // Before any use no key pair exists: a deployment without signatures pays for none (it used to make an RSA-2048 and an Ed25519 pair per node).
    expect(made).toEqual([]);
    expect(rings.get('a')!.hmacKey('b')).toEqual(rings.get('b')!.hmacKey('a'));
    const msg = Buffer.from('statement');
    const sig = sign(null, msg, rings.get('a')!.signingKey('ED25519')!);
    expect(verify(null, msg, rings.get('b')!.publicKey('a', 'ED25519')!, sig)).toBe(true);
    expect(verify(null, msg, rings.get('c')!.publicKey('a', 'ED25519')!, sig)).toBe(true);
    expect(made).toEqual(['ED25519']);
    expect(rings.get('b')!.publicKey('zz', 'ED25519')).toBeUndefined();
    expect(made).toEqual(['ED25519']);
  });
});
