// The client API of mommie (`import { openNode, openSimulation } from 'mommie'`;
// docs/api.md): call a MOMMIE system's input transitions from an application
// and get the answers they declare, over TCP (a node of a deployment in this
// process) or on the simulated network (a whole deployment in this process).

export { openNode, type NodeOptions, type OpenedNode } from './node.js';
export { openSimulation, OpenError, type CallMap, type Client, type Simulation, type SimulationOptions, type UntypedCalls, type AssertionTally } from './simulation.js';
export { NotSentError, OutcomeUnknownError, type NotSentReason } from './errors.js';
export type { EarlierAnswer, SubmitOptions } from './caller.js';
export type { CallableInput, CallParam } from './inputs.js';
export type { Plain } from './values.js';
// Recording and checking histories of calls (docs/lincheck.md): a user's
// own workload, or the key-value store's (specs/PBFTKV.mom).
export { HistoryRecorder, workloadFigures, type WorkloadFigures } from '../lincheck/recorder.js';
export { runKvWorkload, type KvClient, type KvWorkloadOptions } from '../lincheck/kv-workload.js';
export { checkHistory, type LincheckVerdict } from '../lincheck/check.js';
export { verdictLines } from '../lincheck/render.js';
export { encodeHistory, type History, type Operation } from '../lincheck/history.js';
