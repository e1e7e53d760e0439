// What `mommie run` has decided before it starts nodes, whichever network
// runs them: the checked program, the deployment, the run's model (faults
// and constants) and the workload.

import type { CheckedProgram } from '../analysis/program.js';
import type { Deployment } from '../deploy/deployment.js';
import type { SourceText } from '../diagnostics/source.js';
import type { ModelInstance } from '../semantics/model.js';
import type { Out } from './output.js';

export interface RunContext {
  readonly programPath: string;
  readonly program: CheckedProgram;
  readonly source: SourceText;
  readonly deployPath: string;
  readonly deployment: Deployment;
  /** Key files (`mommie keys`); required over TCP, optional on the simulated network (fresh keys in memory). */
  readonly keysDir?: string;
  /** The program under the run's constants, with the faults of `--model` if given (else every node correct). */
  readonly model: ModelInstance;
  /** --clients: the model keeps only this many clients running (node processes must narrow theirs the same way). */
  readonly clients?: number;
  readonly requests: number;
  readonly concurrency: number;
  /** Where each node writes `<node>.ndjson`. */
  readonly traceDir?: string;
  /** Start only this node (`--node`). */
  readonly node?: string;
  /** With `node` over TCP: the node must recover from its log in `traceDir` (`--rejoin`). */
  readonly rejoin?: boolean;
  readonly json: boolean;
  readonly strict: boolean;
  /** `--build OUT` (an absolute path: node processes load it too) and `--assertions MODE`. */
  readonly build?: { readonly dir: string; readonly assertions?: string };
  /** Give up after this long (ms of real time over TCP, virtual on the simulated network). */
  readonly timeoutMs: number;
  readonly out: Out;
}
