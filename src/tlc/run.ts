// TLC as a subprocess on one module and its .cfg: the one place mommie starts
// tlc2.TLC. `verify --engine tlc` (engine.ts) runs its generated MC modules
// through it, and the refinement tests the hand-written modules of
// refinement/. The caller owns the directory; TLC's states/ go to `metadir`
// so that nothing is written next to the spec.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Either } from 'fp-ts/lib/Either.js';
import { peakRssMiB } from './jvm-memory.js';
import { parseTlcStream, type TlcEvent } from './output.js';
import type { TlcOutputError, TlcResult } from './result.js';

export interface TlcTools {
  readonly java: string;
  readonly jar: string;
}

export interface TlcProcessOptions {
  /** The directory TLC runs in, where the module and the modules it extends are. */
  readonly cwd: string;
  /** The module to check (name, without .tla). */
  readonly module: string;
  /** The .cfg, relative to `cwd`. */
  readonly config: string;
  /** Where TLC keeps its states and traces. */
  readonly metadir: string;
  readonly workers?: number;
  readonly heapMB?: number;
  readonly timeoutMs?: number;
  readonly continueAfterViolation?: boolean;
  /** Have TLC report how often each action fired (`-coverage`: at the end, and every minute before it), as message events. */
  readonly coverage?: boolean;
  readonly onEvent?: (e: TlcEvent) => void;
  /** Polled every 100 ms; true stops TLC. */
  readonly isInterrupted?: () => boolean;
}

export interface TlcProcessRun {
  readonly parsed: Either<TlcOutputError, TlcResult>;
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  /** The last 4,000 characters TLC wrote to stderr. */
  readonly stderr: string;
  /** The JVM's peak memory, sampled while it ran; 0 where it cannot be measured. */
  readonly peakRssMiB: number;
}

/** Runs `tlc2.TLC -tool` once and parses its output as it arrives. */
export async function runTlcProcess(tools: TlcTools, opts: TlcProcessOptions): Promise<TlcProcessRun> {
  const javaTmp = privateJavaTmp();
  // A second Ctrl-C exits at once (process.exit), skipping `finally`.
  const remove = (): void => rmSync(javaTmp, { recursive: true, force: true });
  process.once('exit', remove);
  try {
    return await runIn(tools, opts, javaTmp);
  } finally {
    process.off('exit', remove);
    remove();
  }
}

/**
 * A temporary directory of the JVM's own: TLC and SANY unpack their standard
 * modules (TLC.tla, Naturals.tla, ...) into java.io.tmpdir, /tmp by default,
 * and two JVMs writing the same files at once made one of them fail to parse
 * FiniteSets (seen in 1 of 8 concurrent runs).
 */
export function privateJavaTmp(): string {
  return mkdtempSync(join(tmpdir(), 'mommie-jvm-'));
}

async function runIn(tools: TlcTools, opts: TlcProcessOptions, javaTmp: string): Promise<TlcProcessRun> {
  const args = [
    ...jvmOptions(javaTmp, opts.heapMB),
    '-cp', tools.jar, 'tlc2.TLC', '-tool',
    '-workers', String(opts.workers ?? 1),
    // TLC writes states/ and trace files next to the spec unless told otherwise.
    '-metadir', opts.metadir,
    ...(opts.continueAfterViolation === true ? ['-continue'] : []),
    ...(opts.coverage === true ? ['-coverage', '1'] : []),
    // Liveness once, after the whole graph is built, as the built-in checker
    // does: TLC's periodic checks stop the search (even with -continue) at
    // the first liveness violation, leaving the invariants unchecked.
    '-lncheck', 'final',
    '-config', opts.config, opts.module,
  ];
  return runParsed(tools.java, args, opts);
}

/** The JVM options of every TLC process mommie starts. */
export function jvmOptions(javaTmp: string, heapMB: number | undefined): string[] {
  return [
    '-XX:+UseParallelGC',
    `-Djava.io.tmpdir=${javaTmp}`,
    // TLC groups digits by the JVM's locale; keep one format for the parser.
    '-Duser.language=en',
    '-Duser.country=US',
    ...(heapMB !== undefined ? [`-Xmx${heapMB}m`] : []),
  ];
}

/** What `runParsed` needs of the options: where to run, for how long, and whom to tell. */
export type ParsedRunOptions = Pick<TlcProcessOptions, 'cwd' | 'timeoutMs' | 'onEvent' | 'isInterrupted'>;

/**
 * Runs `java args` (a TLC main class in -tool mode), parsing its stdout as it
 * arrives; the JVM is killed on timeout or when `isInterrupted` turns true.
 */
export async function runParsed(java: string, args: readonly string[], opts: ParsedRunOptions): Promise<TlcProcessRun> {
  const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
  const child = execa(java, args, { cwd: opts.cwd, reject: false, buffer: false, stdout: 'pipe', stderr: 'pipe', forceKillAfterDelay: 2000, ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}) });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let peak = 0;
  const poll = setInterval(() => {
    if (opts.isInterrupted?.() === true) child.kill('SIGTERM');
    if (child.pid !== undefined) peak = Math.max(peak, peakRssMiB(child.pid) ?? 0);
  }, 100);
  let parsed;
  try {
    parsed = await parseTlcStream(child.stdout!, {
      // -continue prints a trace per violating state; one per property is what we show.
      firstFindingOnly: true,
      ...(opts.onEvent !== undefined ? { onEvent: opts.onEvent } : {}),
      exitCode: async () => (await child).exitCode,
    });
  } finally {
    clearInterval(poll);
  }
  const r = await child;
  return { parsed, exitCode: r.exitCode, timedOut: r.timedOut === true, stderr, peakRssMiB: Math.round(peak) };
}
