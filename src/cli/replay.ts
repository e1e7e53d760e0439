// `mommie replay PROGRAM TRACE...`: checks recorded node logs against the
// program's abstract pool (src/trace/replay.ts).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkFile } from '../analysis/frontend.js';
import { replayTraces, type TraceFile } from '../trace/replay.js';
import { commandLine } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';

const REPLAY_HELP = `Usage: mommie replay PROGRAM TRACE... [--json]

Checks that a recorded run is a behaviour of the program: the node logs
(files, or directories of <node>.ndjson files, as 'mommie run --trace DIR'
writes them) are merged in causal order and every step is re-done in the
semantics: each transition fired was enabled with its binding in the
reconstructed state and its body gives the same changes and publications;
each delivered statement was published by its issuer (or is a Byzantine
node's own) and reached one of its verifiers, once. The first step that
fails is reported with its file and line, in MOMMIE terms.

Options:
  --json      print {ok, nodes, events, ...} or {ok: false, rejection} on stdout
  -h, --help  show this help

Exit codes: 0 the run is a behaviour of the program, 1 bad input (no
program, unreadable logs), 2 a step is not a step of the program.`;

/** Logs larger than this are refused before they are read. */
const MAX_TRACE_BYTES = 1 << 30;

export const replayCommand: Command = {
  name: 'replay',
  summary: 'check recorded runs against the program',
  help: REPLAY_HELP,
  run(args, out) {
    const parsed = commandLine('replay', args, { json: { type: 'boolean' } }, { min: 2, max: Infinity, expected: 'give the program and at least one trace file or directory' }, REPLAY_HELP, out);
    if (!parsed.ok) return parsed.exitCode;
    const [programPath, ...paths] = parsed.positionals;
    const fe = checkFile(programPath!);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    const files: TraceFile[] = [];
    for (const p of paths) {
      let list: string[];
      try {
        list = statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(p, f)) : [p];
      } catch (e) {
        out.stderr(`mommie replay: cannot read ${p}: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.BAD_INPUT;
      }
      if (list.length === 0) {
        out.stderr(`mommie replay: ${p} holds no .ndjson logs`);
        return EXIT.BAD_INPUT;
      }
      for (const f of list) {
        try {
          if (statSync(f).size > MAX_TRACE_BYTES) {
            out.stderr(`mommie replay: ${f} is larger than ${MAX_TRACE_BYTES} bytes`);
            return EXIT.BAD_INPUT;
          }
          files.push({ path: f, text: readFileSync(f, 'utf8') });
        } catch (e) {
          out.stderr(`mommie replay: cannot read ${f}: ${e instanceof Error ? e.message : String(e)}`);
          return EXIT.BAD_INPUT;
        }
      }
    }
    const r = replayTraces(fe.program, files);
    if (parsed.values.json === true) out.stdout(JSON.stringify(r, null, 2));
    else if (r.ok) out.stdout(`accepted: ${r.nodes} logs, ${r.events} events (${r.fires} transitions fired, ${r.deliveries} deliveries, ${r.byzantine} Byzantine publications${r.countersigned > 0 ? `, ${r.countersigned} countersignatures by trusted third parties` : ''}) are a behaviour of ${fe.program.name}`);
    else out.stderr(`${r.rejection.file}:${r.rejection.line}: error: ${r.rejection.message}`);
    return r.ok ? EXIT.OK : EXIT.VIOLATION;
  },
};
