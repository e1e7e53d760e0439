// The cost model: a candidate's counts (simulate.ts) times the constants
// measured on this machine (measure.ts). docs/optimizations.md, "deploy-tune",
// states it and its assumptions:
//   CPU of a node = MACs × µs per MAC + signatures and verifications × their µs
//                 + its frames' and bytes' share of the loopback transport
//                 + statements handled × the processing cost;
//   throughput    = the least of cores / CPU per request, 1 / the busiest
//                   node's CPU per request, and requests in flight / latency;
//   latency       = hops × (one loopback hop at the mean frame size + CPU per
//                   statement) + the waits seen in simulation, or, when the
//                   CPU is the bound, requests in flight / throughput;
//   bytes         = bytes sent per request, as the simulated run counted them.

import { linear } from './probe.js';
import type { Bound, CostConstants, NodeCounts, Objective, Observation, Prediction } from './types.js';

/** CPU a node spent over the whole run, µs. */
export function nodeCpuUs(n: NodeCounts, c: CostConstants): number {
  const k = c.crypto;
  const crypto = n.macs * k.macUs + n.ed25519Signs * k.ed25519SignUs + n.ed25519Verifies * k.ed25519VerifyUs + n.rsaSigns * k.rsaSignUs + n.rsaVerifies * k.rsaVerifyUs;
  // A frame's CPU is its sender's and its receiver's: each end bears half.
  const f = c.network.frameCpu;
  const transport = ((n.framesOut + n.framesIn) * f.fixedUs + (n.bytesOut + n.bytesIn) * f.perByteUs) / 2;
  return crypto + transport + n.statements * c.processingUs;
}

export function predict(o: Observation, c: CostConstants): Prediction {
  const done = Math.max(1, o.completed);
  const perNode = o.nodes.map((n) => ({ node: n.node, cpuUsPerRequest: nodeCpuUs(n, c) / done }));
  const cpu = perNode.reduce((s, n) => s + n.cpuUsPerRequest, 0);
  const busiest = perNode.reduce((a, b) => (b.cpuUsPerRequest > a.cpuUsPerRequest ? b : a), { node: '', cpuUsPerRequest: 0 });
  const cores = Math.max(1, Math.min(c.cores, o.processes));
  const byCpu = cpu > 0 ? (cores * 1e6) / cpu : Number.POSITIVE_INFINITY;
  const byNode = busiest.cpuUsPerRequest > 0 ? 1e6 / busiest.cpuUsPerRequest : Number.POSITIVE_INFINITY;
  const frameBytes = o.perRequest.frames > 0 ? o.perRequest.bytes / o.perRequest.frames : 0;
  const perStatementUs = o.perRequest.statements > 0 ? cpu / o.perRequest.statements : 0;
  const unloadedMs = (o.hops * (linear(c.network.hop, frameBytes) + perStatementUs)) / 1000 + o.waitsMs;
  const byLoop = unloadedMs > 0 ? (o.outstanding * 1000) / unloadedMs : Number.POSITIVE_INFINITY;
  // Real processes reach only part of the modelled capacity (scheduling, waits between bursts): a TCP calibration measured how much.
  const efficiency = c.tcp?.efficiency ?? 1;
  const raw = Math.min(byCpu, byNode, byLoop);
  const bound: Bound = raw === byLoop ? 'closed-loop' : raw === byNode ? 'busiest-node' : 'cpu';
  const throughput = raw * efficiency;
  const saturated = Math.min(byCpu, byNode) * efficiency;
  const latencyMs = Math.max(unloadedMs, Number.isFinite(saturated) ? (o.outstanding * 1000) / saturated : 0);
  return { throughputPerS: Number.isFinite(throughput) ? throughput : 0, latencyMs, bytesPerRequest: o.perRequest.bytes, cpuUsPerRequest: cpu, busiest, bound };
}

/** The objective's figure, larger is better. */
function merit(p: Prediction, objective: Objective): number {
  switch (objective) {
    case 'throughput':
      return p.throughputPerS;
    case 'latency':
      return -p.latencyMs;
    case 'bytes':
      return -p.bytesPerRequest;
  }
}

const ORDER: Readonly<Record<Objective, readonly Objective[]>> = {
  throughput: ['throughput', 'latency', 'bytes'],
  latency: ['latency', 'throughput', 'bytes'],
  bytes: ['bytes', 'throughput', 'latency'],
};

/** Negative when `a` is better than `b` for the objective; the other figures break ties. */
export function compare(a: Prediction, b: Prediction, objective: Objective): number {
  for (const o of ORDER[objective]) {
    const d = merit(b, o) - merit(a, o);
    if (d !== 0) return d;
  }
  return 0;
}

/** The objective's figure as the ranking shows it. */
export function figure(p: Prediction, objective: Objective): number {
  return objective === 'throughput' ? p.throughputPerS : objective === 'latency' ? p.latencyMs : p.bytesPerRequest;
}
