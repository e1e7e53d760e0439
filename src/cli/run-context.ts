// What `mommie run` has decided before it starts nodes, whichever network
// runs them: the checked program, the deployment, the run's model (faults
// and constants) and the workload — a TCP run's spec (runtime/tcp-run.ts),
// with what only the command knows.

import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { TcpRunSpec } from '../runtime/tcp-run.js';
import type { Out } from './output.js';

export interface RunContext extends Omit<TcpRunSpec, 'keysDir'> {
  readonly program: CheckedProgram;
  readonly source: SourceText;
  /** Key files (`mommie keys`); required over TCP, optional on the simulated network (fresh keys in memory). */
  readonly keysDir?: string;
  readonly json: boolean;
  readonly out: Out;
}
