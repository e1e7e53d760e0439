import { readFileSync } from 'node:fs';
import { checkHistory } from '../lincheck/check.js';
import { decodeHistory } from '../lincheck/history.js';
import { verdictJson, verdictLines } from '../lincheck/render.js';
import { commandLine, ONE_FILE } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';

const HELP = `Usage: mommie lincheck HISTORY.json [--json] [--timeout SECONDS]

Checks that a recorded history of calls to a key-value store (get, put,
compare-and-set) is linearizable: that every operation can be given one
instant between its invocation and its completion at which it took effect,
in an order that a single copy of the store would answer the same way.
Operations without a completion (a timeout, a crash) may have taken effect
at any time after their invocation, or never. The format is in
docs/lincheck.md. A history that is not linearizable is shown by a smallest
part of it: removing any one of its operations makes it linearizable.

Options:
  --json             print the verdict as JSON on stdout
  --timeout SECONDS  give up (verdict unknown, exit 4) after this long (60)
  -h, --help         show this help

Exit codes: 0 linearizable, 2 not linearizable, 4 undecided within the
timeout, 1 bad input (unreadable or malformed history).`;

export const lincheckCommand: Command = {
  name: 'lincheck',
  help: HELP,
  run(args, out) {
    const cl = commandLine('lincheck', args, { json: { type: 'boolean' }, timeout: { type: 'string' } }, ONE_FILE, HELP, out);
    if (!cl.ok) return cl.exitCode;
    const file = cl.positionals[0]!;
    const timeoutText = cl.values.timeout ?? '60';
    const timeout = Number(timeoutText);
    if (!/^\d+(\.\d+)?$/.test(timeoutText) || !(timeout > 0)) {
      out.stderr(`mommie lincheck: --timeout takes a positive number of seconds, not '${timeoutText}'`);
      return EXIT.BAD_INPUT;
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      out.stderr(`mommie lincheck: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.BAD_INPUT;
    }
    const h = decodeHistory(json);
    if (!h.ok) {
      out.stderr(`mommie lincheck: ${file}: ${h.message}`);
      return EXIT.BAD_INPUT;
    }
    const v = checkHistory(h.value, { timeoutMs: timeout * 1000 });
    if (cl.values.json === true) out.stdout(JSON.stringify(verdictJson(v), null, 2));
    else for (const l of verdictLines(v)) out.stdout(l);
    return v.kind === 'linearizable' ? EXIT.OK : v.kind === 'not-linearizable' ? EXIT.VIOLATION : EXIT.INCOMPLETE;
  },
};
