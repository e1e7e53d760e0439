// One running node's part of a run report (runtime/report.ts's NodeReport),
// built where the node runs: over TCP that is its own process, which sends it
// to the supervisor as it stops.

import type { ModelInstance, NodeInfo } from '../semantics/model.js';
import type { TcpStats } from '../transport/tcp.js';
import type { WireStatsSnapshot } from '../wire/index.js';
import type { RuntimeNode } from './node.js';
import type { CountersignReport, DisseminationReport, ForgettingReport, NodeCpu, NodeReport, TtpReport } from './report.js';
import type { TtpNode } from './ttp-node.js';
import type { DigestCounts } from './record-store.js';
import type { CountersignCounts } from './wire-codec.js';

export interface NodeReportExtras {
  readonly wire?: WireStatsSnapshot;
  readonly tcp?: TcpStats;
  readonly recovered?: { readonly events: number; readonly fires: number; readonly deliveries: number };
  /** The codec's side of the countersignature exchange (WireCodec.local.countersign). */
  readonly countersign?: CountersignCounts;
  /** The DIGEST optimizer's counts (WireCodec.local.digest). */
  readonly digest?: DigestCounts;
  /** The process's CPU time over the workload (a node that has its process to itself). */
  readonly cpu?: NodeCpu;
}

/** The node's part of the countersignature exchange, when it had one. */
export function countersignReport(n: RuntimeNode, c: CountersignCounts | undefined): CountersignReport | undefined {
  const o = n.outbox.stats;
  if (c === undefined || (c.asked === 0 && c.bad === 0 && c.late === 0 && o.countersignRequests === 0)) return undefined;
  return { asked: c.asked, requests: o.countersignRequests, reasked: o.reasked, obtained: c.obtained, bad: c.bad, late: c.late, heldBack: o.heldBack, held: n.outbox.held };
}

/** What the dissemination optimizers did at the node, when they did anything. */
export function disseminationReport(n: RuntimeNode): DisseminationReport | undefined {
  const o = n.outbox.stats;
  const d: DisseminationReport = { relayRequests: o.relayRequests, relayed: o.relayed, escalations: o.escalations, lazy: o.lazy, batchWindows: o.batchWindows };
  return Object.values(d).some((x) => x > 0) ? d : undefined;
}

export function runningNodeReport(n: RuntimeNode, info: NodeInfo, model: ModelInstance, extras: NodeReportExtras): NodeReport {
  const role = info.role!;
  const l = n.link.stats;
  const countersign = countersignReport(n, extras.countersign);
  const dissemination = disseminationReport(n);
  return {
    node: info.name,
    role: role.name,
    status: 'correct',
    fired: { ...n.stats.firedBy },
    aborted: n.stats.aborted,
    state: Object.fromEntries(role.vars.map((v, i) => [v.name, model.evaluator.show(n.machine.variables[i]!)])),
    statements: { published: n.stats.published, sent: n.stats.statementsSent, received: n.stats.delivered, duplicates: n.stats.duplicates },
    frames: { out: l.framesOut, in: l.framesIn, retransmitted: l.retransmissions, bytesOut: l.bytesOut, bytesIn: l.bytesIn, dropped: { ...l.dropped } },
    ...(extras.wire !== undefined ? { wire: extras.wire } : {}),
    ...(extras.tcp !== undefined ? { tcp: { ...extras.tcp, refused: { ...extras.tcp.refused } } } : {}),
    ...(extras.recovered !== undefined ? { recovered: extras.recovered } : {}),
    ...(countersign !== undefined ? { countersign } : {}),
    ...(dissemination !== undefined ? { dissemination } : {}),
    ...(extras.digest !== undefined && Object.values(extras.digest).some((x) => x > 0) ? { digest: { ...extras.digest } } : {}),
    ...(extras.cpu !== undefined ? { cpu: extras.cpu } : {}),
    ...forgettingOf(n),
    ...(extras.tcp !== undefined ? { backpressure: { backlogged: l.backlogged, backlogPeak: l.backlogPeak, fetchesDeferred: l.fetchesDeferred, heldFull: extras.digest?.heldFull ?? 0, heldPeak: l.heldPeak, notHeld: l.notHeld, rederived: l.rederived } } : {}),
  };
}

/** A trusted third party's report, built where it runs. */
export function runningTtpReport(t: TtpNode, extras: { readonly wire?: WireStatsSnapshot; readonly tcp?: TcpStats }): TtpReport {
  const l = t.link.stats;
  return {
    node: t.name, status: 'correct', requests: t.stats.requests, countersigned: t.stats.countersigned,
    byIssuer: { ...t.stats.byIssuer }, refused: { ...t.stats.refused },
    frames: { out: l.framesOut, in: l.framesIn, retransmitted: l.retransmissions, bytesOut: l.bytesOut, bytesIn: l.bytesIn, dropped: { ...l.dropped } },
    ...(extras.wire !== undefined ? { wire: extras.wire } : {}),
    ...(extras.tcp !== undefined ? { tcp: { ...extras.tcp, refused: { ...extras.tcp.refused } } } : {}),
  };
}

/** What the supervisor shows for a TTP that never reported. */
export function silentTtpReport(node: string, status: TtpReport['status']): TtpReport {
  return {
    node, status, requests: 0, countersigned: 0, byIssuer: {}, refused: {},
    frames: { out: 0, in: 0, retransmitted: 0, bytesOut: 0, bytesIn: 0, dropped: {} },
  };
}

/** What the supervisor shows for a node that never reported (it died, or never started). */
export function silentNodeReport(info: NodeInfo, status: NodeReport['status']): NodeReport {
  return {
    node: info.name, role: info.role?.name ?? '', status, fired: {}, aborted: 0, state: {},
    statements: { published: 0, sent: 0, received: 0, duplicates: 0 },
    frames: { out: 0, in: 0, retransmitted: 0, bytesOut: 0, bytesIn: 0, dropped: {} },
  };
}

/** The node's forgetting, when its role forgets (FORGET, issue 23). */
export function forgettingOf(n: RuntimeNode): { forgetting?: ForgettingReport } {
  const f = n.machine.forgetCounts;
  return f === undefined ? {} : { forgetting: { forgotten: f.forgotten, absorbed: n.stats.absorbed, known: n.machine.known.size } };
}
