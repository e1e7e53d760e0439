import { formatDiagnostic } from '../diagnostics/format.js';
import { readDeploySyntax } from '../deploy/load.js';
import { writeNewRunId } from '../runtime/run-id.js';
import { commandLine, ONE_FILE } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';

const HELP = `Usage: mommie run-id DEPLOY -o FILE

Makes a fresh run identity for a run of DEPLOY started node by node (on
several hosts, say) and writes it to FILE. Give FILE to every node's
'mommie run ... --node NAME --run-id FILE': nodes present the identity in
every connection's handshake, and refuse a peer of another run (an earlier
run with the same keys included), counted as foreign-run in the run report.
A full start ('mommie run' without --node) makes its own.

An existing FILE is never overwritten: mommie refuses and writes nothing.

Options:
  -o, --out FILE  where the run identity goes
  -h, --help      show this help

Exit codes: 0 written, 1 bad input (a broken deploy file, FILE exists or
cannot be written).`;

export const runIdCommand: Command = {
  name: 'run-id',
  help: HELP,
  run(args, out) {
    const cl = commandLine('run-id', args, { out: { type: 'string', short: 'o' } }, ONE_FILE, HELP, out);
    if (!cl.ok) return cl.exitCode;
    const file = cl.values.out;
    if (file === undefined) {
      out.stderr(`mommie run-id: give -o FILE, where the run identity goes\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    const deploy = readDeploySyntax(cl.positionals[0]!);
    for (const d of deploy.diagnostics) out.stderr(formatDiagnostic(d, deploy.source));
    if (!deploy.ok) return EXIT.BAD_INPUT;
    const r = writeNewRunId(file);
    if (!r.ok) {
      out.stderr(`mommie run-id: ${r.message}`);
      return EXIT.BAD_INPUT;
    }
    out.stderr(`wrote run identity ${r.run} to ${file}: give it to every node of the run (mommie run ... --node NAME --run-id ${file})`);
    return EXIT.OK;
  },
};
