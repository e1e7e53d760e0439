import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { checkFile } from '../analysis/frontend.js';
import { shortReason } from '../prove/collect.js';
import { formatProveResult, formatSeconds } from '../prove/human.js';
import { proveToJUnitXml } from '../prove/junit.js';
import type { ToolboxMessage } from '../prove/messages.js';
import { prove } from '../prove/prove.js';
import { typeOKModuleName } from '../prove/typeok-proof.js';
import type { ProveResult } from '../prove/result.js';
import { tlaName } from '../tla/names.js';
import { currentHost } from '../tools/platform.js';
import { formatProblem } from '../tools/problem.js';
import { resolveTlc } from '../tools/resolve.js';
import { resolveTlapm } from '../tools/tlapm.js';
import { commandLine, positiveInt } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';

const HELP = `Usage: mommie prove PROGRAM [PROOF.tla ...] [options]

Checks TLA+ proofs with tlapm (the TLA+ Proof System): first the module
mommie generates from PROGRAM (the one 'mommie tla' writes), then the proof
mommie generates that its TypeOK is inductive (<Program>_TypeOK, reported in
MOMMIE terms: transition, variable, expression), then each proof module,
which EXTENDS the generated module by its name (e.g. EXTENDS PrimaryBackup,
or EXTENDS PrimaryBackup_TypeOK to use TypeOK's theorems).
The generated module is written to a temporary directory, never next to your
files; tlapm's fingerprints (what it has proved) are kept in mommie's cache
directory, so a second run re-proves only what changed. See docs/prove.md.

Options:
  --tlapm PATH        the tlapm to run (else TLAPM, else tlapm on PATH, else
                      the one unpacked in the cache; 'mommie tools doctor')
  --fresh             forget earlier results: prove every obligation again
  --threads N         tlapm's worker threads (default: tlapm's, one per core)
  --stretch F         multiply every backend's timeout by F (a loaded machine
                      needs 2-4; tlapm's --stretch)
  --no-typeok         leave out the generated TypeOK proof
  --json              print the full result as JSON on stdout
  --reporter junit    write a JUnit XML report (needs --out)
  -o, --out FILE      where the JUnit report goes; an existing file is replaced
                      only if it is an earlier mommie report, or with --force
  --force             overwrite --out whatever it holds
  -q, --quiet         no progress lines
  -h, --help          show this help

Exit codes: 0 every obligation proved; 1 bad input (the program, a proof
module tlapm cannot parse, no tlapm); 2 an obligation failed; 3 tlapm failed,
or rejected the generated module (a bug in mommie); 4 an obligation was left
unproved (omitted, or tlapm did not finish it); 130 interrupted (Ctrl-C, with
the results so far; tlapm and its backends are stopped).`;

