// `mommie replay PROGRAM TRACE...`: checks recorded node logs against the
// program's abstract pool (src/trace/replay.ts), or with `--engine tlc` has
// TLC check them as a trace-validation module (src/trace/tlc-replay.ts).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { checkFile } from '../analysis/frontend.js';
import type { CheckedProgram } from '../analysis/program.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { runDeployment, runHeaderOf } from '../trace/header.js';
import { replayTraces, type ReplayOptions, type ReplayResult, type TraceFile } from '../trace/replay.js';
import { replayWithTlc } from '../trace/tlc-replay.js';
import { resolveTlc } from '../tools/resolve.js';
import { htmlOutProblem, writeHtml } from '../report/html-out.js';
import { REPLAY_HTML_GENERATOR, replayHtml } from '../report/replay-html.js';
import { commandLine } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';

const REPLAY_HELP = `Usage: mommie replay PROGRAM TRACE... [--model NAME] [--deploy FILE] [--engine builtin|tlc] [--json]

Checks that a recorded run is a behaviour of the program under a model's
fault bounds: the node logs (files, or directories of <node>.ndjson files,
as 'mommie run --trace DIR' writes them; every correct node's log) are
checked field by field (event numbers, vector clocks, who each delivery
came from), merged in causal order, and every step is re-done in the
semantics: each transition fired was enabled with its binding in the
reconstructed state and its body gives the same changes and publications;
each delivered statement was published by its issuer (or is a Byzantine
node's own) and reached one of its verifiers, once; a Byzantine node
publishes only what the model lets it, within its budget; the model's
invariants hold in every state of the merged run. Which nodes are correct,
crashed or Byzantine is the model's word, never a log's. The first event
that fails is reported with its file and line, in MOMMIE terms.

Options:
  --model NAME      check against this model's faults and invariants (default:
                    the model the run took, which its logs record; a run
                    without --model: every principal correct)
  --deploy FILE     the run's deploy file, whose [Dissemination] plan says who
                    may relay a statement (default: the one its logs record,
                    which must still have the same SHA-256)
  --engine E        builtin (default): re-do each step in mommie's semantics;
                    tlc: write the merged logs as a trace-validation module
                    over the program's TLA+ module ('mommie tla') and have
                    TLC check it; same verdict, same first bad event
  --tla2tools PATH  the tla2tools.jar to use (else TLA2TOOLS_JAR, else the
                    one 'mommie tools install' cached)
  --json            print {ok, nodes, events, ...} or {ok: false, rejection} on stdout
  --reporter html   also write a self-contained HTML report (needs --out):
                    the merged events as a sequence chart, the first bad
                    event marked (docs/html-reports.md)
  -o, --out FILE    where the report goes; an existing file is replaced only
                    if it is an earlier 'mommie replay' report, or with --force
  --force           overwrite --out whatever it holds
  -h, --help        show this help

Exit codes: 0 the run is a behaviour of the program within the model's
fault bounds and keeps its invariants, 1 bad input (no program, unreadable
logs or deploy file, a deploy file other than the run's, --engine tlc
without TLC), 2 an event that is not a step of the program within those
bounds, a field that does not add up, or a broken invariant, 3 TLC failed
to give an answer, 130 Ctrl-C.`;

/** Logs larger than this are refused before they are read. */
const MAX_TRACE_BYTES = 1 << 30;

