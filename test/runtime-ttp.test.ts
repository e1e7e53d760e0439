// Statements authenticated by a trusted third party travel at run time:
// an issuer asks the TTP t over their authenticated channel, t countersigns
// only its own statements that the deployment routes through t, the issuer
// seals with t's countersignature and sends. Real crypto throughout, on the
// example test/fixtures/ttp/AttestedCounter.{mom,deploy} (requests auditable
// by the replicas, replies by the clients, both carried by TTP(t)).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from '../src/deploy/deployment.js';
import { loadDeployment } from '../src/deploy/load.js';
import { generateKeyRings } from '../src/keys/ring.js';
import type { KeyRing } from '../src/keys/keyring.js';
import type { FrameCodec, Message, OpenedStatement, Outgoing } from '../src/runtime/codec.js';
import type { Host, TimerHandle } from '../src/runtime/host.js';
import { ReliableLink } from '../src/runtime/link.js';
import { RuntimeNode } from '../src/runtime/node.js';
import { Outbox } from '../src/runtime/outbox.js';
import { runSimulation } from '../src/runtime/sim-run.js';
import { TtpNode, thirdParties } from '../src/runtime/ttp-node.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiate, instantiateRun, type ModelInstance } from '../src/semantics/model.js';
import { NodeMachine } from '../src/semantics/node.js';
import { System } from '../src/semantics/system.js';
import { makeRecord, type Value } from '../src/semantics/value.js';
import type { TraceEvent } from '../src/trace/events.js';
import { replayTraces } from '../src/trace/replay.js';
import { Random } from '../src/transport/sim.js';
import type { Transport } from '../src/transport/transport.js';
import { encodeCbor } from '../src/wire/cbor.js';
import { countersignRequestFrame, encodeFrame, encodeStatement, schemaFromModel, type WireSchema } from '../src/wire/index.js';
import { mommie, ROOT } from './helpers/cli.js';
import { loadProgram } from './helpers/sim.js';
import { freePorts, makeKeys, pids, startMommie, until } from './helpers/tcp-run.js';

const PROGRAM = join('test', 'fixtures', 'ttp', 'AttestedCounter.mom');
const DEPLOY = join('test', 'fixtures', 'ttp', 'AttestedCounter.deploy');
const FAULTS = { drop: 0.1, duplicate: 0.1, minDelayMs: 1, maxDelayMs: 40, partitions: [] };
const C = ['c1', 'c2'];
const R = ['r1', 'r2', 'r3', 'r4'];

const { program, source } = loadProgram(PROGRAM);
const dep = loadDeployment(DEPLOY, program);
if (!dep.ok || dep.deployment === undefined) throw new Error(`${DEPLOY} does not load`);
const deployment: Deployment = dep.deployment;
const run = instantiateRun(program, new Map<string, Value>(deployment.constants));
if (!run.ok) throw run.error;
const model: ModelInstance = run.instance;
const principals = model.nodes.map((n) => n.name);
const schemaOf = (m: ModelInstance): WireSchema => {
  const s = schemaFromModel(m);
  if (!s.ok) throw new Error(s.detail);
  return s.schema;
};
const schema = schemaOf(model);
let rings: ReadonlyMap<string, KeyRing>;
const codec = (n: string, s: WireSchema = schema): WireCodec => new WireCodec(rings.get(n)!, deployment, s);

const reply = (issuer: string, res = 1): OpenedStatement => ({ issuer, verifiers: ['c1'], auditors: C, record: makeRecord('Reply', [0, 1, res]) });
const request = (client: string, id = 0): OpenedStatement => ({ issuer: client, verifiers: R, auditors: R, record: makeRecord('Request', [client, id, 1]) });

beforeAll(async () => {
  rings = await generateKeyRings([...principals, 't']);
});

