// Forgetting at run time (issue 23 item 4): a node drops from its known set,
// its indexes, its pending candidates and its fire-once table what its
// role's FORGET members let it drop, and a late copy of a statement it
// forgot is absorbed (counted, never learned again). PBCounter's clients
// forget the replies they accepted and its primary the orders it executed;
// its backups keep their orders (a backup that has not suspected the primary
// still needs them, specs/PBCounter.mom) and every replica keeps the requests
// (no FORGET names them). The compiled and reference nodes forget alike:
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
  backupOrders: number;
}

/** PBCounter's deployment on the simulated network with 8 clients, ready to run. */
async function setup(): Promise<{ model: import('../src/semantics/model.js').ModelInstance; codecFor: (n: string) => WireCodec; deployment: import('../src/deploy/deployment.js').Deployment }> {
  const program = checkFile(SPEC).program!;
  const dep = loadDeployment(join(ROOT, 'specs', 'PBCounter.deploy'), program);
  const deployment = dep.deployment!;
  const inst = instantiateRun(program, new Map<string, Value>(deployment.constants));
  if (!inst.ok) throw inst.error;
  const model = withClients(inst.instance, 8);
  if ('available' in model) throw new Error('clients');
  const schema = schemaFromModel(model);
  if (!schema.ok) throw new Error(schema.detail);
  const rings = await generateKeyRings(model.nodes.map((n) => n.name));
  return { model, deployment, codecFor: (n) => new WireCodec(rings.get(n)!, deployment, schema.schema) };
}

async function peaks(requests: number): Promise<Peaks> {
  const { model, deployment, codecFor } = await setup();
  const p: Peaks = { completed: 0, client: 0, primaryOrders: 0, clientHandled: 0, primaryHandled: 0, forgotten: 0, absorbed: 0, backupOrders: 0 };
  let nodes: readonly import('../src/runtime/node.js').RuntimeNode[] = [];
  const sample = (): void => {
    for (const n of nodes) {
      const m = n.machine;
      if (n.name.startsWith('c')) {
        p.client = Math.max(p.client, m.known.size);
        p.clientHandled = Math.max(p.clientHandled, m.handledCount);
      }
      if (n.name === 'r1') {
        p.primaryOrders = Math.max(p.primaryOrders, m.known.knownOfType('Order').length);
        p.primaryHandled = Math.max(p.primaryHandled, m.handledCount);
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
  sample();
  p.completed = r.completed;
  for (const n of r.nodes) {
    p.forgotten += n.machine.forgetCounts?.forgotten ?? 0;
    p.absorbed += n.stats.absorbed;
    if (n.name === 'r2') p.backupOrders = n.machine.known.knownOfType('Order').length;
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
    // The primary keeps one entry per request (Assign reads the requests it never forgets), Execute's go.
    expect(large.primaryHandled).toBeLessThanOrEqual(256 + 16);
    expect(large.forgotten).toBeGreaterThan(1.8 * small.forgotten);
    // The fourth reply of each request comes after its client accepted: absorbed, not learned.
    expect(large.absorbed).toBeGreaterThan(0);
    // What is not forgotten grows: a backup that never suspected keeps every order.
    expect(large.backupOrders).toBe(256);
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
