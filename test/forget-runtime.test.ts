// Forgetting at run time (issue 23 item 4): a node drops from its known set,
// its indexes, its pending candidates and its fire-once table what its
// role's FORGET members let it drop, and a late copy of a statement it
// forgot is absorbed (counted, never learned again). PBCounter's clients
// forget the replies they accepted and its replicas the orders and requests
// they executed (a request by its client's entry of the execution table, a
// stable lookup: item 2). specs/PBFTCheckpoint.mom's replicas forget what is
// below their stable checkpoint (item 6). The compiled and reference nodes forget alike:
// test/compiled-sim.test.ts compares their logs on every example, ForgetLog
// and PBCounter included.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../src/analysis/frontend.js';
import { loadDeployment } from '../src/deploy/load.js';
import { generateKeyRings } from '../src/keys/ring.js';
import { runSimulation } from '../src/runtime/sim-run.js';
import { WireCodec } from '../src/runtime/wire-codec.js';
import { instantiate, instantiateRun, withClients } from '../src/semantics/model.js';
import { NodeMachine } from '../src/semantics/node.js';
import { System } from '../src/semantics/system.js';
import { makeRecord, type Value } from '../src/semantics/value.js';
import { schemaFromModel } from '../src/wire/index.js';
import type { TraceEvent } from '../src/trace/events.js';
import { rerunOwnLog } from '../src/trace/rerun.js';
import { ROOT } from './helpers/cli.js';

const SPEC = join(ROOT, 'specs', 'PBCounter.mom');
const CHECKPOINT = join(ROOT, 'specs', 'PBFTCheckpoint.mom');

interface Peaks {
  completed: number;
  /** The most statements any client knew at once, sampled as the run went. */
  client: number;
  /** The most orders the primary knew at once. */
  primaryOrders: number;
  /** The most fire-once entries any client and the primary held. */
  clientHandled: number;
  primaryHandled: number;
  forgotten: number;
  absorbed: number;
  /** Forgetting's verdicts over the run, every node (forget-node.ts counts.judged). */
  judged: number;
  /** The most statements a backup knew at once. */
  backup: number;
  backupHandled: number;
}

/** A program's shipped deployment (PBCounter's unless said) on the simulated network with 8 clients, ready to run; `constants` override the deploy file's. */
async function setup(spec = SPEC, constants: Readonly<Record<string, number>> = {}): Promise<{ model: import('../src/semantics/model.js').ModelInstance; codecFor: (n: string) => WireCodec; deployment: import('../src/deploy/deployment.js').Deployment }> {
  const program = checkFile(spec).program!;
  const dep = loadDeployment(spec.replace(/\.mom$/, '.deploy'), program);
  const deployment = dep.deployment!;
  const inst = instantiateRun(program, new Map<string, Value>([...deployment.constants, ...Object.entries(constants)]));
  if (!inst.ok) throw inst.error;
  const model = withClients(inst.instance, 8);
  if ('available' in model) throw new Error('clients');
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new Error(schema.detail);
  const rings = await generateKeyRings(model.nodes.map((n) => n.name));
  return { model, deployment, codecFor: (n) => new WireCodec(rings.get(n)!, deployment, schema.schema) };
}

/**
 * One simulated run's peaks (seed 7, 16 in flight per client, drops and duplicates); with
 * `firstHalf`, the peaks of the run's first half go there and `p` keeps those of the second.
 */
async function peaks(requests: number, spec = SPEC, constants: Readonly<Record<string, number>> = {}, firstHalf?: Peaks): Promise<Peaks> {
  const { model, deployment, codecFor } = await setup(spec, constants);
  const empty = (): Peaks => ({ completed: 0, client: 0, primaryOrders: 0, clientHandled: 0, primaryHandled: 0, forgotten: 0, absorbed: 0, judged: 0, backup: 0, backupHandled: 0 });
  const second = empty();
  let p = firstHalf ?? second;
  let nodes: readonly import('../src/runtime/node.js').RuntimeNode[] = [];
  const sample = (completed = 0): void => {
    if (firstHalf !== undefined && completed * 2 >= requests) p = second;
    for (const n of nodes) {
      const m = n.machine;
      if (n.name.startsWith('c')) {
        p.client = Math.max(p.client, m.known.size);
        p.clientHandled = Math.max(p.clientHandled, m.handledCount);
      }
      if (n.name === 'r1') {
        p.primaryOrders = Math.max(p.primaryOrders, m.known.knownOfType('Order').length);
        p.primaryHandled = Math.max(p.primaryHandled, m.handledCount);
      } else if (n.name.startsWith('r')) {
        p.backup = Math.max(p.backup, m.known.size);
        p.backupHandled = Math.max(p.backupHandled, m.handledCount);
      }
    }
  };
  const r = runSimulation({
    model, seed: 7, requests, concurrency: 16, invariants: false, maxTimeMs: 1e9, quiesceMs: 0,
    faults: { drop: 0.05, duplicate: 0.2, minDelayMs: 1, maxDelayMs: 20, partitions: [] },
    codecFor,
    timeoutMs: (role, t) => deployment.timeoutMs(role, t),
    dissemination: (issuer, type) => deployment.disseminationFor?.(issuer, type),
    onNodes: (ns) => {
      nodes = ns;
    },
    onProgress: sample,
  });
  sample(requests);
  p.completed = r.completed;
  for (const n of r.nodes) {
    p.forgotten += n.machine.forgetCounts?.forgotten ?? 0;
    p.judged += n.machine.forgetCounts?.judged ?? 0;
    p.absorbed += n.stats.absorbed;
  }
  return p;
}

