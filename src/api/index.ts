// The client API of mommie (`import { openNode, openSimulation } from 'mommie'`;
// docs/api.md): call a MOMMIE system's input transitions from an application
// and get the answers they declare, over TCP (a node of a deployment in this
// process) or on the simulated network (a whole deployment in this process).

export { openNode, type NodeOptions, type OpenedNode } from './node.js';
export { openSimulation, OpenError, type CallMap, type Client, type Simulation, type SimulationOptions, type UntypedCalls } from './simulation.js';
export { NotSentError, OutcomeUnknownError, type NotSentReason } from './errors.js';
export type { EarlierAnswer, SubmitOptions } from './caller.js';
export type { CallableInput, CallParam } from './inputs.js';
export type { Plain } from './values.js';
