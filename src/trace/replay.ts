// `mommie replay`: checks that recorded node logs are a behaviour of the
// abstract pool under the model the run is checked against (merge.ts loads
// the logs, takes each node's status from the model and checks the fields no
// step needs). The logs are merged in causal order (a node's own events in
// order; an event after what its vector clock says its node had seen; a
// delivery after the publication it delivers) and every event is re-done in
// the semantics — the same NodeMachine the runtime runs, on a reconstructed
// state:
//   fire     the transition was enabled with that binding here, and its body
//            gives the same variable changes and publications;
//   abort    the body fails here, with the same code;
//   deliver  some node published the statement (a correct node's fire, or a
//            Byzantine node's own), this node is a verifier, and it did not
//            know it already;
//   byz      a node the model makes Byzantine publishes, as its own, a
//            statement its SENDS clause allows, within its BUDGET
//            (semantics/byzantine.ts);
//   countersign  (a trusted third party's log) the statement was published
//            and the TTP countersigned it for its issuer, nobody else
//            (a TTP's refusals and its stop are taken as they are; it takes
//            no step of the program, and the statements it countersigned are
//            delivered, and replayed, as their issuers' statements).
// After every fire that changes a variable, the model's invariants are
// evaluated on the merged run's state (every node's variables as re-done;
// faulty nodes keep their initial values, as in the model checker): they are
// checked on this one linearization, not on every order of the run's events
// that the vector clocks allow.
// Functions the program leaves to its implementation take the values the logs
// recorded (`fn` of fire and abort events): replay has no implementation of
// its own, and two logs giving one function two values for the same
// arguments are rejected, since every node must see the same function.
// The first event that fails is reported in MOMMIE terms, with its file and line.
// Re-doing one node's events is trace/rerun.ts (a restarted node uses it too);
// reading a log is trace/read-log.ts.

