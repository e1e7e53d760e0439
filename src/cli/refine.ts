import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isLeft } from 'fp-ts/lib/Either.js';
import { checkFile } from '../analysis/frontend.js';
import { loadDeployment } from '../deploy/load.js';
import { deployCheck } from '../deploy/verdict.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import { formatRefineReport } from '../refine/human.js';
import { refineToHtml } from '../refine/html.js';
import { refineToJUnitXml } from '../refine/junit.js';
import type { RefineReport } from '../refine/result.js';
import { DEFAULT_MAX_STATES, DEFAULT_TIMEOUT_MS, refine } from '../refine/run.js';
import { formatProblem } from '../tools/problem.js';
import { resolveTlc } from '../tools/resolve.js';
import { commandLine, positiveInt } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';

const HELP = `Usage: mommie refine PROGRAM --deploy DEPLOY [-m MODEL]... [options]

Checks with TLC that the deployment keeps what was verified of the program
(docs/refinement.md):
  1. the module-level checks of the implementation modules DEPLOY uses
     (refinement/: each authentication mechanism and dissemination optimizer
     refines the abstract pool, with its negative controls, which must fail);
  2. per model, the program composed with DEPLOY: the Fire steps put items on
     the wire as DEPLOY routes them, nodes learn statements only through the
     mechanism's check, the adversary replays and forges; TLC checks that
     every composed step is a step of the program's abstract spec, and the
     model's invariants and properties.
A composed model past --max-states or --timeout is reported as too large,
with the bounds to make smaller; it is never shrunk silently. Each check
lists every invariant and property as holds, violated or not checked (and
why); each composed model prints how often each transition and wire step
fired (TLC -coverage) and warns of a vacuous pass: a transition never
enabled, a leads-to property whose antecedent never held, Byzantine nodes
that never acted (warnings do not change the exit code).

Options:
  -d, --deploy FILE    the deploy file (it must pass 'mommie deploy-check')
  -m, --model NAME     only this model (repeatable; default: every model)
  --modules-only       only the module-level checks
  --composed-only      only the composed models
  --max-states N       stop a composed model past N distinct states (default ${DEFAULT_MAX_STATES})
  --timeout SECONDS    stop any one TLC run after this long (default ${DEFAULT_TIMEOUT_MS / 1000})
  --workers N          TLC worker threads (default 1)
  --tla2tools PATH     the tla2tools.jar to run
  --json               print the report as JSON on stdout
  --reporter junit     write a JUnit XML report to --out
  --reporter html      write a self-contained HTML page to --out: the table of
                       checks and each counterexample as a sequence chart
  -o, --out FILE       where the report goes; an existing file is replaced
                       only if it is an earlier mommie refine report, or with --force
  --force              overwrite --out whatever it holds
  -q, --quiet          no progress lines
  -h, --help           show this help

Exit codes: 0 every check as expected; 1 bad input (the program, a deploy file
deploy-check refuses, no TLC); 2 a check failed (a counterexample); 3 TLC
failed (or rejected a generated module: a bug in mommie); 4 a model was too
large for the limits; 130 interrupted.`;

const REPORT_MARK = 'mommie refine';

export function refineExitCode(r: RefineReport, interrupted: boolean): number {
  if (interrupted) return EXIT.INTERRUPTED;
  if (r.checks.some((c) => c.verdict === 'error')) return EXIT.INTERNAL;
  if (r.checks.some((c) => c.verdict === 'fail')) return EXIT.VIOLATION;
  if (r.checks.some((c) => c.verdict === 'too-large')) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

function isOurReport(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').slice(0, 600).includes(REPORT_MARK);
  } catch {
    return false;
  }
}