describe('forgetting at run time', () => {
  it('PBCounter on the simulated network: what its FORGET members name stays bounded by the window while requests grow', { timeout: 120_000 }, async () => {
    // 8 clients with 16 requests each in flight: the window is full from the first run on.
    const small = await peaks(128);
    const large = await peaks(256);
    expect(small.completed).toBe(128);
    expect(large.completed).toBe(256);
    // A client holds at most its window's replies (16 requests x 4 replicas), whatever the run's length.
    expect(large.client).toBeGreaterThan(0);
    expect(large.client).toBeLessThanOrEqual(16 * 4);
    // The primary executes what it ordered at once, out of order only within the window.
    expect(large.primaryOrders).toBeLessThanOrEqual(8 * 16);
    // A client's Accept entries go with the replies they read; Submit's stay (nothing forgets an input's instance).
    expect(large.clientHandled).toBeLessThanOrEqual(256 / 8 + 16);
    // Assign's and Execute's entries go with the requests and orders they read (item 2: requests are forgotten).
    expect(large.primaryHandled).toBeLessThanOrEqual(8 * 16 + 16);
    expect(large.forgotten).toBeGreaterThan(1.8 * small.forgotten);
    // The fourth reply of each request comes after its client accepted: absorbed, not learned.
    expect(large.absorbed).toBeGreaterThan(0);
    // A backup holds the requests in flight (at most 8 x 16) and their orders, not the history:
    // before requests were forgotten it held every one (256 at the end, and the orders too).
    expect(large.backup).toBeLessThanOrEqual(2 * 8 * 16);
    expect(large.backupHandled).toBeLessThanOrEqual(8 * 16 + 16);
    // A request waits on its client's entry of the replicas' table (EXISTS e IN executed : e.client == ...):
    // an Execute wakes that client's waiting requests, not every client's, so verdicts grow with what is
    // forgotten, not with it times the requests waiting: 16,182 verdicts for 2,869 statements forgotten.
    // Waking every waiting request on each Execute gave 67,582 (23.6 per statement forgotten).
    console.log(`PBCounter, 256 requests: ${large.judged} verdicts for ${large.forgotten} statements forgotten`);
    expect(large.judged).toBeLessThanOrEqual(10 * large.forgotten);
  });

  it('PBFTCheckpoint on the simulated network: a replica holds what is above its stable checkpoint, bounded by the log, not by the run', { timeout: 180_000 }, async () => {
    // A checkpoint every 8 executions and a log of 16 sequence numbers: the primary orders at most 16
    // past its stable checkpoint, so the requests wait for it rather than fill the replicas' logs.
    const constants = { K: 8, LogSize: 16 };
    const first: Peaks = { completed: 0, client: 0, primaryOrders: 0, clientHandled: 0, primaryHandled: 0, forgotten: 0, absorbed: 0, judged: 0, backup: 0, backupHandled: 0 };
    const second = await peaks(240, CHECKPOINT, constants, first);
    expect(second.completed).toBe(240);
    console.log(`PBFTCheckpoint, 240 requests: at most ${first.backup} / ${second.backup} statements at a backup, ${first.primaryHandled} / ${second.primaryHandled} fire-once entries at the primary (first / second half), ${second.forgotten} forgotten, ${second.absorbed} late copies absorbed`);
    // Per sequence number in the log (at most LogSize + K above a backup's stable checkpoint): a pre-prepare,
    // 4 prepares and 4 commits; the requests in flight (8 clients x 16); 4 checkpoints per K. Without
    // forgetting a backup would hold about 10 statements per request by the end (2,400).
    const bound = (16 + 8) * 9 + 8 * 16 + 4 * 3;
    expect(first.backup).toBeGreaterThan(0);
    expect(second.backup).toBeLessThanOrEqual(bound);
    expect(second.primaryHandled).toBeLessThanOrEqual(bound);
    // A client holds at most its window's replies, whatever the run's length.
    expect(second.client).toBeLessThanOrEqual(16 * 4);
    // The history goes: every request leaves its pre-prepare, prepares, commits and request forgotten at each replica.
    expect(second.forgotten).toBeGreaterThan(240 * 8 * 3);
  });

  it('a client re-doing its log after a restart knows which requests were answered, though it forgot their replies', { timeout: 60_000 }, async () => {
    const { model, deployment, codecFor } = await setup();
    const events: TraceEvent[] = [];
    const r = runSimulation({
      model, seed: 3, requests: 32, concurrency: 4, invariants: false, maxTimeMs: 1e9, quiesceMs: 0, codecFor,
      timeoutMs: (role, t) => deployment.timeoutMs(role, t),
      dissemination: (issuer, type) => deployment.disseminationFor?.(issuer, type),
      traceFor: (n) => (n === 'c1' ? { write: (e) => events.push(e) } : undefined),
    });
    expect(r.completed).toBe(32);
    const system = new System(model);
    const machine = new NodeMachine(system, model.nodes.find((n) => n.name === 'c1')!);
    // As a restarted process does: its log's start line read apart, the events re-done.
    const rerun = rerunOwnLog('c1', machine, events.slice(1).map((event, i) => ({ event, line: i + 2 })));
    if (!rerun.ok) throw new Error(rerun.message);
    const inputs = rerun.result.inputs;
    expect(inputs.length).toBe(4);
    // Every reply was forgotten once accepted: PROGRESS no longer matches at the end of the log...
    const progress = (i: (typeof inputs)[number]): boolean => i.drafts.every((d) => d.site.progress === undefined || machine.holds(d.site.progress, i.bound));
    expect(inputs.filter(progress)).toEqual([]);
    expect(machine.known.size).toBe(0);
    // ...and the re-run saw each request answered before it forgot: none is in flight again.
    expect([...rerun.result.answered].sort()).toEqual([0, 1, 2, 3]);
  });

  it('a retransmission of a forgotten statement is absorbed and counted, not learned again', () => {
    const program = checkFile(SPEC).program!;
    const inst = instantiate(program, 'AllCorrect');
    if (!inst.ok) throw new Error(inst.error.message);
    const system = new System(inst.instance);
    const c1 = inst.instance.nodes.find((n) => n.name === 'c1')!;
    const m = new NodeMachine(system, c1);
    const submitted = m.input('Submit', [0, 1]);
    expect(submitted.kind).toBe('fired');
    const reply = makeRecord('Reply', [0, 1, 1]);
    const replies = ['r1', 'r2', 'r3'].map((r) => m.statement(r, ['c1'], [], reply));
    for (const s of replies) expect(m.receive(s)).toBe('learned');
    const accept = m.nextEnabled();
    expect(accept?.transition.name).toBe('Accept');
    const fired = m.fire(accept!);
    expect(fired.kind).toBe('fired');
    // Accepting moved answered past the reply's id: the three replies are forgotten, with Accept's fire-once entry.
    expect(m.known.size).toBe(0);
    expect(m.handledCount).toBe(1);
    expect(m.forgetCounts).toMatchObject({ forgotten: 3, absorbed: 0 });
    // A copy of a forgotten reply, and the fourth replica's late one: absorbed, counted, nothing learned or enabled.
    expect(m.receive(m.statement('r1', ['c1'], [], reply))).toBe('absorbed');
    expect(m.receive(m.statement('r4', ['c1'], [], reply))).toBe('absorbed');
    expect(m.learn(m.statement('r2', ['c1'], [], reply))).toBe(false);
    expect(m.known.size).toBe(0);
    expect(m.forgetCounts).toMatchObject({ forgotten: 3, absorbed: 3 });
    expect(m.nextEnabled()).toBeUndefined();
  });
});

