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
import { EvalError } from '../semantics/errors.js';
import type { HostFunction } from '../semantics/eval.js';
import { instantiateRun } from '../semantics/model.js';
import { NodeMachine } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import type { TraceEvent } from './events.js';
import { parseLog, type Located, type ReplayRejection, type TraceFile } from './read-log.js';
import { jsonKey, NodeRerun, showStatementJson } from './rerun.js';
import { valueFromJson, valueToJson, type ValueJson } from './value-json.js';

export type { ReplayRejection, TraceFile };

export type ReplayResult =
  | { readonly ok: true; readonly nodes: number; readonly events: number; readonly fires: number; readonly deliveries: number; readonly byzantine: number; readonly countersigned: number }
  | { readonly ok: false; readonly rejection: ReplayRejection };

interface NodeLog {
  readonly file: string;
  readonly node: string;
  readonly status: 'correct' | 'crashed' | 'byzantine' | 'ttp';
  readonly events: readonly Located[];
  cursor: number;
  rerun?: NodeRerun;
}

export function replayTraces(program: CheckedProgram, files: readonly TraceFile[]): ReplayResult {
  const logs: NodeLog[] = [];
  let constants: Record<string, ValueJson> | undefined;
  for (const f of files) {
    const parsed = parseLog(f);
    if ('rejection' in parsed) return { ok: false, rejection: parsed.rejection };
    const start = parsed.start;
    if (logs.some((l) => l.node === start.node)) return reject(f.path, 1, start.node, `a second log for node ${start.node}`);
    if (start.program !== program.name) return reject(f.path, 1, start.node, `the log is of program ${start.program}, not ${program.name}`);
    if (start.faulty === 'correct') {
      if (constants === undefined) constants = start.constants;
      else if (JSON.stringify(constants) !== JSON.stringify(start.constants)) return reject(f.path, 1, start.node, 'the run\'s constants differ from those of the other logs');
    }
    logs.push({ file: f.path, node: start.node, status: start.faulty, events: parsed.events, cursor: 0 });
  }
  const runConstants = new Map<string, Value>(Object.entries(constants ?? {}).map(([k, v]) => [k, valueFromJson(v)]));
  const logged = loggedFunctions(program, logs);
  if ('rejection' in logged) return { ok: false, rejection: logged.rejection };
  const inst = instantiateRun(program, runConstants, logged.host);
  if (!inst.ok) return reject(files[0]?.path ?? '', 1, '', inst.error.message);
  const model = inst.instance;
  const system = new System(model);
  for (const l of logs) {
    const idx = model.nodeIndex.get(l.node);
    const info = idx === undefined ? undefined : model.nodes[idx];
    if (l.status === 'ttp') {
      if (info !== undefined) return reject(l.file, 1, l.node, `${l.node} is a principal of ${program.name}, yet its log is a trusted third party's (a TTP is a node outside the program)`);
      continue;
    }
    if (info === undefined) return reject(l.file, 1, l.node, `${l.node} is not a principal of ${program.name}`);
    if (l.status === 'correct') {
      if (info.role === undefined) return reject(l.file, 1, l.node, `${l.node} runs no role`);
      l.rerun = new NodeRerun(l.node, new NodeMachine(system, { ...info, status: 'correct' }));
    }
  }
  const pool = new Set<string>();
  let byzantine = 0;
  let countersigned = 0;
  let events = 0;

  for (;;) {
    let progressed = false;
    let remaining = false;
    for (const l of logs) {
      while (l.cursor < l.events.length) {
        const { event: e, line } = l.events[l.cursor]!;
        // A delivery, and a TTP's countersignature, come after the publication.
        if ((e.k === 'deliver' || (e.k === 'countersign' && l.status === 'ttp')) && !pool.has(jsonKey(e.s))) break;
        const bad = step(l, e);
        if (bad !== undefined) return reject(l.file, line, l.node, `event ${'n' in e ? e.n : ''} of ${l.node}: ${bad}`);
        l.cursor++;
        events++;
        progressed = true;
      }
      if (l.cursor < l.events.length) remaining = true;
    }
    if (!remaining) break;
    if (!progressed) {
      // Every log is stuck at a delivery that nothing published.
      const l = logs.find((x) => x.cursor < x.events.length)!;
      const { event: e, line } = l.events[l.cursor]!;
      const s = e.k === 'deliver' || e.k === 'countersign' ? e.s : undefined;
      const shown = s === undefined ? '?' : showStatementJson(s, (v) => system.ev.show(v));
      const what = e.k === 'countersign' ? 'countersignature' : 'delivery';
      return reject(l.file, line, l.node, `event ${'n' in e ? e.n : ''} of ${l.node}: ${what} of ${shown}, which no node published (a correct issuer's fire or a Byzantine node's own statement)`);
    }
  }
  const fires = logs.reduce((n, l) => n + (l.rerun?.fires ?? 0), 0);
  const deliveries = logs.reduce((n, l) => n + (l.rerun?.deliveries ?? 0), 0);
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
    if (l.rerun === undefined) {
      if (e.k === 'start') return 'a second start event';
      if (e.k === 'stop') return undefined;
      return `${l.node} is faulty: it takes no steps of the program`;
    }
    const r = l.rerun.apply(e);
    if (!r.ok) return r.message;
    for (const k of r.published) pool.add(k);
    return undefined;
  }
}

/**
 * The functions left to the program as the logs saw them: for each, a table
 * from arguments to the value some node logged. Replay asks only for calls
 * some node made, since it re-does what the nodes did.
 */
function loggedFunctions(program: CheckedProgram, logs: readonly NodeLog[]): { host: Map<string, HostFunction> } | { rejection: ReplayRejection } {
  const tables = new Map<string, Map<string, { result: ValueJson; file: string; line: number; node: string }>>();
  for (const l of logs) {
    for (const { event: e, line } of l.events) {
      if ((e.k !== 'fire' && e.k !== 'abort') || e.fn === undefined) continue;
      for (const [name, args, result] of e.fn) {
        const f = program.functions.get(name);
        if (f === undefined || f.body !== undefined) {
          return reject(l.file, line, l.node, `event ${e.n} of ${l.node}: logs a value of ${name}, which is not a function the program leaves to its implementation`);
        }
        let table = tables.get(name);
        if (table === undefined) tables.set(name, (table = new Map()));
        const key = JSON.stringify(args);
        const before = table.get(key);
        if (before === undefined) table.set(key, { result, file: l.file, line, node: l.node });
        else if (JSON.stringify(before.result) !== JSON.stringify(result)) {
          const show = (v: ValueJson): string => JSON.stringify(v);
          return reject(l.file, line, l.node, `event ${e.n} of ${l.node}: ${name}(${args.map(show).join(', ')}) returned ${show(result)} here, but ${show(before.result)} at ${before.node} (${before.file}:${before.line}); every node must see the same function`);
        }
      }
    }
  }
  const host = new Map<string, HostFunction>();
  for (const f of program.functions.values()) {
    if (f.body !== undefined) continue;
    const table = tables.get(f.name.name);
    host.set(f.name.name, (args) => {
      const hit = table?.get(JSON.stringify(args.map(valueToJson)));
      if (hit === undefined) throw new EvalError('MOM505', `${f.name.name} is called with arguments no log gives a value for, so replay cannot evaluate it`, f.name.span);
      return valueFromJson(hit.result);
    });
  }
  return { host };
}

function reject(file: string, line: number, node: string, message: string): { ok: false; rejection: ReplayRejection } {
  return { ok: false, rejection: { file, line, node, message } };
}