export const refineCommand: Command = {
  name: 'refine',
  help: HELP,
  async run(args, out) {
    const cl = commandLine(
      'refine',
      args,
      {
        deploy: { type: 'string', short: 'd' },
        model: { type: 'string', short: 'm', multiple: true },
        'modules-only': { type: 'boolean' },
        'composed-only': { type: 'boolean' },
        'max-states': { type: 'string' },
        timeout: { type: 'string' },
        workers: { type: 'string' },
        tla2tools: { type: 'string' },
        json: { type: 'boolean' },
        reporter: { type: 'string' },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
      { min: 1, max: 1, expected: 'give the program file (and the deploy file with --deploy)' },
      HELP,
      out,
    );
    if (!cl.ok) return cl.exitCode;
    const v = cl.values;
    if (v.deploy === undefined) {
      out.stderr('mommie refine: give the deployment with --deploy FILE');
      return EXIT.BAD_INPUT;
    }
    if (v['modules-only'] === true && v['composed-only'] === true) {
      out.stderr('mommie refine: --modules-only and --composed-only exclude each other');
      return EXIT.BAD_INPUT;
    }
    if (v.reporter !== undefined && v.reporter !== 'junit' && v.reporter !== 'html') {
      out.stderr(`mommie refine: unknown reporter '${v.reporter}' (use junit or html, or --json)`);
      return EXIT.BAD_INPUT;
    }
    if (v.reporter !== undefined && v.out === undefined) {
      out.stderr(`mommie refine: --reporter ${v.reporter} needs --out FILE`);
      return EXIT.BAD_INPUT;
    }
    if (v.out !== undefined && v.reporter === undefined) {
      out.stderr('mommie refine: --out is where --reporter writes; add --reporter junit or html, or drop --out');
      return EXIT.BAD_INPUT;
    }
    if (v.out !== undefined && existsSync(v.out) && v.force !== true && !isOurReport(v.out)) {
      out.stderr(`mommie refine: ${v.out} exists and is not an earlier mommie refine report; pass --force to overwrite it`);
      return EXIT.BAD_INPUT;
    }
    const maxStates = positiveInt('refine', '--max-states', v['max-states'], out);
    const timeout = positiveInt('refine', '--timeout', v.timeout, out);
    const workers = positiveInt('refine', '--workers', v.workers, out);
    if (maxStates === 'bad' || timeout === 'bad' || workers === 'bad') return EXIT.BAD_INPUT;

    const fe = checkFile(cl.positionals[0]!);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    const program = fe.program;
    const unknown = (v.model ?? []).filter((m) => !program.models.has(m));
    if (unknown.length > 0) {
      out.stderr(`mommie refine: no model ${unknown.join(', ')}; the models are ${[...program.models.keys()].join(', ')}`);
      return EXIT.BAD_INPUT;
    }
    if (program.models.size === 0 && v['modules-only'] !== true) {
      out.stderr(`mommie refine: ${program.file} declares no MODEL; the composed check needs one (or pass --modules-only)`);
      return EXIT.BAD_INPUT;
    }
    // The same verdict as deploy-check: a deployment it refuses is not composed.
    const loaded = loadDeployment(v.deploy, program, fe.source);
    const verdict = loaded.deployment !== undefined && loaded.syntax !== undefined ? deployCheck({ program, ...(fe.source ? { programSource: fe.source } : {}), syntax: loaded.syntax, deployment: loaded.deployment }) : undefined;
    const diagnostics = [...loaded.diagnostics, ...(verdict?.diagnostics ?? [])];
    for (const d of diagnostics) if (d.severity === 'error') out.stderr(formatDiagnostic(d, d.file === v.deploy ? loaded.source : fe.source));
    if (loaded.deployment === undefined || verdict === undefined || !loaded.ok || !verdict.ok) {
      out.stderr(`mommie refine: ${v.deploy} is refused by deploy-check ('mommie deploy-check ${program.file} ${v.deploy}' says why); refine checks only deployments it accepts`);
      return EXIT.BAD_INPUT;
    }

    const tlc = await resolveTlc(v.tla2tools !== undefined ? { tla2tools: v.tla2tools } : {});
    if (isLeft(tlc)) {
      out.stderr(`mommie refine: refine needs TLC: ${formatProblem(tlc.left)}`);
      return EXIT.BAD_INPUT;
    }
    const tools = { java: tlc.right.java, jar: tlc.right.jar };
    const quiet = v.quiet === true;
    if (!quiet) out.stderr(`TLC: ${tlc.right.jar}`);

    let interrupted = false;
    const onSigint = (): void => {
      if (interrupted) process.exit(EXIT.INTERRUPTED);
      interrupted = true;
      out.stderr('\ninterrupted: stopping TLC (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    let report: RefineReport;
    try {
      report = await refine({
        program,
        source: fe.source,
        deployment: loaded.deployment,
        tools,
        ...(v.model !== undefined ? { models: v.model } : {}),
        ...(v['modules-only'] === true ? { modulesOnly: true } : {}),
        ...(v['composed-only'] === true ? { composedOnly: true } : {}),
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
        ...(workers !== undefined ? { workers } : {}),
        ...(quiet ? {} : { onProgress: (line: string) => out.stderr(line) }),
        isInterrupted: () => interrupted,
      });
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (v.json === true) out.stdout(JSON.stringify(report, null, 2));
    else out.stdout(formatRefineReport(report));
    if (v.reporter !== undefined && v.out !== undefined) {
      try {
        const principals = [...new Set([...program.principalSets.values()].flat())];
        writeFileSync(v.out, v.reporter === 'html' ? refineToHtml(report, principals) : refineToJUnitXml(report));
        out.stderr(`wrote ${v.out}`);
      } catch (e) {
        out.stderr(`mommie refine: cannot write ${v.out}: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.BAD_INPUT;
      }
    }
    return refineExitCode(report, interrupted);
  },
};
