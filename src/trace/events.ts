// One node's trace: NDJSON, one event per line, in the order the node did
// them. Written by the runtime, read (decoded with io-ts, line by line) by
// `mommie replay`, which checks every step against the abstract pool.
//
//   start    the node, its role, the program and the run's constants
//   fire     a transition fired: how (auto, input, timeout), its instance,
//            binding, variable changes and publications; `fn`, the values
//            the functions the program leaves to its implementation returned
//            since the node's previous step (each name and arguments once per
//            node), so that replay can evaluate them and check nodes agree
//   abort    a body failed: the step changed nothing and its instance is set aside
//   deliver  a statement authenticated and learned (not a duplicate)
//   byz      a Byzantine node published a statement of its own
//   countersign  (a trusted third party's log) it countersigned a statement for its issuer `from`
//   refuse       (a TTP's log) it refused to countersign for `from`, and why
//   stop     the node stopped (end of run, Ctrl-C, strict abort)
// A TTP's log starts with `faulty: "ttp"` and role "": it runs no role.
// `n` numbers a node's events from 1; `vc` is the vector clock after the event.
// Since version 2 the start event also names the run's model (`--model`),
// `--clients` and the deploy file (its path and SHA-256), so that replay
// checks the run against the model's fault bounds and the deployment's
// dissemination plan rather than against what each log says of itself.

import * as t from 'io-ts';
import { CheckpointRefCodec } from './checkpoint.js';
import { ValueJsonCodec } from './value-json.js';

export const TRACE_VERSION = 2;

const StatementJson = t.strict({
  i: t.string,
  v: t.readonlyArray(t.string),
  a: t.readonlyArray(t.string),
  r: ValueJsonCodec,
});
export type StatementJson = t.TypeOf<typeof StatementJson>;

const VectorClock = t.record(t.string, t.number);
const Binding = t.readonlyArray(t.tuple([t.string, ValueJsonCodec]));

/** What every log of a run says about the run as a whole (version 2 on); absent fields: none given. */
const RunHeader = t.partial({
  /** The model whose faults the run took (`mommie run --model`). */
  model: t.string,
  /** `mommie run --clients K`: the first K clients ran, the model's other clients are crashed. */
  clients: t.number,
  /** The deploy file the run used: its absolute path and the SHA-256 of its text. */
  deploy: t.strict({ file: t.string, sha256: t.string }),
  /** The run identity (32 hex digits; runtime/run-id.ts): logs of one run share it, a node of another run is refused. */
  run: t.string,
});
export type RunHeader = t.TypeOf<typeof RunHeader>;

const Start = t.exact(t.intersection([
  t.type({
    k: t.literal('start'),
    version: t.union([t.literal(1), t.literal(TRACE_VERSION)]),
    node: t.string,
    role: t.string,
    program: t.string,
    constants: t.record(t.string, ValueJsonCodec),
    /** `ttp`: a trusted third party, not a principal of the program (correct by assumption). */
    faulty: t.union([t.literal('correct'), t.literal('crashed'), t.literal('byzantine'), t.literal('ttp')]),
  }),
  RunHeader,
  /**
   * A compacted log (issue 23 item 5): its events continue from this
   * checkpoint of the node (trace/checkpoint.ts), not from the run's start.
   */
  t.partial({ from: CheckpointRefCodec }),
]));

/** A call of a function the program leaves to its implementation: name, arguments, result. */
const FunctionCall = t.tuple([t.string, t.readonlyArray(ValueJsonCodec), ValueJsonCodec]);
export type FunctionCallJson = t.TypeOf<typeof FunctionCall>;
/** Absent when there is nothing to say, so logs of programs without such functions are unchanged. */
const Calls = t.partial({ fn: t.readonlyArray(FunctionCall) });

const Fire = t.exact(t.intersection([
  t.type({
    k: t.literal('fire'),
    n: t.number,
    t: t.string,
    via: t.union([t.literal('auto'), t.literal('input'), t.literal('timeout')]),
    inst: t.string,
    b: Binding,
    ch: t.readonlyArray(t.tuple([t.string, ValueJsonCodec, ValueJsonCodec])),
    pub: t.readonlyArray(StatementJson),
    vc: VectorClock,
  }),
  Calls,
]));

const Abort = t.exact(t.intersection([
  t.type({
    k: t.literal('abort'),
    n: t.number,
    t: t.string,
    via: t.union([t.literal('auto'), t.literal('input'), t.literal('timeout')]),
    inst: t.string,
    b: Binding,
    code: t.string,
    message: t.string,
    at: t.string,
    vc: VectorClock,
  }),
  Calls,
]));

const Deliver = t.strict({ k: t.literal('deliver'), n: t.number, s: StatementJson, from: t.string, vc: VectorClock });
const Byz = t.strict({ k: t.literal('byz'), n: t.number, s: StatementJson, vc: VectorClock });
const Stop = t.strict({ k: t.literal('stop'), n: t.number, reason: t.string });
const Countersign = t.strict({ k: t.literal('countersign'), n: t.number, from: t.string, s: StatementJson });
const Refuse = t.exact(t.intersection([
  t.type({ k: t.literal('refuse'), n: t.number, from: t.string, reason: t.string, detail: t.string }),
  t.partial({ s: StatementJson }),
]));

export const TraceEventCodec = t.union([Start, Fire, Abort, Deliver, Byz, Stop, Countersign, Refuse]);
export type TraceEvent = t.TypeOf<typeof TraceEventCodec>;
export type FireEvent = t.TypeOf<typeof Fire>;
export type StartEvent = t.TypeOf<typeof Start>;
export { StatementJson as StatementJsonCodec };
