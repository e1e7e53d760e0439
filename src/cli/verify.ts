import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { checkFile } from '../analysis/frontend.js';
import type { ModelResult, VerifyResult } from '../check/result.js';
import { simulateModel } from '../check/simulate.js';
import { verifyModel, type VerifyOptions } from '../check/verify.js';
import type { Progress } from '../check/search.js';
import { WorkerFailure } from '../check/parallel.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import { TlcFailure, verifyModelWithTlc, type TlcTools } from '../tlc/engine.js';
import { TLC_DEFAULT_PORT, type DistributedOptions } from '../tlc/distributed.js';
import { resolveTlc } from '../tools/resolve.js';
import { formatProblem } from '../tools/problem.js';
import { formatVerifyResult } from '../report/human.js';
import { HTML_GENERATOR, verifyHtml, verifyPageContext } from '../report/html.js';
import { itfClashes, writeItf } from '../itf/files.js';
import { commandLine, ONE_FILE, positiveInt, positiveNumber } from './args.js';
import type { Command } from './commands.js';
import { EXIT } from './exit-codes.js';
import { printDiagnostics, summary } from './output.js';

const HELP = `Usage: mommie verify FILE [options]

Model-checks every model of a MOMMIE program (or the ones named with --model)
with the built-in checker: every invariant in every reachable state, every
PROPERTY under weak fairness of delivery and of correct nodes' transitions.
Counterexamples are printed as MOMMIE steps.

Options:
  -m, --model NAME        check only this model (repeatable)
  --engine E              builtin (default), tlc, or auto (TLC when it is
                          installed, else builtin; says which ran)
  --tla2tools PATH        the tla2tools.jar to use (else TLA2TOOLS_JAR, else
                          the one 'mommie tools install' put in the cache)
  --workers N             worker threads: for TLC (default 1), and for the
                          built-in engine a parallel search over N threads
                          (safety only: models with a PROPERTY run in process
                          with one worker, and say so; docs/checker.md).
                          Without it the built-in engine checks a safety model
                          in process while it has at most 20000 states, then
                          searches again on one worker per core
  --in-process            the built-in engine's search in this process, never
                          on worker threads
  --level-memory MB       for the parallel search: memory for the BFS levels' states, in
                          MiB (default 256; fractions allowed); past it, levels
                          spill to files in the temporary directory, removed
                          at the end
  --heap MB               TLC's Java heap (-Xmx), in MiB
  --distributed           with --engine tlc: TLC's server and workers over Java
                          RMI (docs/tlc.md). The server waits for workers and
                          prints the command a worker host runs. Safety only:
                          each PROPERTY is reported not checked (exit 4)
  --local-workers K       with --distributed: start K workers on this machine
  --bind ADDR             with --distributed: the address the server listens on
                          (default 127.0.0.1; RMI has no authentication, so
                          only on a network you trust)
  --port P                with --distributed: the server's RMI port (default
                          10997, TLC's; 0 picks a free one)
  --json                  print the full result as JSON on stdout
  --reporter junit        write a JUnit XML report (needs --out)
  --reporter html         write a self-contained HTML report (needs --out): the
                          models and verdicts, each counterexample drawn as a
                          sequence chart (docs/html-reports.md)
  -o, --out FILE          where the report goes; an existing file is replaced
                          only if it is an earlier mommie report of the same
                          kind, or with --force
  --force                 overwrite --out whatever it holds (and --itf files)
  --itf DIR               write each counterexample as an ITF trace (the JSON
                          Apalache and Quint read), DIR/<model>-<property>.itf.json,
                          over the variables of the 'mommie tla' module; refuses
                          to replace such files of the checked models without --force
  --max-states N          stop after N distinct states (verdicts become unknown)
  --max-depth N           do not explore beyond depth N
  --timeout SECONDS       stop after this long
  --deadlock              report states with no enabled step (off by default:
                          a finished protocol is quiescent, not deadlocked)
  --no-symmetry           ignore the models' SYMMETRY declarations
  --reference             the built-in engine takes its steps with the
                          interpreter (the reference semantics) instead of
                          the compiled core: the same states, slower
  --por                   partial-order reduction: the built-in engine skips
                          orders of deliveries that no checked property can
                          tell apart (fewer states, the same verdicts;
                          docs/checker.md). Not with --engine tlc
  --continue              keep exploring after an invariant violation
  --simulate N            N random walks instead of an exhaustive search, for
                          models too large to exhaust: at each state a kind of
                          step, then a node, then a step; every invariant on
                          every state; a walk that runs until no fair step is
                          enabled is a complete fair behaviour, on which the
                          PROPERTYs are decided. Finds violations, proves
                          nothing: without one the verdicts are unknown (exit 4)
  --depth D               with --simulate: cut each walk after D steps (cut
                          walks check safety only, and the result says so)
  --seed S                with --simulate: the seed (default 1); the same seed
                          gives the same walks
  -q, --quiet             no progress lines
  -h, --help              show this help

Exit codes: 0 every property holds; 1 bad input; 2 a property is violated or
the program fails while running (e.g. a value outside its type); 3 internal
error; 4 a limit stopped the search before every verdict was known;
130 interrupted (Ctrl-C, with the statistics so far).`;

