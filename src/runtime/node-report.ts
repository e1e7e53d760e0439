// One running node's part of a run report (runtime/report.ts's NodeReport),
// built where the node runs: over TCP that is its own process, which sends it
// to the supervisor as it stops.

import type { ModelInstance, NodeInfo } from '../semantics/model.js';
import type { TcpStats } from '../transport/tcp.js';
import type { WireStatsSnapshot } from '../wire/index.js';
import type { RuntimeNode } from './node.js';
import type { NodeReport } from './report.js';

export interface NodeReportExtras {
  readonly wire?: WireStatsSnapshot;
  readonly tcp?: TcpStats;
  readonly recovered?: { readonly events: number; readonly fires: number; readonly deliveries: number };
}

export function runningNodeReport(n: RuntimeNode, info: NodeInfo, model: ModelInstance, extras: NodeReportExtras): NodeReport {
  const role = info.role!;
  const l = n.link.stats;
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
