// The wire format: canonical statements of every example's record types,
// each authenticator against the forgeries its keys allow, frames and their
// drop reasons, and the counters. The codec itself: wire-cbor.test.ts.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Domain } from '../src/analysis/types.js';
import { enumerate } from '../src/semantics/domain.js';
import { Evaluator } from '../src/semantics/eval.js';
import { makeRecord, makeSet, makeStatement, type RecordValue, type SetValue, type Value } from '../src/semantics/value.js';
import { encodeCbor, type CborIn } from '../src/wire/cbor.js';
import {
  ackFor,
  ackFrame,
  batchItems,
  Countersigner,
  cryptoFloor,
  dataFrame,
  decodeFrame,
  decodeStatement,
  encodeFrame,
  encodeStatement,
  helloFrame,
  macTag,
  MAX_FRAME_BYTES,
  Opener,
  schemaFromProgram,
  Sealer,
  signStatement,
  WireStats,
  type EncodedStatement,
  type OpenResult,
  type StatementBody,
  type WireItem,
  type WireSchema,
} from '../src/wire/index.js';
import { ROOT } from './helpers/cli.js';
import { kindsWorld, modelOf, schemaOf, specProgram } from './helpers/wire.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

// ---------------------------------------------------------------------------

/** A few values of a domain: its first, last and some in between. */
function sample(values: readonly Value[], n: number): Value[] {
  if (values.length <= n) return [...values];
  const out: Value[] = [];
  for (let i = 0; i < n; i++) out.push(values[Math.floor((i * (values.length - 1)) / (n - 1))]!);
  return out;
}

/**
 * Up to `n` values of `d` without enumerating it whole: a record's fields are
 * sampled one by one, a set is built from sampled elements (empty, one, two),
 * other domains are enumerated (they are ranges, enums and principals).
 * PBFTBatched's batches (SET OF Slot) have more values than can be listed.
 */
function sampleDomain(d: Domain, ctx: Evaluator, n: number): Value[] {
  const at = { start: 0, end: 0 };
  switch (d.k) {
    case 'record': {
      const info = ctx.program.records.get(d.name)!;
      const perField = info.fields.map((f) => sampleDomain(f.domain, ctx, 6));
      return Array.from({ length: n }, (_, k) => makeRecord(d.name, perField.map((vs, i) => vs[(k * (i + 1) + i) % vs.length]!)));
    }
    case 'set': {
      const elems = sampleDomain(d.elem, ctx, 3);
      const max = d.max === undefined ? 2 : Math.min(2, Number(ctx.eval(d.max, { bound: new Map() })));
      const sets = [makeSet([]), ...elems.map((e) => makeSet([e])), ...(max >= 2 && elems.length >= 2 ? [makeSet([elems[0]!, elems[1]!])] : [])];
      return sets.slice(0, n);
    }
    case 'statement': {
      // Carried statements (issue 25): records of the field's type, auditable by its AUDIT set, from a few issuers.
      const everyone = [...ctx.program.principalSets.values()].flat().sort();
      const records = sampleDomain({ k: 'record', name: d.record }, ctx, n);
      return records.map((r, k) => makeStatement(everyone[k % everyone.length]!, [everyone[(k + 1) % everyone.length]!], [...new Set([...d.auditors, everyone[k % everyone.length]!])].sort(), r as RecordValue));
    }
    default:
      return sample(enumerate(d, ctx, at), n);
  }
}

/** Sample records of `type`, each field drawn from its own domain (the product may be too large to enumerate). */
function sampleRecords(schema: WireSchema, ctx: Evaluator, type: string, n: number): RecordValue[] {
  const info = schema.records.get(type)!;
  const at = { start: 0, end: 0 };
  const perField = info.fields.map((f) => sample(enumerate(f.domain, ctx, at), 6));
  const out: RecordValue[] = [];
  for (let k = 0; k < n; k++) out.push(makeRecord(type, perField.map((vs, i) => vs[(k * (i + 1) + i) % vs.length]!)));
  return out;
}