describe('the example deployment', () => {
  it('has one trusted third party, t, and deploy-check accepts it with requests and replies carried by TTP(t)', async () => {
    expect(thirdParties(deployment, principals)).toEqual(['t']);
    const r = await mommie(['deploy-check', PROGRAM, DEPLOY, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { ok: boolean; sites: { text: string; routes: { mechanism: string }[] }[] };
    expect(rep.ok).toBe(true);
    const mechanisms = (text: string): string[] => [...new Set(rep.sites.filter((s) => s.text.includes(text)).flatMap((s) => s.routes.map((x) => x.mechanism)))];
    expect(mechanisms('Request')).toEqual(['TTP(t)']);
    expect(mechanisms('Reply')).toEqual(['TTP(t)']);
    expect(mechanisms('Order')).toEqual(['HMAC']);
  });
});

describe('the countersignature exchange on the wire', () => {
  it('an issuer asks t, t countersigns for it, the issuer seals with the countersignature and the verifier accepts the statement', () => {
    const [r1, t, c1] = [codec('r1'), codec('t'), codec('c1')];
    const out = r1.prepare(reply('r1'))!;
    expect(out.missing()).toEqual(['t']);
    expect(out.waitsFor('c1')).toBe('t');
    const asked = t.open('r1', r1.frame('t', 1, { kind: 'countersign-request', statements: [out] }));
    expect(asked.kind).toBe('countersign-request');
    if (asked.kind !== 'countersign-request') return;
    expect(asked.attestations).toEqual([{ requester: 'r1', statement: expect.objectContaining({ issuer: 'r1' }) }]);
    expect(asked.answers).toHaveLength(1);
    const answered = r1.open('t', t.frame('r1', 1, { kind: 'countersign-reply', answers: asked.answers }));
    expect(answered).toEqual({ kind: 'countersign-reply', seq: 1, countersigned: [out] });
    expect(out.missing()).toEqual([]);
    const got = c1.open('r1', r1.frame('c1', 2, { kind: 'data', statements: [out] }));
    expect(got.kind === 'data' ? got.statements : undefined).toEqual([expect.objectContaining({ issuer: 'r1', auditors: C })]);
    expect(c1.wire.snapshot().itemsAccepted).toBe(1);
    expect(r1.local).toMatchObject({ unsealed: {}, countersign: { asked: 1, obtained: 1, bad: 0, late: 0 } });
    // Without the countersignature there is nothing to send: the sealer refuses and counts it.
    const early = r1.prepare(reply('r1', 2))!;
    const none = c1.open('r1', r1.frame('c1', 3, { kind: 'data', statements: [early] }));
    expect(none.kind === 'data' ? none.statements : undefined).toEqual([]);
    expect(r1.local.unsealed).toEqual({ 'needs-countersignature': 1 });
  });

  it('t refuses to countersign for an issuer that is not the frame\'s authenticated sender, a statement it does not carry, or a forged request', () => {
    const [r1, r4, t] = [codec('r1'), codec('r4'), codec('t')];
    const refusals = (from: string, bytes: Uint8Array): string[] => {
      const o = t.open(from, bytes);
      if (o.kind !== 'countersign-request') return [`frame dropped: ${o.kind === 'drop' ? o.reason : o.kind}`];
      expect(o.answers).toHaveLength(o.attestations.filter((a) => a.refused === undefined).length);
      return o.attestations.map((a) => a.refused?.reason ?? 'countersigned');
    };
    // r4 asks, over its own authentic channel, for r1's reply.
    expect(refusals('r4', r4.forgeRequest('t', 1, reply('r1')))).toEqual(['not-issuer']);
    // r1's genuine request, replayed by r4: the frame names r1, the transport r4.
    const genuine = r1.frame('t', 1, { kind: 'countersign-request', statements: [r1.prepare(reply('r1'))!] });
    expect(refusals('r4', genuine)).toEqual(['frame dropped: wrong-sender']);
    expect(refusals('r1', genuine)).toEqual(['countersigned']);
    // An order is auditable by no one: the deployment does not route it through t.
    const order: OpenedStatement = { issuer: 'r1', verifiers: R, auditors: [], record: makeRecord('Order', [makeRecord('Request', ['c1', 0, 1]), 1]) };
    expect(refusals('r1', r1.frame('t', 2, { kind: 'countersign-request', statements: [r1.prepare(order)!] }))).toEqual(['not-this-ttp']);
    // r4's own reply: asked properly it is countersigned; with a tag its key with t does not give, or with no authenticator of its channel, it is not.
    expect(refusals('r4', r4.frame('t', 3, { kind: 'countersign-request', statements: [r4.prepare(reply('r4'))!] }))).toEqual(['countersigned']);
    const forgedTag = encodeFrame(countersignRequestFrame('r4', 't', 4, [{ stmt: statementBytes(reply('r4')), auth: { kind: 'HMAC', tags: [{ to: 't', tag: new Uint8Array(32).fill(7) }] } }]));
    const plain = encodeFrame(countersignRequestFrame('r4', 't', 5, [{ stmt: statementBytes(reply('r4')), auth: { kind: 'PLAINTEXT' } }]));
    expect(forgedTag.ok && plain.ok).toBe(true);
    if (!forgedTag.ok || !plain.ok) return;
    expect(refusals('r4', forgedTag.bytes)).toEqual(['forged']);
    expect(refusals('r4', plain.bytes)).toEqual(['wrong-mechanism']);
    // A principal countersigns nothing: the frame is dropped, not answered.
    const toC1 = r1.frame('c1', 6, { kind: 'countersign-request', statements: [r1.prepare(reply('r1'))!] });
    expect(codec('c1').open('r1', toC1)).toEqual({ kind: 'drop', reason: 'not-a-ttp' });
  });

  it('a receiver refuses a countersignature a Byzantine node made itself, and an issuer refuses a reply whose countersignature is bad', () => {
    const [r1, r4, t, c1] = [codec('r1'), codec('r4'), codec('t'), codec('c1')];
    // r4 claims r1's reply, with a "countersignature" by its own Ed25519 key that names t.
    const forged = c1.open('r4', r4.forge('c1', 1, reply('r1')));
    expect(forged.kind === 'data' ? forged.statements : undefined).toEqual([]);
    expect(c1.wire.snapshot().itemsDropped.forged).toBe(1);
    // Its own reply, "countersigned" the same way, fares no better.
    const self = c1.open('r4', r4.forge('c1', 2, reply('r4')));
    expect(self.kind === 'data' ? self.statements : undefined).toEqual([]);
    expect(c1.wire.snapshot().itemsDropped.forged).toBe(2);
    // A reply from t whose countersignature is flipped: counted bad, the statement keeps waiting.
    const out = r1.prepare(reply('r1'))!;
    const asked = t.open('r1', r1.frame('t', 1, { kind: 'countersign-request', statements: [out] }));
    if (asked.kind !== 'countersign-request') throw new Error('no request');
    const bad = asked.answers.map((a) => ({ digest: a.digest, sig: a.sig.map((b, i) => (i === 0 ? b ^ 1 : b)) }));
    expect(r1.open('t', t.frame('r1', 1, { kind: 'countersign-reply', answers: bad }))).toEqual({ kind: 'countersign-reply', seq: 1, countersigned: [] });
    expect(r1.local.countersign.bad).toBe(1);
    expect(out.missing()).toEqual(['t']);
    // The good answer relayed by r4 names r4 as the answering TTP: nothing waits for that.
    expect(r1.open('r4', r4.frame('r1', 1, { kind: 'countersign-reply', answers: asked.answers }))).toEqual({ kind: 'countersign-reply', seq: 1, countersigned: [] });
    expect(r1.local.countersign.late).toBe(1);
    // t's own answer goes through.
    expect(r1.open('t', t.frame('r1', 2, { kind: 'countersign-reply', answers: asked.answers }))).toEqual({ kind: 'countersign-reply', seq: 2, countersigned: [out] });
  });

  it('the request is authenticated by whatever channel the issuer has with t: Ed25519 and PLAINTEXT too', () => {
    for (const mech of ['ED25519', 'PLAINTEXT'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'mommie-ttp-channel-'));
      try {
        const path = join(dir, 'AttestedCounter.deploy');
        writeFileSync(path, readFileSync(join(ROOT, DEPLOY), 'utf8').replace('C, R <-> t : HMAC', `C, R <-> t : ${mech}`));
        const d = loadDeployment(path, program);
        expect(d.ok, d.diagnostics.map((x) => x.message).join('; ')).toBe(true);
        const at = (n: string): WireCodec => new WireCodec(rings.get(n)!, d.deployment!, schema);
        const [r1, r4, t] = [at('r1'), at('r4'), at('t')];
        const out = r1.prepare(reply('r1'))!;
        const asked = t.open('r1', r1.frame('t', 1, { kind: 'countersign-request', statements: [out] }));
        expect(asked.kind === 'countersign-request' ? asked.attestations.map((a) => a.refused?.reason ?? 'countersigned') : asked, mech).toEqual(['countersigned']);
        const stolen = t.open('r4', r4.forgeRequest('t', 1, reply('r1')));
        expect(stolen.kind === 'countersign-request' ? stolen.attestations.map((a) => a.refused?.reason) : stolen, mech).toEqual(['not-issuer']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('malformed countersign frames are dropped and counted like any bad frame', () => {
    const [r1, t] = [codec('r1'), codec('t')];
    const digest = new Uint8Array(32);
    const bad = [
      { v: 1, kind: 'countersign-request', from: 'r1', to: 't', seq: 1, items: [], extra: 1 },
      { v: 1, kind: 'countersign-request', from: 'r1', to: 't', seq: 1 },
      { v: 1, kind: 'countersign-request', from: 'r1', to: 't', seq: -1, items: [] },
      { v: 1, kind: 'countersign-request', from: 'r1', to: 't', seq: 1, items: [{ stmt: 'text', auth: { kind: 'PLAINTEXT' } }] },
      { v: 1, kind: 'countersign-reply', from: 't', to: 'r1', seq: 1, sigs: [{ digest: new Uint8Array(31), sig: new Uint8Array(64) }] },
      { v: 1, kind: 'countersign-reply', from: 't', to: 'r1', seq: 1, sigs: [{ digest, sig: 5 }] },
      { v: 1, kind: 'countersign-reply', from: 't', to: 'r1', seq: 1, sigs: [{ digest }] },
      { v: 1, kind: 'countersign-reply', from: 't', to: 'r1', seq: 1, sigs: {} },
    ] as const;
    for (const f of bad) {
      const [me, from] = f.kind === 'countersign-request' ? [t, 'r1'] : [r1, 't'];
      const before = me.wire.snapshot().framesDropped.malformed;
      expect(me.open(from, encodeCbor(f)), JSON.stringify(f, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes(${v.length})` : v))).toEqual({ kind: 'drop', reason: 'malformed' });
      expect(me.wire.snapshot().framesDropped.malformed).toBe(before + 1);
    }
  });

  it('a TTP node and a replica under 3,000 mutated countersign frames: nothing throws, and t countersigns only for the issuer that asked', () => {
    const trace: TraceEvent[] = [];
    const handlers = new Map<string, (from: string, bytes: Uint8Array) => void>();
    const transport = (me: string): Transport => ({ me, send: () => undefined, onFrame: (h) => void handlers.set(me, h), close: async () => {} });
    const host: Host = { now: () => 0, setTimer: () => ({ cancel: () => undefined }) };
    const ttp = new TtpNode({ name: 't', transport: transport('t'), codec: codec('t'), host, trace: { write: (e) => void trace.push(e) } });
    const info = model.nodes[model.nodeIndex.get('r2')!]!;
    const r2 = new RuntimeNode({ machine: new NodeMachine(new System(model), info), transport: transport('r2'), codec: codec('r2'), host, source, timeoutMs: () => 500 });
    r2.start();
    const [r1, c1, r4] = [codec('r1'), codec('c1'), codec('r4')];
    const legit = [
      { from: 'r1', bytes: r1.frame('t', 1, { kind: 'countersign-request', statements: [r1.prepare(reply('r1'))!, r1.prepare(reply('r1', 2))!] }) },
      { from: 'c1', bytes: c1.frame('t', 1, { kind: 'countersign-request', statements: [c1.prepare(request('c1'))!] }) },
      { from: 'r4', bytes: r4.forgeRequest('t', 1, reply('r3')) },
      // Addressed to a replica, which countersigns nothing.
      { from: 'r1', bytes: r1.frame('r2', 1, { kind: 'countersign-request', statements: [r1.prepare(reply('r1'))!] }) },
    ];
    const asked = codec('t').open('r1', legit[0]!.bytes);
    if (asked.kind !== 'countersign-request') throw new Error('no request');
    const replyFrame = codec('t').frame('r2', 1, { kind: 'countersign-reply', answers: asked.answers });
    const rnd = new Random(11);
    for (let k = 0; k < 3000; k++) {
      const base = rnd.pick(legit);
      const bytes = base.bytes.slice();
      for (let f = rnd.int(1, 6); f > 0; f--) bytes[rnd.int(0, bytes.length - 1)]! ^= 1 << rnd.int(0, 7);
      const from = rnd.next() < 0.2 ? rnd.pick(['c1', 'c2', 'r1', 'r3', 'r4']) : base.from;
      expect(() => handlers.get('t')!(from, bytes)).not.toThrow();
      const r = replyFrame.slice();
      r[rnd.int(0, r.length - 1)]! ^= 1 << rnd.int(0, 7);
      expect(() => handlers.get('r2')!('t', r)).not.toThrow();
      expect(() => handlers.get('r2')!(from, bytes)).not.toThrow();
    }
    for (const f of legit) handlers.get('t')!(f.from, f.bytes);
    handlers.get('r2')!('r1', legit[3]!.bytes);
    const countersigned = trace.filter((e): e is TraceEvent & { k: 'countersign' } => e.k === 'countersign');
    expect(countersigned.length).toBeGreaterThanOrEqual(3);
    for (const e of countersigned) expect(e.s.i).toBe(e.from);
    expect(ttp.stats.refused['not-issuer']).toBeGreaterThan(0);
    expect(Object.values(ttp.link.stats.dropped).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    expect(r2.link.stats.dropped['not-a-ttp']).toBeGreaterThan(0);
    r2.stop('end of test');
    ttp.stop('end of test');
  });
});

describe('the outbox', () => {
  it('holds a statement until its countersignature comes, keeps what follows it to the same verifier in order, and asks again when no answer comes', () => {
    const sent: { to: string; m: Message }[] = [];
    const timers: { ms: number; f: () => void; cancelled: boolean }[] = [];
    const host: Host = {
      now: () => 0,
      setTimer: (ms, f): TimerHandle => {
        const t = { ms, f, cancelled: false };
        timers.push(t);
        return { cancel: () => void (t.cancelled = true) };
      },
    };
    const have = new Set<string>();
    const outgoing = (s: OpenedStatement, ttp?: string): Outgoing => ({
      statement: s,
      waitsFor: () => (ttp !== undefined && !have.has(ttp) ? ttp : undefined),
      missing: () => (ttp !== undefined && !have.has(ttp) ? [ttp] : []),
    });
    const needs = new Map<OpenedStatement, string>();
    const fake: FrameCodec = {
      prepare: (s) => outgoing(s, needs.get(s)),
      frame: (to, seq, m) => {
        sent.push({ to, m });
        return new Uint8Array([seq]);
      },
      ack: () => new Uint8Array(),
      open: () => ({ kind: 'drop', reason: 'none' }),
    };
    const transport: Transport = { me: 'r1', send: () => undefined, onFrame: () => undefined, close: async () => {} };
    const link = new ReliableLink(transport, fake, host, () => undefined, { retransmitMs: 1e9, maxRetransmitMs: 1e9 });
    const outbox = new Outbox('r1', link, fake, host, { reaskMs: 100, maxReaskMs: 400 });
    const a = reply('r1', 1);
    const b = { ...reply('r1', 2) };
    const c = { issuer: 'r1', verifiers: ['c1', 'r2'], auditors: [], record: makeRecord('Reply', [0, 1, 3]) };
    needs.set(a, 't');
    expect(outbox.publish([a, b, c], { r1: 1 })).toBe(4);
    const shown = (): string[] => sent.map(({ to, m }) => `${to}:${m.kind}:${m.kind !== 'data' && m.kind !== 'countersign-request' ? '' : m.statements.map((o) => (o.statement.record.fields[2] as number)).join(',')}`);
    // a waits for t; b and c wait behind it for c1; r2 gets c at once.
    expect(shown()).toEqual(['t:countersign-request:1', 'r2:data:3']);
    expect(outbox.held).toBe(3);
    // No answer in time: asked again, later and later.
    const reask = timers.find((t) => t.ms === 100)!;
    reask.f();
    expect(shown().slice(2)).toEqual(['t:countersign-request:1']);
    expect(timers.some((t) => t.ms === 200)).toBe(true);
    have.add('t');
    outbox.countersigned([outgoing(a, 't')]);
    expect(shown().slice(3)).toEqual(['c1:data:1,2,3']);
    expect(outbox.held).toBe(0);
    expect(outbox.stats).toEqual({ countersignRequests: 2, reasked: 1, heldBack: 3, relayRequests: 0, relayed: 0, escalations: 0, lazy: 0, batchWindows: 0 });
    // Answered: the next timer asks nothing.
    timers.find((t) => t.ms === 200)!.f();
    expect(sent).toHaveLength(4);
    outbox.close();
  });
});

/** The canonical bytes of `s` (a test builds frames around them by hand). */
function statementBytes(s: OpenedStatement): Uint8Array {
  const e = encodeStatement(schema, s);
  if (!e.ok) throw new Error(e.error.detail);
  return e.encoded.bytes;
}

interface RunOutcome {
  readonly logs: Map<string, string[]>;
  readonly result: ReturnType<typeof runSimulation>;
  readonly codecs: Map<string, WireCodec>;
}

function simulate(m: ModelInstance, seed: number, requests: number): RunOutcome {
  const s = schemaOf(m);
  const logs = new Map<string, string[]>();
  const codecs = new Map<string, WireCodec>();
  const result = runSimulation({
    model: m, source, seed, faults: FAULTS, requests, ttps: ['t'],
    codecFor: (n) => {
      const c = codec(n, s);
      codecs.set(n, c);
      return c;
    },
    timeoutMs: (role, t) => deployment.timeoutMs(role, t),
    stallMs: 30_000,
    traceFor: (n) => {
      const l: string[] = [];
      logs.set(n, l);
      return { write: (e) => void l.push(JSON.stringify(e)) };
    },
  });
  return { logs, result, codecs };
}

/** Replayed against `model` (the model the run took; the logs of runSimulation without a header do not name it). */
const replayLogs = (logs: Map<string, string[]>, model?: string): ReturnType<typeof replayTraces> =>
  replayTraces(program, [...logs].map(([n, l]) => ({ path: `${n}.ndjson`, text: l.join('\n') + '\n' })), model === undefined ? {} : { model });

describe('on the simulated network', () => {
  it('40 seeds with drops, duplicates and reordering: every request completes, no invariant is violated, every run replays', () => {
    let countersigned = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const { logs, result: r, codecs } = simulate(model, seed, 6);
      const where = `seed ${seed}`;
      expect(r.violation?.invariant, where).toBeUndefined();
      expect(r.stalled, where).toBeUndefined();
      expect(r.aborts, where).toEqual([]);
      expect(r.completed, where).toBe(6);
      for (const n of r.nodes) expect(n.outbox.held, `${where}, ${n.name}`).toBe(0);
      for (const [n, c] of codecs) expect(c.local.unsealed, `${where}, ${n}`).toEqual({});
      const t = r.ttps[0]!;
      expect(t.stats.refused, where).toEqual({});
      expect(t.stats.countersigned, where).toBeGreaterThanOrEqual(6 * 5);
      const rp = replayLogs(logs);
      expect(rp.ok ? 'accepted' : rp.rejection, where).toBe('accepted');
      if (rp.ok) countersigned += rp.countersigned;
    }
    expect(countersigned).toBeGreaterThan(40 * 30);
  });

  it('a Byzantine backup, 40 seeds: its forged countersignatures and its requests for others\' statements are refused, invariants hold, runs replay', () => {
    const byz = instantiate(program, 'ByzantineBackup');
    if (!byz.ok) throw byz.error;
    const totals = { forged: 0, forgedRequests: 0, dropped: 0, notIssuer: 0, own: 0 };
    for (let seed = 1; seed <= 40; seed++) {
      const { logs, result: r } = simulate(byz.instance, seed, 1);
      const where = `seed ${seed}`;
      expect(r.violation?.invariant, where).toBeUndefined();
      expect(r.stalled, where).toBeUndefined();
      expect(r.completed, where).toBe(1);
      const rp = replayLogs(logs, 'ByzantineBackup');
      expect(rp.ok ? 'accepted' : rp.rejection, where).toBe('accepted');
      totals.forged += r.byzantine.forged;
      totals.forgedRequests += r.byzantine.forgedRequests;
      totals.notIssuer += r.ttps[0]!.stats.refused['not-issuer'] ?? 0;
      totals.own += r.ttps[0]!.stats.byIssuer['r4'] ?? 0;
    }
    expect(totals.forged).toBeGreaterThan(0);
    expect(totals.forgedRequests).toBeGreaterThan(0);
    // Each one t got (the network may drop or duplicate them) was refused as not the requester's own.
    expect(totals.notIssuer).toBeGreaterThan(0);
    console.log(`TTP under a Byzantine backup, 40 seeds: ${totals.forged} forgeries, ${totals.forgedRequests} requests for others' statements (all refused), ${totals.own} of its own statements countersigned`);
  });

  it('replay refuses a TTP log that countersigned for someone other than the issuer, or a statement nobody published', () => {
    const { logs } = simulate(model, 3, 2);
    const t = logs.get('t')!;
    const i = t.findIndex((l) => l.includes('"k":"countersign"') && l.includes('"from":"r1"'));
    expect(i).toBeGreaterThan(0);
    const swapped = new Map(logs).set('t', t.map((l, k) => (k === i ? l.replace('"from":"r1"', '"from":"r4"') : l)));
    const a = replayLogs(swapped);
    expect(a.ok ? '' : a.rejection.message).toMatch(/t countersigned a statement of r1 at the request of r4: a trusted third party attests only what the issuer itself asked for/);
    const j = t.findIndex((l) => l.includes('"k":"countersign"') && l.includes('"rec":"Reply"'));
    const unpublished = new Map(logs).set('t', t.map((l, k) => (k === j ? l.replace(/"f":\[(\d+),(\d+),(\d+)\]/, (_m, x: string, y: string) => `"f":[${x},${y},3]`) : l)));
    const b = replayLogs(unpublished);
    expect(b.ok ? '' : b.rejection.message).toMatch(/countersignature of \[r\d -> c\d, c1, c2\] Reply\(reqId: 0, seqNo: \d+, res: 3\), which no node published/);
  });

  it('mommie run --network sim --seeds 30 runs t and reports it; the last run\'s logs replay; a TTP cannot be crashed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-ttp-sim-'));
    try {
      const traces = join(dir, 'traces');
      const r = await mommie(['run', PROGRAM, '--deploy', DEPLOY, '--network', 'sim', '--requests', '6', '--seeds', '30', '--faults', 'drop=0.1,dup=0.1,delay=1-40', '--trace', traces, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout) as { seed: number; requests: { completed: number }; ttps: { node: string; countersigned: number; refused: Record<string, number> }[]; nodes: { node: string; countersign?: { obtained: number; held: number } }[] };
      expect(rep.seed).toBe(30);
      expect(rep.requests.completed).toBe(6);
      expect(rep.ttps.map((t) => t.node)).toEqual(['t']);
      expect(rep.ttps[0]!.countersigned).toBeGreaterThan(0);
      expect(rep.nodes.find((n) => n.node === 'c1')?.countersign?.held).toBe(0);
      expect(readdirSync(traces).sort()).toEqual([...principals, 't'].map((n) => `${n}.ndjson`).sort());
      const rp = await mommie(['replay', PROGRAM, traces]);
      expect(rp.exitCode, rp.stderr).toBe(0);
      expect(rp.stdout).toMatch(/countersignatures by trusted third parties\) are a behaviour of AttestedCounter/);
      const text = await mommie(['run', PROGRAM, '--deploy', DEPLOY, '--network', 'sim', '--requests', '2']);
      expect(text.stdout).toMatch(/\n {2}t \(trusted third party\): countersigned \d+ statements \(.*\) in \d+ requests\n/);
      expect(text.stdout).toMatch(/countersignatures: \d+ obtained for \d+ asked/);
      const crash = await mommie(['run', PROGRAM, '--deploy', DEPLOY, '--network', 'sim', '--faults', 'crash=t@100']);
      expect(crash.exitCode).toBe(1);
      expect(crash.stderr).toContain('t is a trusted third party, correct by assumption');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mommie run --network tcp with a trusted third party', () => {
  let dir: string;
  let keys: string;
  let deploy: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mommie-ttp-tcp-'));
    keys = join(dir, 'keys');
    // The fixture's nodes on ports that were free a moment ago.
    const text = readFileSync(join(ROOT, DEPLOY), 'utf8');
    const ports = await freePorts([...text.matchAll(/^(\w+)\s*=\s*127\.0\.0\.1:\d+/gm)].length);
    let i = 0;
    deploy = join(dir, 'AttestedCounter.deploy');
    writeFileSync(deploy, text.replace(/^(\w+)(\s*=\s*)127\.0\.0\.1:\d+/gm, (_m, node: string, eq: string) => `${node}${eq}127.0.0.1:${ports[i++]!}`));
    await makeKeys(deploy, keys);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const replayDir = (traces: string): ReturnType<typeof replayTraces> =>
    replayTraces(program, readdirSync(traces).filter((f) => f.endsWith('.ndjson')).map((f) => ({ path: join(traces, f), text: readFileSync(join(traces, f), 'utf8') })));

  it('10 requests over loopback: t runs as a process of its own and countersigns, every request completes, the logs replay, no process is left', async () => {
    const traces = join(dir, 'one');
    const r = await mommie(['run', PROGRAM, '--deploy', deploy, '--keys', keys, '--network', 'tcp', '--requests', '10', '--trace', traces, '--timeout', '40000', '--json'], { timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as { requests: { completed: number }; ttps: { node: string; status: string; countersigned: number; byIssuer: Record<string, number>; tcp?: unknown }[] };
    expect(rep.requests.completed).toBe(10);
    expect(rep.ttps).toHaveLength(1);
    expect(rep.ttps[0]).toMatchObject({ node: 't', status: 'correct' });
    // Each request and each of its 4 replies, at least.
    expect(rep.ttps[0]!.countersigned).toBeGreaterThanOrEqual(50);
    expect(Object.keys(rep.ttps[0]!.byIssuer).sort()).toEqual([...C, ...R]);
    expect(rep.ttps[0]!.tcp).toBeDefined();
    const rp = replayDir(traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    if (rp.ok) expect(rp.countersigned).toBe(rep.ttps[0]!.countersigned);
    expect(await pids(traces)).toEqual([]);
  });

  it('t killed mid-run and started again with --node t: the statements that need it wait, then every request completes', async () => {
    const traces = join(dir, 'down');
    const common = ['--deploy', deploy, '--keys', keys, '--network', 'tcp', '--trace', traces];
    const main = startMommie(['run', PROGRAM, ...common, '--requests', '60', '--timeout', '60000', '--json'], 80_000);
    const c1 = join(traces, 'c1.ndjson');
    const accepts = (): number => readFileSync(c1, 'utf8').split('\n').filter((l) => l.includes('"t":"Accept"')).length;
    await until('5 accepted replies', () => { try { return accepts() >= 5; } catch { return false; } }, 40_000);
    const [t] = await pids(`--node t --trace-dir ${traces}`);
    expect(t).toBeDefined();
    process.kill(t!, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 700));
    const stalled = accepts();
    const again = startMommie(['run', PROGRAM, ...common, '--node', 't', '--timeout', '60000'], 80_000);
    try {
      const r = await main;
      expect(r.exitCode, r.all).toBe(0);
      const rep = JSON.parse(r.stdout) as { requests: { completed: number }; ttps: { status: string }[]; nodes: { node: string; countersign?: { reasked: number } }[] };
      expect(rep.requests.completed).toBe(60);
      // The first t died: the run reports it stopped; the second one answered the rest.
      expect(rep.ttps[0]!.status).toBe('stopped');
      expect(accepts()).toBeGreaterThan(stalled);
    } finally {
      again.kill('SIGINT');
    }
    const j = await again;
    expect(j.exitCode, j.all).toBe(130);
    expect(j.all).toMatch(/t \(trusted third party\): countersigned [1-9]\d* statements/);
    const rp = replayDir(traces);
    expect(rp.ok, JSON.stringify(rp)).toBe(true);
    expect(await pids(traces)).toEqual([]);
  });
});
