// `mommie replay`: checks that recorded node logs are a behaviour of the
// abstract pool. The logs are merged in causal order (a node's own events in
// order; a delivery after the publication it delivers) and every event is
// re-done in the semantics — the same NodeMachine the runtime runs, on a
// reconstructed state:
//   fire     the transition was enabled with that binding here, and its body
//            gives the same variable changes and publications;
//   abort    the body fails here, with the same code;
//   deliver  some node published the statement (a correct node's fire, or a
//            Byzantine node's own), this node is a verifier, and it did not
//            know it already;
//   byz      a node the run declared Byzantine publishes with itself as issuer;
//   countersign  (a trusted third party's log) the statement was published
//            and the TTP countersigned it for its issuer, nobody else
//            (a TTP's refusals and its stop are taken as they are; it takes
//            no step of the program, and the statements it countersigned are
//            delivered, and replayed, as their issuers' statements).
// Functions the program leaves to its implementation take the values the logs
// recorded (`fn` of fire and abort events): replay has no implementation of
// its own, and two logs giving one function two values for the same
// arguments are rejected, since every node must see the same function.
// The first event that fails is reported in MOMMIE terms, with its file and line.
// Re-doing one node's events is trace/rerun.ts (a restarted node uses it too);
// reading a log is trace/read-log.ts.

import type { CheckedProgram } from '../analysis/program.js';
import { NodeMachine } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { TraceEvent } from './events.js';
import { causalMerge, loadRun, type NodeLog } from './merge.js';
import type { ReplayRejection, TraceFile } from './read-log.js';
import { jsonKey, NodeRerun, showStatementJson } from './rerun.js';

export type { ReplayRejection, TraceFile };

export type ReplayResult =
  | { readonly ok: true; readonly nodes: number; readonly events: number; readonly fires: number; readonly deliveries: number; readonly byzantine: number; readonly countersigned: number }
  | { readonly ok: false; readonly rejection: ReplayRejection };

export function replayTraces(program: CheckedProgram, files: readonly TraceFile[]): ReplayResult {
  const run = loadRun(program, files);
  if ('rejection' in run) return { ok: false, rejection: run.rejection };
  const { logs, model } = run;
  const system = new System(model);
  const reruns = new Map<NodeLog, NodeRerun>();
  for (const l of logs) {
    if (l.status !== 'correct') continue;
    const info = model.nodes[model.nodeIndex.get(l.node)!]!;
    reruns.set(l, new NodeRerun(l.node, new NodeMachine(system, { ...info, status: 'correct' })));
  }
  const pool = new Set<string>();
  let byzantine = 0;
  let countersigned = 0;
  let events = 0;

  const end = causalMerge(logs, (k) => pool.has(k), (l, e) => {
    const bad = step(l, e);
    if (bad !== undefined) return `event ${'n' in e ? e.n : ''} of ${l.node}: ${bad}`;
    events++;
    return undefined;
  });
  if (end.kind === 'failed') return reject(end.log.file, end.line, end.log.node, end.message);
  if (end.kind === 'stuck') {
    // Every log is stuck at a delivery that nothing published.
    const { event: e, line } = end.at;
    const l = end.log;
    const s = e.k === 'deliver' || e.k === 'countersign' ? e.s : undefined;
    const shown = s === undefined ? '?' : showStatementJson(s, (v) => system.ev.show(v));
    const what = e.k === 'countersign' ? 'countersignature' : 'delivery';
    return reject(l.file, line, l.node, `event ${'n' in e ? e.n : ''} of ${l.node}: ${what} of ${shown}, which no node published (a correct issuer's fire or a Byzantine node's own statement)`);
  }
  const fires = [...reruns.values()].reduce((n, r) => n + r.fires, 0);
  const deliveries = [...reruns.values()].reduce((n, r) => n + r.deliveries, 0);
  return { ok: true, nodes: logs.length, events, fires, deliveries, byzantine, countersigned };

  function step(l: NodeLog, e: TraceEvent): string | undefined {
    if (l.status === 'ttp') {
      switch (e.k) {
        case 'countersign':
          if (e.s.i !== e.from) return `${l.node} countersigned a statement of ${e.s.i} at the request of ${e.from}: a trusted third party attests only what the issuer itself asked for`;
          countersigned++;
          return undefined;
        case 'refuse':
        case 'stop':
          return undefined;
        case 'start':
          return 'a second start event';
        default:
          return `${l.node} is a trusted third party: it takes no steps of the program`;
      }
    }
    if (e.k === 'byz') {
      if (l.status !== 'byzantine') return `${l.node} is not Byzantine in this run, yet it logged a Byzantine publication`;
      if (e.s.i !== l.node) return `a Byzantine node published a statement of another issuer, ${e.s.i}: authentication should make that impossible`;
      pool.add(jsonKey(e.s));
      byzantine++;
      return undefined;
    }
    const rerun = reruns.get(l);
    if (rerun === undefined) {
      if (e.k === 'start') return 'a second start event';
      if (e.k === 'stop') return undefined;
      return `${l.node} is faulty: it takes no steps of the program`;
    }
    const r = rerun.apply(e);
    if (!r.ok) return r.message;
    for (const k of r.published) pool.add(k);
    return undefined;
  }
}

function reject(file: string, line: number, node: string, message: string): { ok: false; rejection: ReplayRejection } {
  return { ok: false, rejection: { file, line, node, message } };
}