export const replayCommand: Command = {
  name: 'replay',
  help: REPLAY_HELP,
  async run(args, out) {
    const parsed = commandLine('replay', args, { json: { type: 'boolean' }, engine: { type: 'string' }, model: { type: 'string' }, deploy: { type: 'string' }, tla2tools: { type: 'string' }, reporter: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' } }, { min: 2, max: Infinity, expected: 'give the program and at least one trace file or directory' }, REPLAY_HELP, out);
    if (!parsed.ok) return parsed.exitCode;
    const engine = parsed.values.engine ?? 'builtin';
    if (engine !== 'builtin' && engine !== 'tlc') {
      out.stderr(`mommie replay: unknown engine '${engine}' (builtin or tlc)`);
      return EXIT.BAD_INPUT;
    }
    const { reporter, out: htmlOut } = parsed.values;
    const refuse = (msg: string): number => {
      out.stderr(`mommie replay: ${msg}`);
      return EXIT.BAD_INPUT;
    };
    if (reporter !== undefined && reporter !== 'html') return refuse(`unknown reporter '${reporter}' (use html, or --json)`);
    if (reporter === 'html' && htmlOut === undefined) return refuse('--reporter html needs --out FILE');
    if (htmlOut !== undefined && reporter === undefined) return refuse('--out FILE goes with --reporter html');
    const outProblem = htmlOut === undefined ? undefined : htmlOutProblem(htmlOut, REPLAY_HTML_GENERATOR, parsed.values.force === true);
    if (outProblem !== undefined) return refuse(outProblem);
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
    const model = parsed.values.model;
    if (model !== undefined && !fe.program.models.has(model)) return refuse(`no model ${model} in ${fe.program.name} (${[...fe.program.models.keys()].join(', ') || 'it declares none'})`);
    const deployment = deploymentFor(fe.program, files, parsed.values.deploy, out);
    if (deployment === 'bad') return EXIT.BAD_INPUT;
    const opts: ReplayOptions = {
      ...(model !== undefined ? { model } : {}),
      ...(deployment !== undefined ? { deployment } : {}),
    };
    let r: ReplayResult;
    if (engine === 'tlc') {
      const tla2tools = parsed.values.tla2tools;
      const resolved = await resolveTlc(typeof tla2tools === 'string' ? { tla2tools } : {});
      if (isLeft(resolved)) {
        out.stderr(`mommie replay: --engine tlc needs TLC, which is not available (${resolved.left.message.replace(/\.$/, '')}): run 'mommie tools install', set TLA2TOOLS_JAR, or use --engine builtin`);
        return EXIT.BAD_INPUT;
      }
      let interrupted = false;
      const onSigint = (): void => {
        if (interrupted) process.exit(EXIT.INTERRUPTED);
        interrupted = true;
      };
      process.on('SIGINT', onSigint);
      const t = await replayWithTlc(fe.program, fe.source, files, { java: resolved.right.java, jar: resolved.right.jar }, { ...opts, isInterrupted: () => interrupted }).finally(() => process.off('SIGINT', onSigint));
      if (interrupted) {
        out.stderr('mommie replay: interrupted: TLC stopped before it answered');
        return EXIT.INTERRUPTED;
      }
      if (t.kind === 'failure') {
        out.stderr(`mommie replay: ${t.message}`);
        return EXIT.INTERNAL;
      }
      if (t.tlc !== undefined) out.stderr(`engine: tlc (${resolved.right.jar}): ${t.tlc.events} events, ${t.tlc.distinct} distinct states, ${t.tlc.seconds.toFixed(1)} s`);
      else out.stderr(`engine: tlc (${resolved.right.jar}): the logs were refused before TLC ran`);
      r = t.result;
    } else r = replayTraces(fe.program, files, opts);
    if (htmlOut !== undefined) {
      const problem = writeHtml(htmlOut, replayHtml(fe.program, files, r, engine, opts));
      if (problem !== undefined) return refuse(problem);
      out.stderr(`wrote ${htmlOut}`);
    }
    if (parsed.values.json === true) out.stdout(JSON.stringify(r, null, 2));
    else if (r.ok) {
      out.stdout(`accepted: ${r.nodes} logs, ${r.events} events (${r.fires} transitions fired, ${r.deliveries} deliveries, ${r.byzantine} Byzantine publications${r.countersigned > 0 ? `, ${r.countersigned} countersignatures by trusted third parties` : ''}) are a behaviour of ${fe.program.name} ${r.model === null ? 'with every principal correct (the run took no model)' : `within the fault bounds of model ${r.model}`}`);
      out.stdout(r.invariants.length === 0 ? 'invariants: none to check' : `invariants: ${r.invariants.join(', ')} hold in every state of the merged run (one linearization of the logs, not every order their vector clocks allow)`);
      if (r.verifiedCheckpoints !== undefined) out.stdout(`checkpoints: ${r.verifiedCheckpoints} whose replaced events the logs still hold are the states those events lead to`);
      if (r.checkpoints !== undefined) {
        out.stdout(`compacted logs: ${r.checkpoints.map((c) => `${c.node} from checkpoint ${c.seq} (event ${c.n})`).join(', ')}; their state before is the checkpoints' (digests checked), invariants checked from the first state after every checkpoint's causal past; ${r.fromHistory ?? 0} deliveries of statements published in a history a checkpoint replaced`);
      }
    } else out.stderr(`${r.rejection.file}${r.rejection.line > 0 ? `:${r.rejection.line}` : ''}: error: ${r.rejection.message}`);
    return r.ok ? EXIT.OK : EXIT.VIOLATION;
  },
};

/**
 * The deployment the run's relays are checked against (--deploy, else the
 * one its logs record); 'bad' (reported) when it cannot be used.
 */
function deploymentFor(program: CheckedProgram, files: readonly TraceFile[], given: string | undefined, out: Parameters<Command['run']>[1]): ReplayOptions['deployment'] | 'bad' {
  const head = runHeaderOf(files);
  // Logs without a header the engines can read are the engines' to reject, with a line.
  const d = runDeployment(program, 'rejection' in head ? {} : head.header, given);
  if (d.ok) return d.deployment;
  for (const x of d.diagnostics) out.stderr(formatDiagnostic(x, x.file === d.source?.file ? d.source : undefined));
  out.stderr(`mommie replay: ${d.message}`);
  return 'bad';
}