import type { CheckedProgram } from '../analysis/program.js';
import { byzantineRefusal } from '../semantics/byzantine.js';
import { EvalError } from '../semantics/errors.js';
import type { EvalEnv } from '../semantics/eval.js';
import { NodeMachine } from '../semantics/node.js';
import { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import type { TraceEvent } from './events.js';
import { causalMerge, loadRun, type NodeLog, type ReplayOptions } from './merge.js';
import type { ReplayRejection, TraceFile } from './read-log.js';
import { jsonKey, NodeRerun } from './rerun.js';
import { canonicalJson, machineState } from './checkpoint.js';
import { recordFromJson, valueFromJson } from './value-json.js';

export type { ReplayOptions, ReplayRejection, TraceFile };

export type ReplayResult =
  | {
      readonly ok: true; readonly nodes: number; readonly events: number; readonly fires: number; readonly deliveries: number; readonly byzantine: number; readonly countersigned: number;
      /** The model whose fault bounds the run was checked against; null: none (every principal correct). */
      readonly model: string | null;
      /** The invariants that held in every state of the merged run. */
      readonly invariants: readonly string[];
      /**
       * Compacted logs (issue 23 item 5): the checkpoint each continues from.
       * Their state is taken as the checkpoint gives it (its digests checked),
       * the invariants are checked from the first state after every
       * checkpoint's causal past, and `fromHistory` deliveries were of
       * statements published in a history a checkpoint replaced.
       */
      readonly checkpoints?: readonly { readonly node: string; readonly seq: number; readonly n: number }[];
      readonly fromHistory?: number;
      /** Checkpoints whose replaced history the logs still hold, each found to be the state those events lead to. */
      readonly verifiedCheckpoints?: number;
    }
  | { readonly ok: false; readonly rejection: ReplayRejection };

export function replayTraces(program: CheckedProgram, files: readonly TraceFile[], opts: ReplayOptions = {}): ReplayResult {
  const run = loadRun(program, files, opts);
  if ('rejection' in run) return { ok: false, rejection: run.rejection };
  const { logs, model } = run;
  const system = new System(model);
  const reruns = new Map<NodeLog, NodeRerun>();
  const byNode = new Map<string, NodeRerun>();
  for (const l of logs) {
    if (l.status !== 'correct') continue;
    const info = model.nodes[model.nodeIndex.get(l.node)!]!;
    const machine = new NodeMachine(system, info);
    if (l.base !== undefined) {
      const known = l.base.state.known.flatMap((s) => {
        const r = recordFromJson(s.r);
        return r === undefined ? [] : [machine.statement(s.i, s.v, s.a, r)];
      });
      machine.restore({ vars: l.base.state.vars.map(valueFromJson), known, handled: l.base.state.handled, setAside: l.base.state.setAside, droppable: l.base.state.droppable, issued: l.base.state.issued });
    }
    const rerun = new NodeRerun(l.node, machine);
    reruns.set(l, rerun);
    byNode.set(l.node, rerun);
  }
  const pool = new Set<string>();
  // Checkpoints of different nodes need not form a consistent cut: the
  // invariants are checked once every node has reached what any checkpoint
  // had seen of it (then each node's state accounts for all it depends on).
  const frontier = new Map<string, number>();
  for (const l of logs) for (const [k, v] of Object.entries(l.base?.vc ?? {})) frontier.set(k, Math.max(frontier.get(k) ?? 0, v));
  const reached = new Map(logs.map((l) => [l.node, l.base?.vc[l.node] ?? 0]));
  const consistent = (): boolean => [...frontier].every(([k, v]) => (reached.get(k) ?? 0) >= v);
  let fromHistory = 0;
  let verified = 0;
  const spent = new Map<string, number>();
  let byzantine = 0;
  let countersigned = 0;
  let events = 0;
  const invariants = model.invariants.map((n) => [n, program.invariants.get(n)!] as const);
  const initial = system.initialState();
  const env: EvalEnv = {
    bound: new Map(),
    correct: model.correct,
    faulty: model.faulty,
    nodeVar: (p, variable, at) => {
      const idx = model.nodeIndex.get(p);
      const info = idx === undefined ? undefined : model.nodes[idx];
      const vi = info?.role === undefined ? undefined : system.varIndexOf(info.role.name).get(variable);
      if (vi === undefined) throw new EvalError('MOM503', `${p} has no variable ${variable}`, at);
      // Faulty nodes keep their initial values, as in the model.
      return (byNode.get(p)?.machine.variables ?? initial.vars[idx!]!)[vi]! as Value;
    },
  };

  const atStart = consistent() ? broken() : undefined;
  if (atStart !== undefined) return reject(logs[0]?.file ?? '', 1, '', `${atStart.replace('after this step', 'in the initial state')}`);
  let checking = consistent();
  const end = causalMerge(run, (k) => pool.has(k), (l, e) => {
    if ('vc' in e) reached.set(l.node, e.vc[l.node] ?? 0);
    if (e.k === 'deliver' && !pool.has(jsonKey(e.s))) fromHistory++;
    const was = checking;
    checking = checking || consistent();
    const bad = step(l, e) ?? (checking && ((e.k === 'fire' && e.ch.length > 0) || !was) ? broken() : undefined);
    if (bad !== undefined) return `event ${'n' in e ? e.n : ''} of ${l.node}: ${bad}`;
    events++;
    return undefined;
  });
  if (end.kind === 'failed') return reject(end.log.file, end.line, end.log.node, end.message);
  if (end.kind === 'stuck') return { ok: false, rejection: end.rejection };
  const fires = [...reruns.values()].reduce((n, r) => n + r.fires, 0);
  const deliveries = [...reruns.values()].reduce((n, r) => n + r.deliveries, 0);
  const checkpoints = logs.flatMap((l) => (l.base === undefined ? [] : [{ node: l.node, seq: l.base.seq, n: l.base.n }]));
  return {
    ok: true, nodes: logs.length, events, fires, deliveries, byzantine, countersigned, model: model.decl.id === -1 ? null : model.name, invariants: model.invariants,
    ...(checkpoints.length > 0 ? { checkpoints, fromHistory } : {}),
    ...(verified > 0 ? { verifiedCheckpoints: verified } : {}),
  };

  /** The first invariant the merged run's state breaks (evaluated as the model checker does; an error breaks it too). */
  function broken(): string | undefined {
    for (const [name, decl] of invariants) {
      let why = '';
      try {
        if (system.ev.evalBool(decl.body, env)) continue;
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        why = ` (${e.code}: ${e.message})`;
      }
      return invariantBroken(name, why);
    }
    return undefined;
  }

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
      const key = jsonKey(e.s);
      // The same statement again adds nothing to the pool: no step, no budget.
      if (pool.has(key)) {
        byzantine++;
        return undefined;
      }
      const record = recordFromJson(e.s.r);
      if (record === undefined) return 'the Byzantine statement has no record';
      const bad = byzantineRefusal(model, l.node, { issuer: e.s.i, verifiers: e.s.v, auditors: e.s.a, record }, spent.get(l.node) ?? 0);
      if (bad !== undefined) return bad;
      spent.set(l.node, (spent.get(l.node) ?? 0) + 1);
      pool.add(key);
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
    // A checkpoint whose history the log still holds must be the state that history led to.
    const cp = 'n' in e ? l.later?.find((c) => c.n === e.n) : undefined;
    if (cp !== undefined) {
      if (canonicalJson(machineState(rerun.machine)) !== canonicalJson(cp.state)) return `checkpoint ${cp.seq} of ${l.node}, taken after this event, does not hold the state the log's events lead to: the checkpoint or the log was altered`;
      verified++;
    }
    return undefined;
  }
}

/** Both engines' words for an invariant the merged run breaks after a step. */
export function invariantBroken(name: string, why: string): string {
  return `invariant ${name} does not hold after this step${why}, in the state the merged run reaches (the one linearization of the logs that replay checks)`;
}

function reject(file: string, line: number, node: string, message: string): { ok: false; rejection: ReplayRejection } {
  return { ok: false, rejection: { file, line, node, message } };
}
