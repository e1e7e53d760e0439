// What a node process of a TCP run is started with (node-main.ts parses
// its command line into it): the node process (node-process.ts) and a
// trusted third party's (ttp-process.ts) both read it, so it lives apart from
// either.

import type { AssertMode } from '../build/assertions.js';
import type { ValueJson } from '../trace/value-json.js';

export interface NodeProcessArgs {
  readonly program: string;
  readonly deploy: string;
  readonly keys: string;
  readonly node: string;
  readonly traceDir: string;
  /** The run identity, 32 hex digits (run-id.ts): presented in every session's handshake and written in the log header. */
  readonly run: string;
  /** The model whose faults the run takes, if any. */
  readonly model?: string;
  /** Only the first this many clients run (mommie run --clients): the model is narrowed as the supervisor's is. */
  readonly clients?: number;
  /** Every constant's value for the run, as the supervisor computed them. */
  readonly constants: Readonly<Record<string, ValueJson>>;
  /** This node's share of the run's requests (clients only). */
  readonly requests: number;
  readonly concurrency: number;
  /** new: start with an empty log; resume: recover if there is a log; rejoin: there must be one. */
  readonly log: 'new' | 'resume' | 'rejoin';
  readonly strict: boolean;
  /** Run the transitions with the interpreter instead of the compiled core. */
  readonly reference?: boolean;
  /** When the log is forced to disk (node-log.ts): fsync unless told none. */
  readonly logSync?: 'fsync' | 'none';
  /** A `mommie build` whose body programs run instead of their body specs. */
  readonly build?: string;
  /** With an instrumented build: what a violation does (default log). */
  readonly assertions?: AssertMode;
}
