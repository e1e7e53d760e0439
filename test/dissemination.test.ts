// The dissemination optimizers at run time: a route's decisions on their
// own, then real runs on the simulated network and over TCP — relaying
// through a chosen replica with HMAC vectors, a quorum first, batching —
// each completing every request under the faults that make it escalate,
// with logs that `mommie replay` accepts unchanged.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisseminationPlan, DisseminationRule } from '../src/deploy/deployment.js';
import { Route } from '../src/disseminate/route.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { decodeFrame, encodeFrame } from '../src/wire/index.js';
import { makeRecord } from '../src/semantics/value.js';
import { mommie, ROOT } from './helpers/cli.js';
import { makeKeys, runOverTcp, type TcpReport } from './helpers/tcp-run.js';
import { fakeDeployment, KeyWorld, KINDS_PROGRAM, MECHANISMS, modelOf, programOf, schemaOf } from './helpers/wire.js';

const RULE = {} as DisseminationRule;
const R = ['r1', 'r2', 'r3', 'r4'];

function plan(steps: DisseminationPlan['steps'], verifiers: readonly string[] = R): DisseminationPlan {
  return { rule: RULE, verifiers, steps, text: '' };
}

describe('a route through its plan', () => {
  it('without a plan, every verifier but the issuer gets the statement at once', () => {
    const a = new Route('r1', R, undefined).start();
    expect(a.sends).toEqual([{ to: 'r2' }, { to: 'r3' }, { to: 'r4' }]);
    expect(a.next).toBeUndefined();
  });

  it('OPTIMISTIC(target): the target gets it with a request to relay to the others; no progress escalates to the fallback', () => {
    const route = new Route('c1', R, plan([{ kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 50 }]));
    const a = route.start();
    expect(a.sends).toEqual([{ to: 'r1', relay: ['r2', 'r3', 'r4'] }]);
    expect(a.next).toEqual({ kind: 'escalate', afterMs: 50 });
    expect(route.waiting).toEqual(['r2', 'r3', 'r4']);
    const b = route.escalate(false);
    expect(b.sends).toEqual([{ to: 'r2' }, { to: 'r3' }, { to: 'r4' }]);
    expect(b.next).toBeUndefined();
    expect(route.waiting).toEqual([]);
  });

  it('progress stops the escalation, not the delivery: the others get it lazily', () => {
    const route = new Route('c1', R, plan([{ kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 50 }, { kind: 'OPTIMISTIC', targets: 'QUORUM', quorum: 3, quorumFrom: R, escalationMs: 50 }]), { lazyMs: 700 });
    route.start();
    const b = route.escalate(true);
    expect(b.sends).toEqual([]);
    expect(b.next).toEqual({ kind: 'lazy', afterMs: 700 });
    expect(route.lazy().sends).toEqual([{ to: 'r2' }, { to: 'r3' }, { to: 'r4' }]);
  });

  it('QUORUM: just enough verifiers, counting the issuer and those already sent to; then the next step, then the fallback', () => {
    const q = (n: number) => ({ kind: 'OPTIMISTIC' as const, targets: 'QUORUM' as const, quorum: n, quorumFrom: R, escalationMs: 10 });
    const fromClient = new Route('c1', R, plan([q(3)])).start();
    expect(fromClient.sends).toEqual([{ to: 'r1' }, { to: 'r2' }, { to: 'r3' }]);
    // A replica holds its own statement: two more make three.
    expect(new Route('r2', R, plan([q(3)])).start().sends).toEqual([{ to: 'r1' }, { to: 'r3' }]);
    const two = new Route('c1', R, plan([q(2), q(3)]));
    expect(two.start().sends).toEqual([{ to: 'r1' }, { to: 'r2' }]);
    expect(two.escalate(false).sends).toEqual([{ to: 'r3' }]);
    expect(two.escalate(false).sends).toEqual([{ to: 'r4' }]);
  });

  it('verifiers outside the rule get it at once; the issuer as its own target sends to everyone', () => {
    const a = new Route('c1', [...R, 'c2'], plan([{ kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 50 }])).start();
    expect(a.sends).toEqual([{ to: 'c2' }, { to: 'r1', relay: ['r2', 'r3', 'r4'] }]);
    expect(new Route('r1', R, plan([{ kind: 'OPTIMISTIC', targets: ['r1'], escalationMs: 50 }])).start().sends).toEqual([{ to: 'r2' }, { to: 'r3' }, { to: 'r4' }]);
  });

  it('BATCH is the route\'s batching, not a step', () => {
    const route = new Route('c1', R, plan([{ kind: 'BATCH', count: 8, windowMs: 3 }]));
    expect(route.batching).toEqual({ count: 8, windowMs: 3 });
    expect(route.start().sends).toHaveLength(4);
  });
});

