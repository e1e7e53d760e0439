// A candidate's operation counts, from short runs on the simulated network
// (the runtime itself: real sealing and encoding, virtual time): frames,
// bytes, MACs, signatures, verifications and statements handled per
// completed request, per node too. Two runs differ only in the fixed delay
// of every hop (1 ms, then 4 ms); how the mean latency grows with it is the
// number of sequential hops per request, and what is left of the latency at
// 1 ms per hop, beyond the hops, is waiting (batch windows, escalations).

import type { SourceText } from '../diagnostics/source.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import type { KeyRing } from '../keys/keyring.js';
import { runSimulation, type SimRunResult } from '../runtime/sim-run.js';
import { WireCodec } from '../runtime/wire-codec.js';
import type { ModelInstance } from '../semantics/model.js';
import { isClient } from '../semantics/model.js';
import type { CryptoFloor } from '../wire/floor.js';
import type { WireSchema, WireStatsSnapshot } from '../wire/index.js';
import type { NodeCounts, Observation, PerRequest } from './types.js';

export interface SimSetup {
  readonly model: ModelInstance;
  readonly source?: SourceText;
  readonly rings: ReadonlyMap<string, KeyRing>;
  readonly schema: WireSchema;
  readonly ttps: readonly string[];
  readonly requests: number;
  readonly concurrency: number;
  readonly seed: number;
}

/** The two per-hop delays, ms. */
export const HOP_DELAYS = [1, 4] as const;

export type SimOutcome = { readonly ok: true; readonly observation: Observation } | { readonly ok: false; readonly reason: string };

/** Which signature algorithms a deployment's mechanisms use (a TTP countersigns with Ed25519). */
export function signatureAlgs(d: CheckedDeployment): { ed25519: boolean; rsa: boolean } {
  const kinds = new Set<string>();
  const nodes = [...d.nodes.keys()];
  for (const a of nodes) {
    for (const r of d.nonRepOf(a)) kinds.add(r.mechanism.kind);
    for (const b of nodes) {
      const m = d.authFor(a, b)?.mechanism.kind;
      if (m !== undefined) kinds.add(m);
    }
  }
  return { ed25519: kinds.has('ED25519') || kinds.has('TTP'), rsa: kinds.has('RSA') };
}

/**
 * Splits `count` operations that took `ms` between Ed25519 and RSA by their
 * unit costs, when a deployment uses both (the wire counts signatures, not
 * which algorithm made them).
 */
function split(count: number, ms: number, edUs: number, rsaUs: number, algs: { ed25519: boolean; rsa: boolean }): { ed: number; rsa: number } {
  if (!algs.rsa) return { ed: count, rsa: 0 };
  if (!algs.ed25519 || rsaUs === edUs) return { ed: 0, rsa: count };
  const rsa = Math.min(count, Math.max(0, Math.round((ms * 1000 - count * edUs) / (rsaUs - edUs))));
  return { ed: count - rsa, rsa };
}

function run(setup: SimSetup, d: CheckedDeployment, delayMs: number): { r: SimRunResult; wire: Map<string, WireStatsSnapshot>; cpuUs: number } {
  const codecs = new Map<string, WireCodec>();
  const cpu0 = process.cpuUsage();
  const r = runSimulation({
    model: setup.model, ...(setup.source !== undefined ? { source: setup.source } : {}), seed: setup.seed,
    faults: { drop: 0, duplicate: 0, minDelayMs: delayMs, maxDelayMs: delayMs, partitions: [] },
    requests: setup.requests, concurrency: setup.concurrency, ttps: setup.ttps,
    invariants: false, maxTimeMs: 300_000, stallMs: 30_000,
    timeoutMs: (role, t) => d.timeoutMs(role, t),
    dissemination: (issuer, type) => d.disseminationFor(issuer, type),
    codecFor: (n) => {
      const ring = setup.rings.get(n);
      if (ring === undefined) throw new Error(`no tuning keys for ${n}`);
      const c = new WireCodec(ring, d, setup.schema);
      codecs.set(n, c);
      return c;
    },
  });
  const cpu = process.cpuUsage(cpu0);
  return { r, wire: new Map([...codecs].map(([n, c]) => [n, c.wire.snapshot()])), cpuUs: cpu.user + cpu.system };
}