function isOurReport(path: string, kind: 'junit' | 'html'): boolean {
  try {
    const head = readFileSync(path, 'utf8').slice(0, 1000);
    return kind === 'html'
      ? head.startsWith('<!DOCTYPE html>') && head.includes(`<meta name="generator" content="${HTML_GENERATOR}">`)
      : head.startsWith('<?xml') && head.includes('<testsuites name="mommie verify"');
  } catch {
    return false;
  }
}

/**
 * `[M] 120000 generated, ..., 3500 states/s; levels 14-16: 8694 → 11972 → 15563 (×1.30)`:
 * the last complete BFS levels and the growth of the latest, as TLC's depth
 * lets one judge whether a run will end (a ratio falling towards 1 and below
 * means the frontier has peaked).
 */
export function progressLine(model: string, p: Progress): string {
  const head = `[${model}] ${p.generated} generated, ${p.distinct} distinct, ${p.queue} queued, depth ${p.depth}, ${Math.round(p.statesPerSecond)} states/s`;
  const levels = p.levels ?? [];
  if (levels.length < 2) return head;
  const shown = levels.slice(-3);
  const first = levels.length - shown.length;
  const growth = levels[levels.length - 1]! / Math.max(levels[levels.length - 2]!, 1);
  return `${head}; levels ${first}-${levels.length - 1}: ${shown.join(' → ')} (×${growth.toFixed(2)})`;
}

export function exitCodeOf(results: readonly ModelResult[]): number {
  if (results.some((m) => m.status === 'interrupted')) return EXIT.INTERRUPTED;
  if (results.some((m) => m.status === 'violation' || m.status === 'error' || m.properties.some((p) => p.verdict === 'violated'))) return EXIT.VIOLATION;
  if (results.some((m) => m.status === 'limit' || m.properties.some((p) => p.verdict === 'unknown'))) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

/** --simulate N [--depth D] [--seed S], checked against the options of the exhaustive search. */
function simulationOf(v: Readonly<Record<string, unknown>>, out: Parameters<Command['run']>[1]): { walks: number; seed: number; depth?: number } | undefined | 'bad' {
  const say = (s: string): 'bad' => {
    out.stderr(`mommie verify: ${s}`);
    return 'bad';
  };
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  if (v['simulate'] === undefined) {
    const stray = ['depth', 'seed'].find((k) => v[k] !== undefined);
    return stray === undefined ? undefined : say(`--${stray} goes with --simulate N (the exhaustive search has --max-depth)`);
  }
  const clash = ['por', 'workers', 'in-process', 'level-memory', 'max-states', 'max-depth', 'continue', 'heap'].find((k) => v[k] !== undefined);
  if (clash !== undefined) return say(`--${clash} applies to the exhaustive search, not to --simulate${clash === 'max-depth' ? ' (use --depth D)' : ''}`);
  const walks = positiveInt('verify', '--simulate', str('simulate'), out);
  const depth = positiveInt('verify', '--depth', str('depth'), out);
  if (walks === 'bad' || depth === 'bad') return 'bad';
  const seedText = str('seed');
  const seed = seedText === undefined ? 1 : Number(seedText);
  if (!Number.isSafeInteger(seed) || seed < 0) return say(`--seed ${seedText}: not a whole number >= 0`);
  return { walks: walks!, seed, ...(depth !== undefined ? { depth } : {}) };
}

/** --distributed [--local-workers K] [--bind ADDR] [--port P], checked against the other options. */
function distributedOf(v: Readonly<Record<string, unknown>>, engine: string, out: Parameters<Command['run']>[1]): DistributedOptions | undefined | 'bad' {
  const say = (s: string): 'bad' => {
    out.stderr(`mommie verify: ${s}`);
    return 'bad';
  };
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  if (v['distributed'] !== true) {
    const stray = ['local-workers', 'bind', 'port'].find((k) => v[k] !== undefined);
    return stray === undefined ? undefined : say(`--${stray} goes with --distributed`);
  }
  if (engine !== 'tlc') return say('--distributed runs TLC\'s server and workers: give --engine tlc');
  const clash = ['workers', 'continue', 'simulate', 'reference', 'por', 'in-process'].find((k) => v[k] !== undefined);
  if (clash !== undefined) return say(`--${clash} does not apply to distributed TLC${clash === 'workers' ? ' (each worker uses its own host\'s cores; start more with --local-workers K)' : ''}`);
  const workersText = str('local-workers');
  const localWorkers = workersText === undefined ? 0 : Number(workersText);
  if (!Number.isSafeInteger(localWorkers) || localWorkers < 0 || localWorkers > 64) return say(`--local-workers ${workersText}: a whole number from 0 to 64`);
  const portText = str('port');
  const port = portText === undefined ? TLC_DEFAULT_PORT : Number(portText);
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) return say(`--port ${portText}: a port number (0 picks a free one)`);
  const bind = str('bind') ?? '127.0.0.1';
  const loopback = bind === '127.0.0.1' || bind === '::1' || bind === 'localhost';
  if (isIP(bind) === 0 && bind !== 'localhost') return say(`--bind ${bind}: an IP address this host has`);
  if (!loopback) out.stderr(`warning: TLC's RMI server on ${bind}:${port} has no authentication: anyone who reaches it can join as a worker or talk to it; use it only on a network you trust`);
  // Workers call the server back at the address in its stubs: a wildcard address names no host.
  const advertise = bind === '0.0.0.0' || bind === '::' ? hostname() : bind;
  return { bind, advertise, port, localWorkers };
}