describe('relaying on the wire', () => {
  const model = modelOf(programOf('Kinds.mom', KINDS_PROGRAM), 'M');
  const schema = schemaOf(model);
  const everyone = ['c1', 'c2', 'r1', 'r2', 'r3', 'r4', 'ttp'];
  const keys = new KeyWorld(everyone);
  const deployment = fakeDeployment(everyone, MECHANISMS);
  const codec = (p: string): WireCodec => new WireCodec(keys.ring(p), deployment, schema);
  const ping = (issuer: string) => ({ issuer, verifiers: ['r1', 'r2', 'r3', 'r4'], auditors: [], record: makeRecord('Ping', [1]) });

  it('an HMAC statement relayed through r1 carries a tag per verifier; r1 passes it on unchanged and r2 accepts it from r1', () => {
    const c1 = codec('c1');
    const r1 = codec('r1');
    const r2 = codec('r2');
    const out = c1.prepare(ping('c1'))!;
    const sent = decodeFrame(c1.frame('r1', 1, { kind: 'data', statements: [out], relays: [['r2', 'r3']] }), { me: 'r1' });
    expect(sent.ok && sent.frame.kind === 'data' && sent.frame.items[0]!.relay).toEqual(['r2', 'r3']);
    if (!sent.ok || sent.frame.kind !== 'data') return;
    // The list is not authenticated: one naming c2, no verifier of the statement, is followed only for the verifiers.
    const widened = encodeFrame({ ...sent.frame, items: [{ ...sent.frame.items[0]!, relay: ['r2', 'r3', 'c2', 'r1'] }] });
    if (!widened.ok) throw new Error(widened.detail);
    const at1 = r1.open('c1', widened.bytes);
    expect(at1.kind).toBe('data');
    if (at1.kind !== 'data') return;
    expect(at1.statements).toHaveLength(1);
    expect(at1.relays?.map((r) => r.to)).toEqual([['r2', 'r3']]);
    const passed = r1.frame('r2', 1, { kind: 'data', statements: [at1.relays![0]!.out] });
    const at2 = r2.open('r1', passed);
    expect(at2.kind === 'data' && at2.statements.map((s) => s.issuer)).toEqual(['c1']);
    // A relay that alters what it passes on (Ping(n: 1) made Ping(n: 2)) is caught by the issuer's tag.
    const p = decodeFrame(passed, { me: 'r2' });
    if (!p.ok || p.frame.kind !== 'data') throw new Error('the relayed frame does not decode');
    const stmt = Uint8Array.from(p.frame.items[0]!.stmt);
    expect(stmt[stmt.length - 1]).toBe(1);
    stmt[stmt.length - 1] = 2;
    const altered = encodeFrame({ ...p.frame, items: [{ ...p.frame.items[0]!, stmt }] });
    if (!altered.ok) throw new Error(altered.detail);
    const bad = r2.open('r1', altered.bytes);
    expect(bad.kind === 'data' && bad.statements).toEqual([]);
    expect(r2.wire.snapshot().itemsDropped.forged).toBe(1);
  });

  it('a PLAINTEXT statement is not sealed for relaying: the target gets it, the relay request is dropped and counted', () => {
    const r4 = codec('r4');
    const r1 = codec('r1');
    const out = r4.prepare(ping('r4'))!;
    const at1 = r1.open('r4', r4.frame('r1', 1, { kind: 'data', statements: [out], relays: [['r2', 'r3']] }));
    expect(at1.kind === 'data' && at1.statements.length).toBe(1);
    expect(at1.kind === 'data' && at1.relays).toBeUndefined();
    expect(r4.local.unsealed['not-relayable']).toBe(1);
  });
});

