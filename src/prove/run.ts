// tlapm as a managed subprocess: one run per module, its toolbox messages
// read from stderr as they come, and nothing left behind when it is stopped.
//
// tlapm runs its backends through `/bin/sh -c` (z3, zenon, ls4 and the
// Isabelle server), so killing tlapm alone would orphan them. It is started
// as the leader of a process group of its own, and stopping it signals the
// whole group: SIGTERM, then SIGKILL if anything is still there after a grace
// period. If mommie itself exits first (a second Ctrl-C), an exit handler
// kills the group synchronously. A group of its own also keeps the
// terminal's Ctrl-C away from tlapm: mommie decides what to stop.

import { spawn } from 'node:child_process';
import { ObligationCollector } from './collect.js';
import { decodeFrame, incompleteProofOf, type IncompleteProof, type ToolboxMessage } from './messages.js';
import type { ObligationResult, ProveProblem } from './result.js';
import { ToolboxFramer } from './toolbox.js';

export interface TlapmRun {
  readonly tlapm: string;
  /** The module file to check: absolute, or relative to `cwd`. */
  readonly file: string;
  /** How results name the file (the user's spelling). */
  readonly displayFile: string;
  /** tlapm looks for EXTENDed modules here first (the generated module is written here). */
  readonly cwd: string;
  readonly cacheDir: string;
  /** Forget the fingerprints: prove every obligation again. */
  readonly fresh?: boolean;
  readonly threads?: number;
  /** Multiply every backend timeout by this (tlapm's --stretch). */
  readonly stretch?: number;
  /** Pass --strict: tlapm lists the steps with a missing or OMITTED proof (a tlapm that has it). */
  readonly strict?: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly onMessage?: (m: ToolboxMessage, collector: ObligationCollector) => void;
  readonly signal?: AbortSignal;
  /** After SIGTERM, how long the group has before SIGKILL (default 2 s). */
  readonly graceMs?: number;
}

export interface TlapmOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly interrupted: boolean;
  readonly obligations: ObligationResult[];
  readonly expected: number | null;
  readonly problems: readonly ProveProblem[];
  readonly malformed: readonly string[];
  /** The last lines tlapm wrote outside its messages (stdout and stderr), for a crash report. */
  readonly tail: readonly string[];
  readonly seconds: number;
  /** The process could not be started at all. */
  readonly spawnError: string | null;
  /** tlapm ran with --strict: its exit status 10, 11 and 12 report on the proofs, not a failure. */
  readonly strict: boolean;
  /** What --strict listed as missing or omitted proofs. */
  readonly incomplete: readonly IncompleteProof[];
}

const TAIL = 40;

export function tlapmArgs(r: Pick<TlapmRun, 'file' | 'cacheDir' | 'fresh' | 'threads' | 'stretch' | 'strict'>): string[] {
  return [
    '--toolbox', '0', '0',
    ...(r.strict === true ? ['--strict'] : []),
    '--cache-dir', r.cacheDir,
    ...(r.fresh === true ? ['--cleanfp'] : []),
    ...(r.threads !== undefined ? ['--threads', String(r.threads)] : []),
    ...(r.stretch !== undefined ? ['--stretch', String(r.stretch)] : []),
    r.file,
  ];
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

export function runTlapm(r: TlapmRun): Promise<TlapmOutcome> {
  const started = Date.now();
  const collector = new ObligationCollector(r.displayFile);
  const framer = new ToolboxFramer();
  const tail: string[] = [];
  const incomplete: IncompleteProof[] = [];
  const keep = (line: string): void => {
    if (line.trim() === '') return;
    const i = incompleteProofOf(line);
    if (i !== null) incomplete.push(i);
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
  };
  const handle = (events: ReturnType<ToolboxFramer['push']>): void => {
    for (const e of events) {
      if (e.kind === 'stray') {
        keep(e.line);
        continue;
      }
      const m = decodeFrame(e.frame);
      collector.add(m);
      r.onMessage?.(m, collector);
    }
  };

  return new Promise((resolve) => {
    let interrupted = false;
    let spawnError: string | null = null;
    const child = spawn(r.tlapm, tlapmArgs(r), { cwd: r.cwd, env: r.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = child.pid;
    const onExit = (): void => {
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    };
    process.on('exit', onExit);
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      interrupted = true;
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      graceTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), r.graceMs ?? 2000);
    };
    if (r.signal?.aborted === true) stop();
    else r.signal?.addEventListener('abort', stop, { once: true });

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => handle(framer.push(d)));
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const l of lines) keep(l);
    });
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code, signal) => {
      handle(framer.end());
      keep(out);
      process.off('exit', onExit);
      r.signal?.removeEventListener('abort', stop);
      // Backends may outlive a tlapm that was stopped or died of a signal.
      if (pid !== undefined && (interrupted || signal !== null)) killGroup(pid, 'SIGKILL');
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      resolve({
        exitCode: code,
        signal: signal,
        interrupted,
        obligations: collector.results(interrupted),
        expected: collector.expectedCount(),
        problems: collector.problemsSoFar(),
        malformed: collector.malformedMessages(),
        tail,
        seconds: (Date.now() - started) / 1000,
        spawnError,
        strict: r.strict === true,
        incomplete,
      });
    });
  });
}
