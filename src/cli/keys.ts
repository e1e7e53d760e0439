import { formatDiagnostic } from '../diagnostics/format.js';
import { readDeploySyntax } from '../deploy/load.js';
import { writeKeyFiles } from '../keys/write.js';
import { commandLine, ONE_FILE } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';

const HELP = `Usage: mommie keys DEPLOY -o DIR

Generates the keys of a deployment: for every node in DEPLOY's [Nodes]
(program principals and trusted third parties), one file
DIR/<principal>.keys.json, mode 0600, holding the HMAC-SHA256 key it shares
with each other node, its own Ed25519 and RSA-2048 private keys, and every
node's public keys. Every kind of key is made for every node whatever the
mechanisms, so changing a mechanism in DEPLOY never needs new keys. DIR is
created (mode 0700) if missing. Give each node only its own file.

Existing key files are never overwritten: mommie refuses and writes nothing.

Options:
  -o, --out DIR  where the key files go
  -h, --help     show this help

Exit codes: 0 written, 1 bad input (a broken deploy file, a key file that
already exists, a directory that cannot be written).`;

export const keysCommand: Command = {
  name: 'keys',
  help: HELP,
  async run(args, out) {
    const cl = commandLine('keys', args, { out: { type: 'string', short: 'o' } }, ONE_FILE, HELP, out);
    if (!cl.ok) return cl.exitCode;
    const dir = cl.values.out;
    if (dir === undefined) {
      out.stderr(`mommie keys: give -o DIR, where the key files go\n${HELP}`);
      return EXIT.BAD_INPUT;
    }
    const deploy = readDeploySyntax(cl.positionals[0]!);
    for (const d of deploy.diagnostics) out.stderr(formatDiagnostic(d, deploy.source));
    if (!deploy.ok || deploy.syntax === undefined) return EXIT.BAD_INPUT;
    const principals = deploy.syntax.nodes.map((n) => n.name.name);
    if (principals.length === 0) {
      out.stderr(`mommie keys: ${cl.positionals[0]!} lists no nodes in [Nodes]; nothing to make keys for`);
      return EXIT.BAD_INPUT;
    }
    const r = await writeKeyFiles(dir, principals);
    if (!r.ok) {
      out.stderr(formatDiagnostic(r.diagnostic, undefined));
      return EXIT.BAD_INPUT;
    }
    out.stderr(`wrote ${r.files.length} key files to ${dir}: ${principals.slice().sort().join(', ')} (mode 0600; give each node only its own)`);
    return EXIT.OK;
  },
};