describe('batch signatures', () => {
  const model = modelOf(programOf('Kinds.mom', KINDS_PROGRAM), 'M');
  const schema = schemaOf(model);
  const everyone = ['c1', 'c2', 'r1', 'r2', 'r3', 'r4', 'ttp'];
  const keys = new KeyWorld(everyone);
  const deployment = fakeDeployment(everyone, MECHANISMS);
  const codec = (p: string): WireCodec => new WireCodec(keys.ring(p), deployment, schema);
  // r1 signs with Ed25519 (MECHANISMS).
  const ping = (n: number) => ({ issuer: 'r1', verifiers: ['r2', 'r3', 'r4'], auditors: [], record: makeRecord('Ping', [n]) });

  it('a frame of three signed statements carries one signature; the receiver checks it once; a relay passes one statement on with the signed list', () => {
    const r1 = codec('r1');
    const r2 = codec('r2');
    const r3 = codec('r3');
    const outs = [0, 1, 2].map((n) => r1.prepare(ping(n))!);
    // Unbatched, each is signed alone.
    const alone = decodeFrame(r1.frame('r4', 1, { kind: 'data', statements: outs }), { me: 'r4' });
    expect(alone.ok && alone.frame.kind === 'data' && alone.frame.items.map((i) => i.auth.kind)).toEqual(['ED25519', 'ED25519', 'ED25519']);
    const fresh = codec('r1');
    const r1b = fresh;
    const outsB = [0, 1, 2].map((n) => r1b.prepare(ping(n))!);
    const bytes = r1b.frame('r2', 1, { kind: 'data', statements: outsB, relays: [undefined, ['r3'], undefined], batched: [true, true, true] });
    const d = decodeFrame(bytes, { me: 'r2' });
    expect(d.ok && d.frame.kind === 'data' && d.frame.sigs?.length).toBe(1);
    expect(d.ok && d.frame.kind === 'data' && d.frame.items.map((i) => i.auth.kind)).toEqual(['SIGBATCH', 'SIGBATCH', 'SIGBATCH']);
    // The same statements to another verifier reuse the signature.
    r1b.frame('r3', 1, { kind: 'data', statements: outsB, batched: [true, true, true] });
    expect(r1b.wire.snapshot().crypto.sign.count).toBe(1);
    expect(r1.wire.snapshot().crypto.sign.count).toBe(3);
    const at2 = r2.open('r1', bytes);
    expect(at2.kind === 'data' && at2.statements.map((s) => s.record.fields[0])).toEqual([0, 1, 2]);
    expect(r2.wire.snapshot().crypto.verify.count).toBe(1);
    if (at2.kind !== 'data') return;
    const passed = r2.frame('r3', 1, { kind: 'data', statements: at2.relays!.map((r) => r.out) });
    const at3 = r3.open('r2', passed);
    expect(at3.kind === 'data' && at3.statements.map((s) => s.record.fields[0])).toEqual([1]);
  });

  it('a statement swapped for another under the same signature, or a doctored digest list, is refused', () => {
    const r1 = codec('r1');
    const r2 = codec('r2');
    const outs = [0, 1].map((n) => r1.prepare(ping(n))!);
    const d = decodeFrame(r1.frame('r2', 1, { kind: 'data', statements: outs, batched: [true, true] }), { me: 'r2' });
    if (!d.ok || d.frame.kind !== 'data') throw new Error('no frame');
    const f = d.frame;
    expect(f.sigs).toHaveLength(1);
    const other = r1.prepare(ping(2))!;
    const otherBytes = decodeFrame(r1.frame('r3', 1, { kind: 'data', statements: [other] }), { me: 'r3' });
    if (!otherBytes.ok || otherBytes.frame.kind !== 'data') throw new Error('no frame');
    const swapped = encodeFrame({ ...f, items: [f.items[0]!, { ...f.items[1]!, stmt: otherBytes.frame.items[0]!.stmt }] });
    const doctored = encodeFrame({ ...f, sigs: [{ ...f.sigs![0]!, digests: [f.sigs![0]!.digests[1]!, f.sigs![0]!.digests[0]!] }] });
    if (!swapped.ok || !doctored.ok) throw new Error('cannot encode');
    const a = r2.open('r1', swapped.bytes);
    expect(a.kind === 'data' && a.statements.map((s) => s.record.fields[0])).toEqual([0]);
    const b = r2.open('r1', doctored.bytes);
    expect(b.kind === 'data' && b.statements).toEqual([]);
    expect(r2.wire.snapshot().itemsDropped.forged).toBe(3);
  });
});