describe('ForgetStable at run time', () => {
  it('a step that would make a FORGET condition\'s variable go back is not taken: MOM508, set aside (specs/buggy/ForgetVariableGoesBack.mom)', () => {
    const program = checkFile(join(ROOT, 'specs', 'buggy', 'ForgetVariableGoesBack.mom')).program!;
    const inst = instantiate(program, 'Small');
    if (!inst.ok) throw new Error(inst.error.message);
    const m = new NodeMachine(new System(inst.instance), inst.instance.nodes.find((n) => n.name === 'r1')!);
    expect(m.receive(m.statement('l1', ['r1'], [], makeRecord('Entry', [1])))).toBe('learned');
    const execute = m.nextEnabled();
    expect(execute?.transition.name).toBe('Execute');
    expect(m.fire(execute!).kind).toBe('fired');
    expect(m.forgetCounts).toMatchObject({ forgotten: 1 });
    // Restart would set lastExec back to 0, and the forgotten entry would be executable again.
    const restart = m.nextEnabled();
    expect(restart?.transition.name).toBe('Restart');
    const r = m.fire(restart!);
    expect(r.kind).toBe('aborted');
    if (r.kind !== 'aborted') return;
    expect(r.error.code).toBe('MOM508');
    expect(r.error.message).toContain('Replica.lastExec went from 1 to 0');
    expect(m.variables[0]).toBe(1);
    expect(m.nextEnabled()).toBeUndefined();
  });
});