export function proveExitCode(r: ProveResult): number {
  const ms = r.modules;
  if (ms.some((m) => m.status === 'interrupted')) return EXIT.INTERRUPTED;
  // tlapm crashing, or refusing the module mommie generated, is not the user's doing.
  if (ms.some((m) => m.status === 'crashed' || (m.generated && m.status === 'rejected'))) return EXIT.INTERNAL;
  if (ms.some((m) => m.status === 'rejected')) return EXIT.BAD_INPUT;
  if (r.counts.failed > 0) return EXIT.VIOLATION;
  if (r.counts.interrupted + r.counts.unfinished + r.counts.omitted > 0) return EXIT.INCOMPLETE;
  // Proved, but not shown: a theorem resting on one this run did not check, or on assumptions no model satisfies.
  if (ms.some((m) => m.theorems.some((t) => t.unchecked.length > 0))) return EXIT.INCOMPLETE;
  if (ms.some((m) => m.assumptionCheck?.status === 'fails')) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

function isOurReport(path: string): boolean {
  try {
    const head = readFileSync(path, 'utf8').slice(0, 400);
    return head.startsWith('<?xml') && head.includes('<testsuites name="mommie prove"');
  } catch {
    return false;
  }
}

/** Why a proof module cannot be given to tlapm, or undefined. */
function proofProblem(path: string, generated: string): string | undefined {
  if (!path.endsWith('.tla')) return `${path} is not a TLA+ module (its name must end in .tla)`;
  let st;
  try {
    st = statSync(path);
  } catch {
    return `${path} does not exist`;
  }
  if (!st.isFile()) return `${path} is not a file`;
  if (basename(path) === generated.replace(/\.tla$/, '_TypeOK.tla')) return `${path} has the name of the generated TypeOK proof; name your proof module differently`;
  if (basename(path) === generated) return `${path} has the name of the generated module ${generated}; name your proof module differently (it EXTENDS ${generated.replace(/\.tla$/, '')})`;
  return undefined;
}

/** One progress line for a message that says something new, or undefined. */
function progressOf(file: string, m: ToolboxMessage): string | undefined {
  if (m.kind === 'count') return `  ${file}: ${m.count} obligation${m.count === 1 ? '' : 's'}`;
  if (m.kind !== 'obligation') return undefined;
  const at = `${file}:${m.span.line}:${m.span.column}`;
  const time = m.seconds !== null ? `, ${formatSeconds(m.seconds)}` : m.cached ? ', cached' : '';
  if (m.status === 'proved' || m.status === 'trivial') return `  ✓ ${at} ${m.status} by ${m.prover ?? '?'}${time}`;
  if (m.status === 'failed') return `  ✗ ${at} ${m.prover ?? '?'} failed${m.reason !== null ? ` (${shortReason(m.reason)})` : ''}${time}`;
  return undefined;
}

export const proveCommand: Command = {
  name: 'prove',
  help: HELP,
  async run(args, out) {
    const cl = commandLine(
      'prove',
      args,
      {
        tlapm: { type: 'string' },
        fresh: { type: 'boolean' },
        threads: { type: 'string' },
        stretch: { type: 'string' },
        'no-typeok': { type: 'boolean' },
        json: { type: 'boolean' },
        reporter: { type: 'string' },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
      { min: 1, max: Infinity, expected: 'give the program file, then any proof modules' },
      HELP,
      out,
    );
    if (!cl.ok) return cl.exitCode;
    const v = cl.values;
    if (v.reporter !== undefined && v.reporter !== 'junit') {
      out.stderr(`mommie prove: unknown reporter '${v.reporter}' (use junit, or --json)`);
      return EXIT.BAD_INPUT;
    }
    if (v.reporter === 'junit' && v.out === undefined) {
      out.stderr('mommie prove: --reporter junit needs --out FILE');
      return EXIT.BAD_INPUT;
    }
    if (v.out !== undefined && v.reporter !== 'junit') {
      out.stderr('mommie prove: --out is where --reporter junit writes; add --reporter junit, or drop --out');
      return EXIT.BAD_INPUT;
    }
    if (v.out !== undefined && existsSync(v.out) && v.force !== true && !isOurReport(v.out)) {
      out.stderr(`mommie prove: ${v.out} exists and is not an earlier mommie report; pass --force to overwrite it`);
      return EXIT.BAD_INPUT;
    }
    const threads = positiveInt('prove', '--threads', v.threads, out);
    if (threads === 'bad') return EXIT.BAD_INPUT;
    const stretch = v.stretch === undefined ? undefined : Number(v.stretch);
    if (stretch !== undefined && !(Number.isFinite(stretch) && stretch > 0 && stretch <= 100)) {
      out.stderr(`mommie prove: --stretch takes a number above 0 and at most 100, not '${v.stretch}'`);
      return EXIT.BAD_INPUT;
    }

    const [programFile, ...proofs] = cl.positionals as [string, ...string[]];
    const fe = checkFile(programFile);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    const generated = `${tlaName(fe.program.name)}.tla`;
    const typeOKFile = `${typeOKModuleName(fe.program)}.tla`;
    const bad = proofs.map((p) => proofProblem(p, generated)).filter((p): p is string => p !== undefined);
    const twice = proofs.filter((p, i) => proofs.findIndex((q) => resolve(q) === resolve(p)) !== i);
    if (twice.length > 0) bad.push(`${twice[0]} is named twice`);
    const byModule = new Map<string, string>();
    for (const p of proofs) {
      const other = byModule.get(basename(p));
      if (other !== undefined && resolve(other) !== resolve(p)) bad.push(`${other} and ${p} are both module ${basename(p, '.tla')}; tlapm would mix up their fingerprints`);
      byModule.set(basename(p), p);
    }
    if (bad.length > 0) {
      for (const b of bad) out.stderr(`mommie prove: ${b}`);
      return EXIT.BAD_INPUT;
    }

    const host = currentHost();
    const tlapm = await resolveTlapm(host, v.tlapm);
    if (isLeft(tlapm)) {
      out.stderr(`mommie prove: prove needs tlapm: ${formatProblem(tlapm.left)}`);
      return EXIT.BAD_INPUT;
    }
    const quiet = v.quiet === true;
    if (!quiet) out.stderr(`tlapm: ${tlapm.right.path} (version ${tlapm.right.version ?? 'unknown'}, from ${tlapm.right.source})`);

    // TLC tries the proofs' assumptions on the models' constants; without it they are left unchecked, and the report says so.
    const tlc = await resolveTlc({ host });
    const tlcChoice = isLeft(tlc) ? { missing: tlc.left.message } : { tools: { java: tlc.right.java, jar: tlc.right.jar } };

    // Ctrl-C and SIGTERM alike stop tlapm (or TLC) and its children, and the
    // work directory is removed; the results so far are reported (exit 130).
    const abort = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal quits at once: the exit handlers kill tlapm's group and remove the work directory.
      if (abort.signal.aborted) process.exit(EXIT.INTERRUPTED);
      abort.abort();
      out.stderr(`\n${signal === 'SIGINT' ? 'interrupted' : `${signal} received`}: stopping tlapm and its backends (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once)`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let result;
    try {
      result = await prove({
        program: fe.program,
        source: fe.source,
        programFile,
        proofs,
        tlapm: tlapm.right,
        host,
        ...(v.fresh === true ? { fresh: true } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(stretch !== undefined ? { stretch } : {}),
        ...(v['no-typeok'] === true ? { noTypeOK: true } : {}),
        tlc: tlcChoice,
        signal: abort.signal,
        ...(quiet
          ? {}
          : {
              onModule: (file: string, gen: boolean) => out.stderr(`checking ${gen ? `generated module ${file}` : file}`),
              onAssumptions: (file: string) => out.stderr(`TLC: do ${file}'s assumptions hold on a model's constants?`),
              onMessage: (file: string, m: ToolboxMessage) => {
                // The generated TypeOK proof has hundreds of obligations: only its failures are news.
                if (file === typeOKFile && !(m.kind === 'count' || (m.kind === 'obligation' && m.status === 'failed'))) return;
                const line = progressOf(file, m);
                if (line !== undefined) out.stderr(line);
              },
            }),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (isLeft(result)) {
      out.stderr(`mommie prove: ${result.left.message}\n${result.left.hint}`);
      return EXIT.BAD_INPUT;
    }
    const r = result.right;
    if (v.json === true) out.stdout(JSON.stringify(r, null, 2));
    else out.stdout(formatProveResult(r, { color: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined }));
    if (v.reporter === 'junit' && v.out !== undefined) {
      try {
        writeFileSync(v.out, proveToJUnitXml(r));
        out.stderr(`wrote ${v.out}`);
      } catch (e) {
        out.stderr(`mommie prove: cannot write ${v.out}: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.BAD_INPUT;
      }
    }
    return proveExitCode(r);
  },
};