const FIX = 'test/fixtures/dissemination';

interface Report {
  requests: { completed: number };
  nodes: { node: string; status: string; dissemination?: { relayRequests: number; relayed: number; escalations: number; lazy: number; batchWindows: number }; digest?: Record<string, number> }[];
}

async function simRun(deploy: string, faults: string, dir: string): Promise<Report> {
  const logs = join(dir, deploy.replace(/\W/g, '_') + faults.replace(/\W/g, '_'));
  const r = await mommie(['run', 'specs/PBCounter.mom', '--deploy', join(FIX, deploy), '--network', 'sim', '--clients', '2', '--requests', '20', ...(faults === '' ? [] : ['--faults', faults]), '--trace', logs, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  const replay = await mommie(['replay', 'specs/PBCounter.mom', logs]);
  expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const total = (rep: Report, k: 'relayRequests' | 'relayed' | 'escalations' | 'lazy' | 'batchWindows'): number => rep.nodes.reduce((n, x) => n + (x.dissemination?.[k] ?? 0), 0);

describe('optimizers on the simulated network (every run replays)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mommie-dissem-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('OPTIMISTIC(r4): r4 relays every request (HMAC vectors), the rest come lazily; with r4 crashed every request escalates and still completes', async () => {
    const ok = await simRun('PBCounter.relay.deploy', 'drop=0.05,dup=0.05', dir);
    expect(ok.requests.completed).toBe(20);
    expect(total(ok, 'relayRequests')).toBe(20);
    expect(ok.nodes.find((n) => n.node === 'r4')!.dissemination!.relayed).toBeGreaterThanOrEqual(60);
    const crashed = await simRun('PBCounter.relay.deploy', 'crash=r4@0', dir);
    expect(crashed.requests.completed).toBe(20);
    expect(total(crashed, 'escalations')).toBe(20);
    expect(total(crashed, 'relayed')).toBe(0);
  });

  it('OPTIMISTIC(QUORUM): 3 replicas first; a silent member (r2 crashed) makes every request escalate to r4, and all complete', async () => {
    const ok = await simRun('PBCounter.quorum.deploy', '', dir);
    expect(ok.requests.completed).toBe(20);
    expect(total(ok, 'escalations')).toBe(0);
    expect(total(ok, 'lazy')).toBe(20);
    const silent = await simRun('PBCounter.quorum.deploy', 'crash=r2@0', dir);
    expect(silent.requests.completed).toBe(20);
    expect(total(silent, 'escalations')).toBe(20);
  });

  it('BATCH: a closed loop never fills a batch, so every frame goes when its window runs out', async () => {
    const rep = await simRun('PBCounter.batch.deploy', 'drop=0.05', dir);
    expect(rep.requests.completed).toBe(20);
    expect(total(rep, 'batchWindows')).toBeGreaterThanOrEqual(20);
  });

  it('every example\'s own deploy file (with its [Dissemination] rules) runs and replays', async () => {
    for (const spec of ['PBCounter', 'PBFTCounter']) {
      const logs = join(dir, `own-${spec}`);
      const r = await mommie(['run', `specs/${spec}.mom`, '--deploy', `specs/${spec}.deploy`, '--network', 'sim', '--clients', '2', '--requests', '10', '--faults', 'drop=0.05,dup=0.05', '--trace', logs, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Report).requests.completed).toBe(10);
      const replay = await mommie(['replay', `specs/${spec}.mom`, logs]);
      expect(replay.exitCode, replay.stdout).toBe(0);
    }
  });
});

