// A node process's side of the supervisor: its `go` and `stop` lines on
// stdin (decoded with io-ts), and the ways a process is told to end without
// them — stdin closing (the supervisor died, even by SIGKILL), Ctrl-C, and
// SIGTERM. A node and a trusted third party end the same way.

import { createInterface } from 'node:readline';
import { decodeLine, SupervisorMessageCodec } from './proc-protocol.js';

export function followSupervisor(node: string, on: { go(): void; stop(reason: string): void }): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const m = decodeLine(SupervisorMessageCodec, line);
    if (typeof m === 'string') return void process.stderr.write(`${node}: ignored from the supervisor: ${m}\n`);
    if (m.k === 'go') on.go();
    else on.stop(m.reason);
  });
  lines.on('close', () => on.stop('the supervisor went away'));
  process.on('SIGINT', () => on.stop('interrupted'));
  process.on('SIGTERM', () => on.stop('terminated'));
}