/** One run at 1 ms per hop: this process's CPU, the crypto's share of it, and the statements the nodes handled (measure.ts calibrates with it). */
export function cpuOfRun(setup: SimSetup, d: CheckedDeployment): { cpuUs: number; cryptoUs: number; statements: number; completed: number } {
  const { r, wire, cpuUs } = run(setup, d, HOP_DELAYS[0]);
  let cryptoMs = 0;
  for (const w of wire.values()) cryptoMs += w.crypto.mac.ms + w.crypto.sign.ms + w.crypto.verify.ms;
  const statements = r.nodes.reduce((s, n) => s + n.stats.delivered + n.stats.duplicates, 0) + r.ttps.reduce((s, t) => s + t.stats.countersigned, 0);
  return { cpuUs, cryptoUs: cryptoMs * 1000, statements, completed: r.completed };
}

const meanOf = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export function simulate(setup: SimSetup, d: CheckedDeployment, floor: CryptoFloor): SimOutcome {
  const first = run(setup, d, HOP_DELAYS[0]);
  const r = first.r;
  if (r.stalled !== undefined) return { ok: false, reason: `request ${r.stalled.label} stalled in simulation` };
  if (r.completed === 0) return { ok: false, reason: `no request completed in simulation (${r.requested} started)` };
  const second = run(setup, d, HOP_DELAYS[1]);
  if (second.r.completed === 0) return { ok: false, reason: 'no request completed in simulation with slower hops' };

  const algs = signatureAlgs(d);
  const nodes: NodeCounts[] = [];
  const counted = (name: string, statements: number, link: { framesOut: number; framesIn: number; bytesOut: number; bytesIn: number }): void => {
    const c = first.wire.get(name)?.crypto;
    const signs = split(c?.sign.count ?? 0, c?.sign.ms ?? 0, floor.ed25519SignUs, floor.rsaSignUs, algs);
    const verifies = split(c?.verify.count ?? 0, c?.verify.ms ?? 0, floor.ed25519VerifyUs, floor.rsaVerifyUs, algs);
    nodes.push({
      node: name, macs: c?.mac.count ?? 0, ed25519Signs: signs.ed, rsaSigns: signs.rsa, ed25519Verifies: verifies.ed, rsaVerifies: verifies.rsa,
      statements, framesOut: link.framesOut, framesIn: link.framesIn, bytesOut: link.bytesOut, bytesIn: link.bytesIn,
    });
  };
  let escalations = 0, relayed = 0, lazy = 0;
  for (const n of r.nodes) {
    counted(n.name, n.stats.delivered + n.stats.duplicates, n.link.stats);
    escalations += n.outbox.stats.escalations;
    relayed += n.outbox.stats.relayed;
    lazy += n.outbox.stats.lazy;
  }
  for (const t of r.ttps) counted(t.name, t.stats.countersigned, t.link.stats);

  const done = r.completed;
  const sum = (f: (n: NodeCounts) => number): number => nodes.reduce((s, n) => s + f(n), 0) / done;
  const perRequest: PerRequest = {
    frames: sum((n) => n.framesOut), bytes: sum((n) => n.bytesOut), macs: sum((n) => n.macs),
    ed25519Signs: sum((n) => n.ed25519Signs), ed25519Verifies: sum((n) => n.ed25519Verifies), rsaSigns: sum((n) => n.rsaSigns), rsaVerifies: sum((n) => n.rsaVerifies),
    statements: sum((n) => n.statements), escalations: escalations / done, relayed: relayed / done, lazy: lazy / done,
  };
  const [d1, d2] = HOP_DELAYS;
  const l1 = meanOf(r.latencies);
  const l2 = meanOf(second.r.latencies);
  const hops = Math.max(0, (l2 - l1) / (d2 - d1));
  const clients = setup.model.nodes.filter((n) => n.status === 'correct' && isClient(n)).length;
  return {
    ok: true,
    observation: {
      requested: r.requested, completed: done, perRequest, nodes, hops, waitsMs: Math.max(0, l1 - hops * d1),
      outstanding: Math.max(1, Math.min(setup.requests, clients * setup.concurrency)),
      processes: r.nodes.length + r.ttps.length,
    },
  };
}