describe('DIGEST on the simulated network', () => {
  it('PBFTCounter with PrePrepare, Prepare and Commit by digest, requests to a quorum first, drops and duplicates: every request completes, records are fetched, the logs replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-digest-'));
    try {
      const logs = join(dir, 'logs');
      const r = await mommie(['run', 'specs/PBFTCounter.mom', '--deploy', join(FIX, 'PBFTCounter.digest.deploy'), '--network', 'sim', '--clients', '2', '--requests', '20', '--faults', 'drop=0.05,dup=0.05', '--trace', logs, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout) as Report;
      expect(rep.requests.completed).toBe(20);
      const sum = (k: string): number => rep.nodes.reduce((n, x) => n + (x.digest?.[k] ?? 0), 0);
      expect(sum('sent')).toBeGreaterThan(100);
      expect(sum('held')).toBeGreaterThan(0);
      expect(sum('resolved')).toBe(sum('held'));
      expect(sum('fetched')).toBeGreaterThan(0);
      expect(sum('bad')).toBe(0);
      const replay = await mommie(['replay', 'specs/PBFTCounter.mom', logs]);
      expect(replay.exitCode, replay.stdout + replay.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * `spec` over TCP with deploy-file `text` on free ports, 2 clients with 2
 * requests in flight each: the run completes, its logs replay, and no
 * process of it is left (runOverTcp). Its report.
 */
async function tcpRun(dir: string, text: string, spec: string, requests: number): Promise<TcpReport> {
  const keys = join(dir, 'keys');
  writeFileSync(join(dir, 'nodes.deploy'), text);
  await makeKeys(join(dir, 'nodes.deploy'), keys);
  return runOverTcp(spec, text, dir, { keys, requests, clients: 2, concurrency: 2 });
}

describe('optimizers over TCP', () => {
  it('DIGEST over TCP, one process per node: PBFTCounter\'s 20 requests complete, records are sent by digest, the logs replay, no process is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-digest-tcp-'));
    try {
      const rep = await tcpRun(dir, readFileSync(join(ROOT, FIX, 'PBFTCounter.digest.deploy'), 'utf8'), 'PBFTCounter', 20);
      expect(rep.requests.completed).toBe(20);
      expect(rep.nodes.reduce((n, x) => n + (x.digest?.['sent'] ?? 0), 0)).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('relaying through r4 and batching, one process per node: 30 requests complete, the logs replay, no process is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mommie-dissem-tcp-'));
    try {
      const text = readFileSync(join(ROOT, FIX, 'PBCounter.relay.deploy'), 'utf8').replace('C -> R [Request] : OPTIMISTIC(r4) 100ms;', 'C -> R [Request] : OPTIMISTIC(r4) 100ms; BATCH(8, 2ms);\nR -> * : BATCH(8, 2ms);');
      const rep = await tcpRun(dir, text, 'PBCounter', 30);
      expect(rep.requests.completed).toBe(30);
      expect(rep.nodes.find((n) => n.node === 'r4')!.dissemination!.relayed).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