function roundTrip(schema: WireSchema, s: StatementBody): EncodedStatement {
  const e = encodeStatement(schema, s);
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.detail}`);
  const d = decodeStatement(schema, e.encoded.bytes);
  if (!d.ok) throw new Error(`${d.error.code}: ${d.error.detail}`);
  expect(hex(d.encoded.bytes)).toBe(hex(e.encoded.bytes));
  expect(d.encoded.statement.record.key).toBe(s.record.key);
  expect(d.encoded.statement.issuer).toBe(s.issuer);
  expect(d.encoded.statement.verifiers).toEqual([...s.verifiers].sort());
  expect(d.encoded.statement.auditors).toEqual([...s.auditors].sort());
  // What it carries, in the same order on both sides (the item's carried authenticators follow it).
  expect((d.encoded.carried ?? []).map((c) => hex(c.bytes))).toEqual((e.encoded.carried ?? []).map((c) => hex(c.bytes)));
  return d.encoded;
}

describe('canonical statements', () => {
  const specs = readdirSync(join(ROOT, 'specs')).filter((f) => f.endsWith('.mom')).sort();
  it('finds the examples', () => expect(specs.length).toBeGreaterThanOrEqual(3));

  it.each(specs)('every record type of %s round-trips under every model', (spec) => {
    const program = specProgram(spec);
    for (const modelName of program.models.keys()) {
      const model = modelOf(program, modelName);
      const schema = schemaOf(model);
      const ps = model.everyone;
      for (const type of program.records.keys()) {
        const values = sampleDomain({ k: 'record', name: type }, model.evaluator, 8);
        expect(values.length).toBeGreaterThan(0);
        values.forEach((record, i) => {
          const issuer = ps[i % ps.length]!;
          roundTrip(schema, { issuer, verifiers: ps.slice(i % 3), auditors: i % 2 === 0 ? [] : ps.slice(0, 2), record: record as RecordValue });
        });
      }
    }
  });

  it('round-trips every kind of value: booleans, enums, negative and large ranges, principals, sets, nested records', () => {
    const { schema, model } = kindsWorld();
    const records = sampleRecords(schema, model.evaluator, 'Kinds', 40);
    for (const record of records) roundTrip(schema, { issuer: 'c1', verifiers: ['r1', 'r2'], auditors: [], record });
    const sets = records.map((r) => r.fields[9] as SetValue);
    expect(sets.some((s) => s.elems.length > 1)).toBe(true);
  });

  it('gives the same bytes for the same statement, whatever the order of its sets', () => {
    const { schema } = kindsWorld();
    const ping = makeRecord('Ping', [1]);
    const a = encodeStatement(schema, { issuer: 'c1', verifiers: ['r1', 'r2', 'r3'], auditors: ['c2', 'r4'], record: ping });
    const b = encodeStatement(schema, { issuer: 'c1', verifiers: ['r3', 'r1', 'r2'], auditors: ['r4', 'c2'], record: ping });
    expect(a.ok && b.ok && hex(a.encoded.bytes) === hex(b.encoded.bytes)).toBe(true);
    // A set value whose elements are listed backwards still encodes canonically.
    const inner = (who: string, n: number): Value => makeRecord('Inner', [who, n]);
    const forward = makeSet([inner('c1', 0), inner('c2', 3), inner('c1', 2)]);
    const backward: SetValue = { ...forward, elems: [...forward.elems].reverse() };
    const kinds = (rs: SetValue): RecordValue => makeRecord('Kinds', [true, 'Red', 0, -5, 99999, 'r1', makeSet([2, 0]), makeSet(['r2', 'r1']), inner('c2', 1), rs]);
    const x = encodeStatement(schema, { issuer: 'c1', verifiers: ['r1'], auditors: [], record: kinds(forward) });
    const y = encodeStatement(schema, { issuer: 'c1', verifiers: ['r1'], auditors: [], record: kinds(backward) });
    expect(x.ok && y.ok && hex(x.encoded.bytes) === hex(y.encoded.bytes)).toBe(true);
  });

  it('is the documented byte layout (docs/wire.md)', () => {
    const { schema } = kindsWorld();
    const e = encodeStatement(schema, { issuer: 'c1', verifiers: ['r2', 'r1'], auditors: [], record: makeRecord('Ping', [3]) });
    // [ "c1", ["r1", "r2"], [], ["Ping", 3] ]
    expect(e.ok && hex(e.encoded.bytes)).toBe('84' + '626331' + '82' + '627231' + '627232' + '80' + '82' + '6450696e67' + '03');
  });

  /** Bytes of a statement built from raw CBOR, to break one rule at a time. */
  const raw = (items: CborIn): Uint8Array => encodeCbor(items);
  const kindsFields = (over: Partial<Record<number, CborIn>>): CborIn[] => {
    const base: CborIn[] = ['Kinds', true, 'Red', 0, -5, 99999, 'r1', [0, 2], ['r1', 'r2'], ['Inner', 'c2', 1], [['Inner', 'c1', 0]]];
    for (const [k, v] of Object.entries(over)) base[Number(k)] = v!;
    return base;
  };
  const stmtWith = (record: CborIn, issuer: CborIn = 'c1', verifiers: CborIn = ['r1'], auditors: CborIn = []): Uint8Array => raw([issuer, verifiers, auditors, record]);
  const refusals: [string, () => Uint8Array, string][] = [
    ['the valid baseline is accepted', () => stmtWith(kindsFields({})), 'ok'],
    ['a non-minimal integer inside', () => unhex(hex(stmtWith(['Ping', 1])).replace(/01$/, '1801')), 'cbor'],
    ['trailing bytes', () => new Uint8Array([...stmtWith(['Ping', 1]), 0]), 'cbor'],
    ['an unknown record type', () => stmtWith(['Pong', 1]), 'unknown-record'],
    ['too few fields', () => stmtWith(['Ping']), 'field-count'],
    ['too many fields', () => stmtWith(['Ping', 1, 2]), 'field-count'],
    ['a value above its range (Max = 3)', () => stmtWith(['Ping', 4]), 'out-of-domain'],
    ['a value below its range', () => stmtWith(kindsFields({ 4: -301 })), 'out-of-domain'],
    ['an enum value that does not exist', () => stmtWith(kindsFields({ 2: 'Purple' })), 'out-of-domain'],
    ['a principal of the wrong set', () => stmtWith(kindsFields({ 6: 'c1' })), 'out-of-domain'],
    ['a boolean where an integer belongs', () => stmtWith(['Ping', true]), 'bad-shape'],
    ['an integer where a boolean belongs', () => stmtWith(kindsFields({ 1: 1 })), 'bad-shape'],
    ['a nested record of the wrong type', () => stmtWith(kindsFields({ 9: ['Ping', 1] })), 'bad-shape'],
    ['a nested record out of its domain', () => stmtWith(kindsFields({ 9: ['Inner', 'r1', 1] })), 'out-of-domain'],
    ['an unsorted set', () => stmtWith(kindsFields({ 7: [2, 0] })), 'set-order'],
    ['a repeated set element', () => stmtWith(kindsFields({ 7: [0, 0] })), 'set-order'],
    ['an unsorted set of records', () => stmtWith(kindsFields({ 10: [['Inner', 'c2', 0], ['Inner', 'c1', 0]] })), 'set-order'],
    ['unsorted verifiers', () => stmtWith(['Ping', 1], 'c1', ['r2', 'r1']), 'set-order'],
    ['a repeated verifier', () => stmtWith(['Ping', 1], 'c1', ['r1', 'r1']), 'set-order'],
    ['an issuer that does not exist', () => stmtWith(['Ping', 1], 'mallory'), 'unknown-principal'],
    ['a verifier that does not exist', () => stmtWith(['Ping', 1], 'c1', ['r1', 'zz']), 'unknown-principal'],
    ['an auditor that does not exist', () => stmtWith(['Ping', 1], 'c1', ['r1'], ['ttp']), 'unknown-principal'],
    ['a map instead of an array', () => raw({ issuer: 'c1' }), 'bad-shape'],
    ['a statement of 5 items', () => raw(['c1', ['r1'], [], ['Ping', 1], 0]), 'bad-shape'],
  ];
  it.each(refusals)('%s', (_what, bytes, code) => {
    const d = decodeStatement(kindsWorld().schema, bytes());
    expect(d.ok ? 'ok' : d.error.code).toBe(code);
  });

  it("checks values under the run's constants", () => {
    const { program, model } = kindsWorld();
    const ping4 = stmtWith(['Ping', 3]);
    expect(decodeStatement(schemaOf(model), ping4).ok).toBe(true); // model M: Max = 3
    const defaults = schemaFromProgram(program, new Evaluator(program)); // the program's Max = 2
    expect(defaults.ok && decodeStatement(defaults.schema, ping4).ok).toBe(false);
  });

  it('refuses to encode what it would refuse to decode', () => {
    const { schema } = kindsWorld();
    const bad = encodeStatement(schema, { issuer: 'c1', verifiers: ['r1'], auditors: [], record: makeRecord('Ping', [9]) });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('out-of-domain');
    const frac = encodeStatement(schema, { issuer: 'c1', verifiers: ['r1'], auditors: [], record: makeRecord('Ping', [0.5]) });
    expect(frac.ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------

const ping = (issuer: string, verifiers: readonly string[], n = 1, auditors: readonly string[] = []): StatementBody => ({
  issuer, verifiers, auditors, record: makeRecord('Ping', [n]),
});

function sealerOf(p: string, stats?: WireStats): Sealer {
  const w = kindsWorld();
  return new Sealer(w.keys.ring(p), w.deployment, w.schema, stats);
}

function openerOf(p: string, stats?: WireStats): Opener {
  const w = kindsWorld();
  return new Opener(w.keys.ring(p), w.deployment, w.schema, stats);
}

function encoded(s: StatementBody): EncodedStatement {
  const e = encodeStatement(kindsWorld().schema, s);
  if (!e.ok) throw new Error(e.error.detail);
  return e.encoded;
}

/** The TTP's countersignature, as the runtime would obtain it for r3. */
function countersigned(e: EncodedStatement): Uint8Array {
  const w = kindsWorld();
  const c = new Countersigner(w.keys.ring('ttp'), w.deployment, w.schema).countersign(e.bytes, e.statement.issuer);
  if (!c.ok) throw new Error(c.error.detail);
  return c.sig;
}

function sealed(s: StatementBody, verifier: string): WireItem {
  const e = encoded(s);
  const r = sealerOf(s.issuer).seal(e, verifier, s.issuer === 'r3' ? countersigned(e) : undefined);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return r.item;
}

/** Sends `items` from `from` to `to` through a frame, as the link would; the outcome of each item. */
function deliver(items: readonly WireItem[], from: string, to: string, stats?: WireStats): string[] {
  const f = encodeFrame(dataFrame(from, to, 7, items));
  if (!f.ok) throw new Error(f.detail);
  const d = decodeFrame(f.bytes, { me: to, sender: from, stats });
  if (!d.ok) return [`frame:${d.reason}`];
  if (d.frame.kind !== 'data') throw new Error('not a data frame');
  return openerOf(to, stats).openFrame(d.frame).map(outcome);
}

const outcome = (r: OpenResult): string => (r.ok ? 'ok' : r.reason);
const flip = (b: Uint8Array, i = 0): Uint8Array => {
  const c = b.slice();
  c[i] = c[i]! ^ 1;
  return c;
};

describe('authenticators', () => {
  it.each([
    ['HMAC', 'c1'], ['Ed25519', 'r1'], ['RSA-PSS', 'r2'], ['TTP countersignature', 'r3'], ['PLAINTEXT', 'r4'],
  ])('%s: sealed by the issuer, accepted by each verifier', (_m, issuer) => {
    for (const v of ['r1', 'c2']) {
      if (v === issuer) continue;
      expect(deliver([sealed(ping(issuer, ['c2', 'r1']), v)], issuer, v)).toEqual(['ok']);
    }
  });

  it('the opened statement is the one sealed', () => {
    const s = ping('r1', ['c1', 'r2'], 2);
    const r = openerOf('r2').open(sealed(s, 'r2'), 'r1');
    expect(r.ok && r.opened.statement.record.key).toBe(s.record.key);
    expect(r.ok && r.opened.mechanism).toBe('ED25519');
  });

  it('a forged MAC, a MAC under the wrong key, a tag for someone else', () => {
    const item = sealed(ping('c1', ['r1', 'r2']), 'r1');
    if (item.auth.kind !== 'HMAC') throw new Error('expected HMAC');
    const tag = item.auth.tags[0]!;
    const w = kindsWorld();
    expect(deliver([{ ...item, auth: { kind: 'HMAC', tags: [{ to: 'r1', tag: flip(tag.tag, 31) }] } }], 'c1', 'r1')).toEqual(['forged']);
    const wrongKey = macTag(w.keys.pairKey('c1', 'r2')!, item.stmt);
    expect(deliver([{ ...item, auth: { kind: 'HMAC', tags: [{ to: 'r1', tag: wrongKey }] } }], 'c1', 'r1')).toEqual(['forged']);
    // r1's tag is useless to r2.
    expect(deliver([item], 'c1', 'r2')).toEqual(['forged']);
    expect(deliver([{ ...item, auth: { kind: 'HMAC', tags: [{ to: 'r1', tag: tag.tag.subarray(0, 16) }] } }], 'c1', 'r1')).toEqual(['malformed']);
  });

  it('a Byzantine verifier holding its key with issuer c1 cannot forge a statement of c2 toward a third party', () => {
    const w = kindsWorld();
    const byz = 'r2';
    const forged = encoded(ping('c2', ['r2', 'r3'], 3));
    for (const key of [w.keys.pairKey('c1', byz)!, w.keys.pairKey(byz, 'r3')!, w.keys.pairKey('c2', byz)!]) {
      const item: WireItem = { stmt: forged.bytes, auth: { kind: 'HMAC', tags: [{ to: 'r3', tag: macTag(key, forged.bytes) }] } };
      expect(deliver([item], byz, 'r3')).toEqual(['forged']);
    }
    // Nor re-address c1's genuine statement to r3 with the tag it received.
    const genuine = sealed(ping('c1', ['r2', 'r3']), byz);
    if (genuine.auth.kind !== 'HMAC') throw new Error('expected HMAC');
    expect(deliver([{ ...genuine, auth: { kind: 'HMAC', tags: [{ to: 'r3', tag: genuine.auth.tags[0]!.tag }] } }], byz, 'r3')).toEqual(['forged']);
  });

  it('a bad signature, and a signature by another issuer\'s key', () => {
    const w = kindsWorld();
    for (const [issuer, alg] of [['r1', 'ED25519'], ['r2', 'RSA']] as const) {
      const item = sealed(ping(issuer, ['c1']), 'c1');
      if (item.auth.kind !== alg) throw new Error(`expected ${alg}`);
      expect(deliver([{ ...item, auth: { kind: alg, sig: flip(item.auth.sig, 5) } }], issuer, 'c1')).toEqual(['forged']);
      const other = alg === 'ED25519' ? 'r4' : 'r1';
      const sig = signStatement(alg, w.keys.ring(other).signingKey(alg)!, item.stmt)!;
      expect(deliver([{ ...item, auth: { kind: alg, sig } }], issuer, 'c1')).toEqual(['forged']);
      // A signature over another statement.
      const sig2 = signStatement(alg, w.keys.ring(issuer).signingKey(alg)!, encoded(ping(issuer, ['c1'], 2)).bytes)!;
      expect(deliver([{ ...item, auth: { kind: alg, sig: sig2 } }], issuer, 'c1')).toEqual(['forged']);
    }
    const sealerWithWrongKeys = new Sealer(w.keys.ringWithKeysOf('r1', 'r4'), w.deployment, w.schema);
    const r = sealerWithWrongKeys.seal(encoded(ping('r1', ['c1'])), 'c1');
    expect(r.ok && deliver([r.item], 'r1', 'c1')).toEqual(['forged']);
  });

  it('a TTP countersignature: forged, by the wrong key, or from a TTP the deployment does not name', () => {
    const w = kindsWorld();
    const item = sealed(ping('r3', ['c1']), 'c1');
    if (item.auth.kind !== 'TTP') throw new Error('expected TTP');
    expect(deliver([{ ...item, auth: { ...item.auth, sig: flip(item.auth.sig, 63) } }], 'r3', 'c1')).toEqual(['forged']);
    // The issuer's own Ed25519 signature is not a countersignature (different context, different key).
    const own = signStatement('ED25519', w.keys.ring('r3').signingKey('ED25519')!, item.stmt)!;
    expect(deliver([{ ...item, auth: { ...item.auth, sig: own } }], 'r3', 'c1')).toEqual(['forged']);
    expect(deliver([{ ...item, auth: { kind: 'TTP', ttp: 'r1', sig: item.auth.sig } }], 'r3', 'c1')).toEqual(['wrong-mechanism']);
  });

  it('the countersigner signs only its routed statements, for their issuer', () => {
    const w = kindsWorld();
    const cs = new Countersigner(w.keys.ring('ttp'), w.deployment, w.schema);
    const e = encoded(ping('r3', ['c1']));
    expect(cs.countersign(e.bytes, 'r3').ok).toBe(true);
    const wrong = cs.countersign(e.bytes, 'r1');
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('not-issuer');
    const notRouted = cs.countersign(encoded(ping('r1', ['c1'])).bytes, 'r1');
    expect(notRouted.ok ? 'ok' : notRouted.error.code).toBe('not-this-ttp');
    const garbage = cs.countersign(new Uint8Array([1, 2, 3]), 'r3');
    expect(garbage.ok ? 'ok' : garbage.error.code).toBe('invalid-statement');
  });

  it('PLAINTEXT is accepted only from the issuer itself', () => {
    const item = sealed(ping('r4', ['c1', 'r1']), 'c1');
    expect(deliver([item], 'r4', 'c1')).toEqual(['ok']);
    expect(deliver([item], 'r1', 'c1')).toEqual(['forged']);
  });

  it('the prescribed mechanism and no other: weaker, stronger, or none at all', () => {
    const w = kindsWorld();
    const hmacStmt = encoded(ping('c1', ['r1']));
    const edSig = signStatement('ED25519', w.keys.ring('c1').signingKey('ED25519')!, hmacStmt.bytes)!;
    expect(deliver([{ stmt: hmacStmt.bytes, auth: { kind: 'ED25519', sig: edSig } }], 'c1', 'r1')).toEqual(['wrong-mechanism']);
    expect(deliver([{ stmt: hmacStmt.bytes, auth: { kind: 'PLAINTEXT' } }], 'c1', 'r1')).toEqual(['wrong-mechanism']);
    const edStmt = encoded(ping('r1', ['c1']));
    const mac = macTag(w.keys.pairKey('r1', 'c1')!, edStmt.bytes);
    expect(deliver([{ stmt: edStmt.bytes, auth: { kind: 'HMAC', tags: [{ to: 'c1', tag: mac } ] } }], 'r1', 'c1')).toEqual(['wrong-mechanism']);
    // An RSA signature by r1 (who has an RSA key) where Ed25519 is prescribed.
    const rsaSig = signStatement('RSA', w.keys.ring('r1').signingKey('RSA')!, edStmt.bytes)!;
    expect(deliver([{ stmt: edStmt.bytes, auth: { kind: 'RSA', sig: rsaSig } }], 'r1', 'c1')).toEqual(['wrong-mechanism']);
    // HMAC cannot give auditors: the deployment has no mechanism for it.
    const audited = encoded(ping('c1', ['r1'], 1, ['r2']));
    const tag = macTag(w.keys.pairKey('c1', 'r1')!, audited.bytes);
    expect(deliver([{ stmt: audited.bytes, auth: { kind: 'HMAC', tags: [{ to: 'r1', tag }] } }], 'c1', 'r1')).toEqual(['wrong-mechanism']);
  });

  it('a statement for other verifiers, and statements that do not decode', () => {
    expect(deliver([sealed(ping('r1', ['c1']), 'c1')], 'r1', 'c2')).toEqual(['not-a-verifier']);
    const item = sealed(ping('r1', ['c1']), 'c1');
    expect(deliver([{ ...item, stmt: item.stmt.subarray(0, item.stmt.length - 1) }], 'r1', 'c1')).toEqual(['malformed']);
  });

  it('a missing public key is no-key, not an exception', () => {
    const w = kindsWorld();
    const ring = { ...w.keys.ring('c1'), publicKey: () => undefined };
    const r = new Opener(ring, w.deployment, w.schema).open(sealed(ping('r1', ['c1']), 'c1'), 'r1');
    expect(r.ok ? 'ok' : r.reason).toBe('no-key');
  });

  it('the sealer refuses what no verifier would accept', () => {
    const s = sealerOf('r1');
    const code = (r: ReturnType<Sealer['seal']>): string => (r.ok ? 'ok' : r.error.code);
    expect(code(s.seal(encoded(ping('r2', ['c1'])), 'c1'))).toBe('not-issuer');
    expect(code(s.seal(encoded(ping('r1', ['c1'])), 'c2'))).toBe('not-a-verifier');
    expect(code(sealerOf('c1').seal(encoded(ping('c1', ['r1'], 1, ['r2'])), 'r1'))).toBe('no-mechanism');
    const ttpStmt = encoded(ping('r3', ['c1']));
    expect(code(sealerOf('r3').seal(ttpStmt, 'c1'))).toBe('needs-countersignature');
    expect(code(sealerOf('r3').seal(ttpStmt, 'c1', flip(countersigned(ttpStmt))))).toBe('bad-countersignature');
    const w = kindsWorld();
    const keyless = new Sealer({ ...w.keys.ring('r2'), signingKey: () => undefined }, w.deployment, w.schema);
    expect(code(keyless.seal(encoded(ping('r2', ['c1'])), 'c1'))).toBe('no-key');
  });

  it('signs a statement once for all its verifiers', () => {
    const stats = new WireStats();
    const s = sealerOf('r1', stats);
    const e = encoded(ping('r1', ['c1', 'c2', 'r2']));
    const items = e.statement.verifiers.map((v) => s.seal(e, v));
    expect(items.every((r) => r.ok)).toBe(true);
    expect(stats.snapshot().crypto.sign.count).toBe(1);
  });
});

// ---------------------------------------------------------------------------

describe('frames', () => {
  const item = (): WireItem => sealed(ping('r1', ['c1']), 'c1');

  it('data, ack and hello frames round-trip', () => {
    const d = dataFrame('r1', 'c1', 42, [item(), item()]);
    const e = encodeFrame(d);
    const back = e.ok ? decodeFrame(e.bytes, { me: 'c1' }) : undefined;
    expect(back?.ok && back.frame).toEqual(d);
    const ack = ackFor(d);
    expect(ack).toEqual(ackFrame('c1', 'r1', 42));
    for (const f of [ack, helloFrame('c1', 'r1')]) {
      const b = encodeFrame(f);
      const r = b.ok ? decodeFrame(b.bytes, { me: 'r1', sender: 'c1' }) : undefined;
      expect(r?.ok && r.frame).toEqual(f);
    }
  });

  it('a data frame may carry the sender\'s vector clock', () => {
    const d = dataFrame('r1', 'c1', 3, [item()], { r1: 4, c1: 0, c2: 17 });
    const e = encodeFrame(d);
    const back = e.ok ? decodeFrame(e.bytes, { me: 'c1' }) : undefined;
    expect(back?.ok && back.frame).toEqual(d);
    expect(encodeFrame(dataFrame('r1', 'c1', 3, [], { r1: -1 })).ok).toBe(false);
    const bad = encodeCbor({ v: 1, kind: 'data', from: 'r1', to: 'c1', seq: 0, items: [], vc: { r1: 'x' } });
    const r = decodeFrame(bad, { me: 'c1' });
    expect(r.ok ? 'ok' : `${r.reason} ${r.detail}`).toMatch(/^malformed vc\.r1/);
  });

  const drop = (bytes: Uint8Array, me = 'c1', sender?: string): string => {
    const r = decodeFrame(bytes, sender === undefined ? { me } : { me, sender });
    return r.ok ? 'ok' : r.reason;
  };
  const bytesOf = (c: CborIn): Uint8Array => encodeCbor(c);

  it('drops misaddressed frames and frames from someone other than the link sender', () => {
    const e = encodeFrame(dataFrame('r1', 'c1', 1, [item()]));
    if (!e.ok) throw new Error(e.detail);
    expect(drop(e.bytes, 'c2')).toBe('misaddressed');
    expect(drop(e.bytes, 'c1', 'r2')).toBe('wrong-sender');
    expect(drop(e.bytes, 'c1', 'r1')).toBe('ok');
  });

  it('drops every truncation of a frame as malformed', () => {
    const e = encodeFrame(dataFrame('r1', 'c1', 1, [item()]));
    if (!e.ok) throw new Error(e.detail);
    for (let n = 0; n < e.bytes.length; n++) expect(drop(e.bytes.subarray(0, n))).toBe('malformed');
  });

  it('drops oversized frames before decoding, and refuses to build one', () => {
    expect(drop(new Uint8Array(MAX_FRAME_BYTES + 1))).toBe('oversized');
    const big = { ...item(), stmt: new Uint8Array(MAX_FRAME_BYTES) };
    const e = encodeFrame(dataFrame('r1', 'c1', 1, [big]));
    expect(e.ok ? 'ok' : e.reason).toBe('oversized');
  });

  it('drops other versions, unknown kinds, unknown fields and bad field types', () => {
    const base = { v: 1, kind: 'ack', from: 'r1', to: 'c1', seq: 3 };
    expect(drop(bytesOf(base))).toBe('ok');
    expect(drop(bytesOf({ ...base, v: 2 }))).toBe('wrong-version');
    expect(drop(bytesOf({ kind: 'ack', from: 'r1', to: 'c1', seq: 3 }))).toBe('malformed');
    expect(drop(bytesOf({ ...base, kind: 'nack' }))).toBe('malformed');
    expect(drop(bytesOf({ ...base, extra: 1 }))).toBe('malformed');
    expect(drop(bytesOf({ ...base, seq: -1 }))).toBe('malformed');
    expect(drop(bytesOf({ ...base, from: '' }))).toBe('malformed');
    expect(drop(bytesOf([base.v, base.kind]))).toBe('malformed');
    const withAuth = (auth: CborIn): Uint8Array => bytesOf({ v: 1, kind: 'data', from: 'r1', to: 'c1', seq: 0, items: [{ stmt: item().stmt, auth }] });
    expect(drop(withAuth({ kind: 'PLAINTEXT' }))).toBe('ok');
    expect(drop(withAuth({ kind: 'PLAINTEXT', sig: new Uint8Array(1) }))).toBe('malformed');
    expect(drop(withAuth({ kind: 'DSA', sig: new Uint8Array(1) }))).toBe('malformed');
    expect(drop(withAuth({ kind: 'HMAC', tags: [{ to: 'c1' }] }))).toBe('malformed');
    expect(drop(withAuth({ kind: 'ED25519', sig: 'not bytes' }))).toBe('malformed');
  });

  it('packs items into frames that fit', () => {
    const items = Array.from({ length: 10 }, item);
    const groups = batchItems(items, 3 * 150);
    expect(groups.flat()).toEqual(items);
    for (const g of groups) expect(encodeFrame(dataFrame('r1', 'c1', 0, g)).ok).toBe(true);
    expect(groups.length).toBeGreaterThan(1);
  });
});

describe('statistics', () => {
  it('counts frames, bytes, every drop by reason and the crypto', () => {
    const stats = new WireStats();
    const good = sealed(ping('r1', ['c1']), 'c1');
    const forged = { ...good, auth: { kind: 'ED25519' as const, sig: flip((good.auth as { sig: Uint8Array }).sig) } };
    const f = encodeFrame(dataFrame('r1', 'c1', 1, [good, forged, sealed(ping('r1', ['c2']), 'c2')]));
    if (!f.ok) throw new Error(f.detail);
    stats.sent(f.bytes.length);
    const d = decodeFrame(f.bytes, { me: 'c1', stats });
    if (!d.ok || d.frame.kind !== 'data') throw new Error('not decoded');
    openerOf('c1', stats).openFrame(d.frame);
    decodeFrame(f.bytes, { me: 'c2', stats });
    decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1), { me: 'c1', stats });
    const s = stats.snapshot();
    expect(s).toMatchObject({
      framesIn: 3, bytesIn: 2 * f.bytes.length + MAX_FRAME_BYTES + 1, framesOut: 1, bytesOut: f.bytes.length, itemsAccepted: 1,
      framesDropped: { oversized: 1, malformed: 0, 'wrong-version': 0, misaddressed: 1, 'wrong-sender': 0 },
      itemsDropped: { malformed: 0, forged: 1, 'wrong-mechanism': 0, 'not-a-verifier': 1, 'no-key': 0 },
    });
    expect(s.crypto.verify.count).toBe(2);
    expect(s.crypto.verify.ms).toBeGreaterThan(0);
  });
});

describe('cryptoFloor', () => {
  it('measures every operation', () => {
    const f = cryptoFloor({ minMs: 5 });
    for (const v of Object.values(f)) expect(v).toBeGreaterThan(0);
    expect(f.rsaSignUs).toBeGreaterThan(f.macUs);
  });
});