export const verifyCommand: Command = {
  name: 'verify',
  help: HELP,
  async run(args, out) {
    const cl = commandLine(
      'verify',
      args,
      {
        model: { type: 'string', short: 'm', multiple: true },
        engine: { type: 'string' },
        tla2tools: { type: 'string' },
        workers: { type: 'string' },
        'in-process': { type: 'boolean' },
        'level-memory': { type: 'string' },
        heap: { type: 'string' },
        distributed: { type: 'boolean' },
        'local-workers': { type: 'string' },
        bind: { type: 'string' },
        port: { type: 'string' },
        json: { type: 'boolean' },
        reporter: { type: 'string' },
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        'max-states': { type: 'string' },
        'max-depth': { type: 'string' },
        timeout: { type: 'string' },
        deadlock: { type: 'boolean' },
        'no-symmetry': { type: 'boolean' }, reference: { type: 'boolean' },
        por: { type: 'boolean' },
        continue: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        itf: { type: 'string' },
        simulate: { type: 'string' },
        depth: { type: 'string' },
        seed: { type: 'string' },
      },
      ONE_FILE,
      HELP,
      out,
    );
    if (!cl.ok) return cl.exitCode;
    const v = cl.values;
    if (v.reporter !== undefined && v.reporter !== 'junit' && v.reporter !== 'html' && v.reporter !== 'human') {
      out.stderr(`mommie verify: unknown reporter '${v.reporter}' (use junit or html, or --json)`);
      return EXIT.BAD_INPUT;
    }
    if ((v.reporter === 'junit' || v.reporter === 'html') && v.out === undefined) {
      out.stderr(`mommie verify: --reporter ${v.reporter} needs --out FILE`);
      return EXIT.BAD_INPUT;
    }
    const reportKind = v.reporter === 'html' ? 'html' : 'junit';
    if (v.out !== undefined && existsSync(v.out) && v.force !== true && !isOurReport(v.out, reportKind)) {
      out.stderr(`mommie verify: ${v.out} exists and is not an earlier mommie report; pass --force to overwrite it`);
      return EXIT.BAD_INPUT;
    }
    const engineWanted = v.engine ?? 'builtin';
    if (engineWanted !== 'builtin' && engineWanted !== 'tlc' && engineWanted !== 'auto') {
      out.stderr(`mommie verify: unknown engine '${engineWanted}' (builtin, tlc or auto)`);
      return EXIT.BAD_INPUT;
    }
    const por = v.por === true;
    if (por && engineWanted === 'tlc') {
      out.stderr('mommie verify: --por is a reduction of the built-in engine; TLC always explores the full state space (use --engine builtin, or drop --por)');
      return EXIT.BAD_INPUT;
    }
    const workers = positiveInt('verify', '--workers', v.workers, out);
    if (workers === 'bad') return EXIT.BAD_INPUT;
    const levelMemoryMB = positiveNumber('verify', '--level-memory', v['level-memory'], out);
    if (levelMemoryMB === 'bad') return EXIT.BAD_INPUT;
    const inProcess = v['in-process'] === true;
    if (inProcess && workers !== undefined) {
      out.stderr('mommie verify: --in-process and --workers N choose different searches; give one of them');
      return EXIT.BAD_INPUT;
    }
    if (levelMemoryMB !== undefined && inProcess) {
      out.stderr('mommie verify: --level-memory bounds the levels of the parallel search; drop --in-process (the in-process search keeps its queue in memory)');
      return EXIT.BAD_INPUT;
    }
    const heapMB = positiveInt('verify', '--heap', v.heap, out);
    if (heapMB === 'bad') return EXIT.BAD_INPUT;
    const maxStates = positiveInt('verify', '--max-states', v['max-states'], out);
    const maxDepth = positiveInt('verify', '--max-depth', v['max-depth'], out);
    const timeout = positiveInt('verify', '--timeout', v.timeout, out);
    if (maxStates === 'bad' || maxDepth === 'bad' || timeout === 'bad') return EXIT.BAD_INPUT;

    const simulation = simulationOf(v, out);
    if (simulation === 'bad') return EXIT.BAD_INPUT;
    const distributed = distributedOf(v, engineWanted, out);
    if (distributed === 'bad') return EXIT.BAD_INPUT;

    const file = cl.positionals[0]!;
    const fe = checkFile(file);
    printDiagnostics(out, fe);
    if (!fe.ok || fe.program === undefined) {
      out.stderr(summary([fe]));
      return EXIT.BAD_INPUT;
    }
    const program = fe.program;
    const wanted = v.model ?? [...program.models.keys()];
    const unknown = wanted.filter((m) => !program.models.has(m));
    if (unknown.length > 0) {
      out.stderr(`mommie verify: ${file} has no model ${unknown.join(', ')}; its models are ${[...program.models.keys()].join(', ') || 'none'}`);
      return EXIT.BAD_INPUT;
    }
    if (wanted.length === 0) {
      out.stderr(`mommie verify: ${file} declares no MODEL; add one, e.g. MODEL Small { }`);
      return EXIT.BAD_INPUT;
    }

    const itfOld = v.itf === undefined || v.force === true ? [] : itfClashes(v.itf, wanted);
    if (itfOld.length > 0) {
      out.stderr(`mommie verify: ${v.itf} already holds ${itfOld.join(', ')}; pass --force to overwrite them, or choose another --itf directory`);
      return EXIT.BAD_INPUT;
    }

    let tools: TlcTools | undefined;
    if (simulation !== undefined) {
      if (engineWanted === 'tlc') {
        out.stderr("mommie verify: --simulate is the built-in engine's; TLC's own simulation mode is not wired in (use --engine builtin)");
        return EXIT.BAD_INPUT;
      }
      if (engineWanted === 'auto') out.stderr('engine: builtin (--simulate is the built-in engine\'s)');
    } else if (engineWanted === 'auto' && por) {
      out.stderr('engine: builtin (--por is a reduction of the built-in engine)');
    } else if (v.reference === true) {
      // The interpreter and the compiled core are the built-in engine's two forms.
      if (engineWanted === 'tlc') {
        out.stderr("mommie verify: --reference chooses the built-in engine's interpreter; TLC has its own (use --engine builtin)");
        return EXIT.BAD_INPUT;
      }
      if (engineWanted === 'auto') out.stderr("engine: builtin (--reference is the built-in engine's interpreter)");
    } else if (engineWanted !== 'builtin') {
      const resolved = await resolveTlc(v.tla2tools !== undefined ? { tla2tools: v.tla2tools } : {});
      if (isLeft(resolved)) {
        if (engineWanted === 'tlc') {
          out.stderr(`mommie verify: --engine tlc needs TLC: ${formatProblem(resolved.left)}`);
          return EXIT.BAD_INPUT;
        }
        out.stderr(`engine: builtin (TLC is not available: ${resolved.left.message.replace(/\.$/, '')}; run 'mommie tools doctor')`);
      } else {
        tools = { java: resolved.right.java, jar: resolved.right.jar };
        if (v['max-states'] !== undefined || v['max-depth'] !== undefined) {
          out.stderr('mommie verify: --max-states and --max-depth apply to the built-in engine only; use --timeout with TLC');
          return EXIT.BAD_INPUT;
        }
        out.stderr(`engine: tlc (${resolved.right.jar})`);
      }
    }

    if (tools === undefined && heapMB !== undefined) {
      out.stderr('note: --heap applies to TLC; the built-in engine runs in this process');
    }

    let interrupted = false;
    const onSigint = (): void => {
      if (interrupted) process.exit(EXIT.INTERRUPTED);
      interrupted = true;
      out.stderr('\ninterrupted: finishing with the statistics so far (Ctrl-C again to quit at once)');
    };
    process.on('SIGINT', onSigint);
    const opts: VerifyOptions = {
      deadlock: v.deadlock === true,
      symmetry: v['no-symmetry'] !== true,
      ...(v.reference === true ? { reference: true } : {}),
      continueAfterViolation: v.continue === true,
      ...(por ? { partialOrder: true } : {}),
      ...(maxStates !== undefined ? { maxStates } : {}),
      ...(maxDepth !== undefined ? { maxDepth } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}),
      isInterrupted: () => interrupted,
      ...(tools !== undefined || inProcess ? {} : { workers: workers ?? { cores: availableParallelism() } }),
      ...(levelMemoryMB !== undefined ? { levelMemoryBytes: Math.ceil(levelMemoryMB * 2 ** 20) } : {}),
      onNote: (model: string, note: string) => out.stderr(`[${model}] ${note}`),
      ...(v.quiet === true
        ? {}
        : {
            onProgress: (model: string, p) => out.stderr(progressLine(model, p)),
          }),
    };
    const models: ModelResult[] = [];
    try {
      for (const m of wanted) {
        if (interrupted) break;
        if (tools !== undefined) {
          models.push(
            await verifyModelWithTlc(program, fe.source, m, tools, {
              deadlock: opts.deadlock,
              symmetry: opts.symmetry,
              continueAfterViolation: opts.continueAfterViolation,
              ...(workers !== undefined ? { workers } : {}),
              ...(heapMB !== undefined ? { heapMB } : {}),
              ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
              ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
              isInterrupted: () => interrupted,
              ...(distributed !== undefined ? { distributed: { ...distributed, onServerReady: (cmd: string) => out.stderr(`[${m}] TLC server listening on ${distributed.bind}; a worker host runs:\n  ${cmd}`) } } : {}),
            }),
          );
        } else if (simulation !== undefined) {
          models.push(await simulateModel(program, fe.source, m, { ...simulation, deadlock: opts.deadlock, symmetry: opts.symmetry, ...(opts.reference === true ? { reference: true } : {}), isInterrupted: () => interrupted, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) }));
        } else models.push(await verifyModel(program, fe.source, m, opts));
      }
    } catch (e) {
      if (e instanceof WorkerFailure) {
        out.stderr(`mommie verify: ${e.message}`);
        return EXIT.INTERNAL;
      }
      if (e instanceof TlcFailure) {
        out.stderr(`mommie verify: ${e.message}`);
        return EXIT.INTERNAL;
      }
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
    }
    const result: VerifyResult = { format: 'mommie-verify/1', program: program.name, file, engine: tools !== undefined ? 'tlc' : 'builtin', models };
    if (v.json === true) out.stdout(JSON.stringify(result, null, 2));
    else out.stdout(formatVerifyResult(result, { color: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined }));
    if ((v.reporter === 'junit' || v.reporter === 'html') && v.out !== undefined) {
      try {
        // The XML writer (fast-xml-parser) is loaded only for a JUnit report.
        writeFileSync(v.out, v.reporter === 'html' ? verifyHtml(result, verifyPageContext(program)) : (await import('../report/junit.js')).toJUnitXml([result]));
        out.stderr(`wrote ${v.out}`);
      } catch (e) {
        out.stderr(`mommie verify: cannot write ${v.out}: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.BAD_INPUT;
      }
    }
    if (v.itf !== undefined) {
      const w = writeItf(v.itf, program, fe.source, result);
      for (const f of w.files) out.stderr(`wrote ${f.path} (${f.states} states)`);
      for (const p of w.problems) out.stderr(`mommie verify: --itf: ${p}`);
      if (w.problems.length > 0) return EXIT.INTERNAL;
    }
    return exitCodeOf(models);
  },
};
