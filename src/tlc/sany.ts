// SANY (tla2sany.SANY), TLA+'s parser and semantic analyser, on modules mommie
// generated. SANY's exit code does not say whether the module was accepted
// (it exits 0 after semantic errors), so its report is read instead.

import { rmSync } from 'node:fs';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { SanyError } from './result.js';
import { parseSanyReport } from './sany-output.js';
import { privateJavaTmp } from './run.js';
import type { TlcTools } from './engine.js';

export interface SanyAccepted {
  /** The files SANY read, the standard modules included. */
  readonly files: readonly string[];
  readonly warnings: readonly SanyError[];
}

export type SanyProblem =
  | { readonly kind: 'rejected'; readonly errors: readonly SanyError[]; readonly output: string }
  | { readonly kind: 'failed'; readonly message: string };

const TIMEOUT_MS = 120_000;

/** Runs SANY once on `files` (paths relative to `dir`, where the modules they extend are). */
export async function runSany(tools: TlcTools, dir: string, files: readonly string[]): Promise<Either<SanyProblem, SanyAccepted>> {
  const javaTmp = privateJavaTmp();
  const { execa } = await import('execa'); // on first use: importing it costs every command's start-up about 0.15 s
  const r = await execa(tools.java, [`-Djava.io.tmpdir=${javaTmp}`, '-cp', tools.jar, 'tla2sany.SANY', ...files], { cwd: dir, reject: false, timeout: TIMEOUT_MS, all: true, stdin: 'ignore' }).finally(() =>
    rmSync(javaTmp, { recursive: true, force: true }),
  );
  const output = String(r.all ?? '');
  if (r.timedOut) return left({ kind: 'failed', message: `SANY did not finish within ${TIMEOUT_MS / 1000} s` });
  if (r.failed && r.exitCode === undefined) return left({ kind: 'failed', message: `SANY could not be run: ${r.shortMessage}` });
  const report = parseSanyReport(output.split(/\r?\n/));
  const errors = report.errors.filter((e) => e.severity === 'error');
  if (errors.length > 0) return left({ kind: 'rejected', errors, output });
  if (report.files.length === 0) {
    return left({ kind: 'failed', message: `SANY printed no "Parsing file" line (exit ${r.exitCode ?? '?'}): ${output.trim().split('\n').slice(-3).join(' ').slice(0, 300)}` });
  }
  return right({ files: report.files, warnings: report.errors.filter((e) => e.severity === 'warning') });
}

/** One line per error: `Module:line:col: message`. */
export function formatSanyErrors(errors: readonly SanyError[]): string {
  return errors
    .map((e) => `${e.module ?? '?'}${e.location !== null ? `:${e.location.line}:${e.location.column}` : ''}: ${e.message.replace(/\s+/g, ' ').trim()}`)
    .join('\n');
}
