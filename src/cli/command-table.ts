// The commands users can type, each with its one-line summary and a loader.
// A command's module is imported only when that command runs: importing all
// of them cost about 0.5 s of CPU at every start (the checker, the runtime,
// TLC's and tlapm's drivers...), paid by every `mommie check` and by every
// process a TCP run starts through the CLI.

import type { Command } from './commands.js';

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'check', summary: 'parse and check MOMMIE programs', load: async () => (await import('./commands.js')).checkCommand },
  { name: 'parse', summary: 'dump the checked program as JSON', load: async () => (await import('./commands.js')).parseCommand },
  { name: 'verify', summary: 'model-check a program with the built-in checker', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'prove', summary: 'check TLA+ proofs about a program with tlapm', load: async () => (await import('./prove.js')).proveCommand },
  { name: 'tla', summary: 'translate a program to TLA+ (module and TLC configs)', load: async () => (await import('./tla.js')).tlaCommand },
  { name: 'tools', summary: 'install TLC and check Java, TLC and tlapm (install, doctor)', load: async () => (await import('./tools.js')).toolsCommand },
  { name: 'deploy-check', summary: 'check a deployment configuration against its program', load: async () => (await import('./deploy.js')).deployCheckCommand },
  { name: 'deploy-tune', summary: 'choose the deployment a cost model predicts best for an objective', load: async () => (await import('./deploy-tune.js')).deployTuneCommand },
  { name: 'keys', summary: 'generate the key files of a deployment', load: async () => (await import('./keys.js')).keysCommand },
  { name: 'run-id', summary: 'make the identity of a run started node by node', load: async () => (await import('./run-id.js')).runIdCommand },
  { name: 'build', summary: 'compile TypeScript body programs against the program (--assert: instrumented)', load: async () => (await import('./build.js')).buildCommand },
  { name: 'run', summary: 'run the program as a system (simulated network or TCP processes)', load: async () => (await import('./run.js')).runCommand },
  { name: 'replay', summary: 'check recorded runs against the program', load: async () => (await import('./replay.js')).replayCommand },
  { name: 'refine', summary: 'check with TLC that a deployment refines the program (module and composed checks)', load: async () => (await import('./refine.js')).refineCommand },
  { name: 'lincheck', summary: 'check that a recorded key-value history is linearizable', load: async () => (await import('./lincheck.js')).lincheckCommand },
  { name: 'serve', summary: 'serve a client node\'s input transitions over HTTP/JSON', load: async () => (await import('./serve.js')).serveCommand },
];
