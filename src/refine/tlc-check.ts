// What every TLC run of `mommie refine` shares: the options, running TLC
// with the state and time limits, and reading what it found — which
// property a finding violated, and the outcome of each invariant and
// property a check names (held, violated, or not checked and why).

import { isLeft } from 'fp-ts/lib/Either.js';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import type { Finding, TlcResult } from '../tlc/result.js';
import { runTlcProcess, type TlcTools } from '../tlc/run.js';
import type { CoverageCollector } from './coverage.js';
import type { PropertyOutcome, RefineCheck } from './result.js';

export interface RefineOptions {
  readonly program: CheckedProgram;
  readonly source: SourceText | undefined;
  readonly deployment: CheckedDeployment;
  readonly tools: TlcTools;
  /** Only these models (default: every model of the program). */
  readonly models?: readonly string[];
  /** Skip the module-level checks (the composed models only). */
  readonly composedOnly?: boolean;
  /** Skip the composed models (the module-level checks only). */
  readonly modulesOnly?: boolean;
  /** Stop a composed model past this many distinct states (default 2,000,000). */
  readonly maxStates?: number;
  /** Stop any one TLC run after this long (default 600 s). */
  readonly timeoutMs?: number;
  readonly workers?: number;
  readonly onProgress?: (line: string) => void;
  readonly isInterrupted?: () => boolean;
}

export const DEFAULT_MAX_STATES = 2_000_000;
export const DEFAULT_TIMEOUT_MS = 600_000;

/** The TLC version the first run printed. */
export interface Versions {
  tlc: string | null;
}

export interface TlcOutcome {
  readonly result?: TlcResult;
  readonly error?: string;
  readonly stoppedAt?: { distinct: number; depth: number; reason: 'states' | 'time' | 'interrupted' };
  readonly seconds: number;
}

export async function runTlc(opts: RefineOptions, seen: Versions, cwd: string, module: string, config: string, metadir: string, maxStates: number, coverage?: CoverageCollector): Promise<TlcOutcome> {
  const started = Date.now();
  let last = { distinct: 0, depth: 0 };
  let overLimit = false;
  const run = await runTlcProcess(opts.tools, {
    cwd,
    module,
    config,
    metadir,
    workers: opts.workers ?? 1,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(coverage !== undefined ? { coverage: true } : {}),
    onEvent: (e) => {
      coverage?.onEvent(e);
      if (e.kind !== 'progress') return;
      last = { distinct: e.progress.distinct ?? last.distinct, depth: e.progress.depth };
      if (last.distinct > maxStates) overLimit = true;
    },
    isInterrupted: () => overLimit || opts.isInterrupted?.() === true,
  });
  const seconds = (Date.now() - started) / 1000;
  if (overLimit || run.timedOut || opts.isInterrupted?.() === true) {
    return { stoppedAt: { ...last, reason: overLimit ? 'states' : run.timedOut ? 'time' : 'interrupted' }, seconds };
  }
  if (isLeft(run.parsed)) return { error: `TLC's output could not be read: ${run.parsed.left.message}${run.stderr === '' ? '' : `\n${run.stderr}`}`, seconds };
  seen.tlc ??= run.parsed.right.version?.raw ?? null;
  return { result: run.parsed.right, seconds };
}

export function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}

/** Which property a finding violated, in words. */
export function violatedOf(f: Finding, refinementLine: (message: string) => boolean): string {
  switch (f.kind) {
    case 'invariant':
      return f.name;
    case 'property':
      if (!f.temporal && refinementLine(f.message)) return 'refinement (a step that is no step of the abstract spec)';
      return f.names.length > 0 ? f.names.join(', ') : f.temporal ? 'a temporal property' : 'an action property';
    case 'deadlock':
      return 'deadlock';
    default:
      return f.kind;
  }
}

export function errorCheck(kind: 'module' | 'composed', name: string, message: string): RefineCheck {
  return { kind, name, about: '', mapping: '', bounds: '', properties: [], assumptions: [], verdict: 'error', message, expectedFailure: null, distinct: null, generated: null, depth: null, seconds: 0, violated: null, counterexample: null, suggestion: null, outcomes: [], coverage: null, warnings: [] };
}

/** The names a check's .cfg lists: invariants, the refinement property, and the temporal properties. */
export interface Checked {
  readonly invariants: readonly string[];
  /** The action property that is the refinement (`Refinement`, `AbstractSafety`). */
  readonly refinement: string;
  readonly temporal: readonly string[];
}

export function checkedOf(config: string, refinement: string): Checked {
  const names = (kw: string): string[] => config.split('\n').map((l) => new RegExp(`^${kw}\\s+(\\w+)`).exec(l.trim())?.[1]).filter((x): x is string => x !== undefined);
  return { invariants: names('INVARIANT'), refinement, temporal: names('PROPERTY').filter((p) => p !== refinement) };
}

/** How a TLC run ended, for the outcome of each invariant and property. */
export type RunEnd =
  | { readonly kind: 'complete' }
  | { readonly kind: 'violated'; readonly finding: Finding; readonly isRefinementStep: boolean }
  | { readonly kind: 'stopped'; readonly why: string };

const STOPPED_AT_VIOLATION = 'TLC stopped at the first violation';

/** Each invariant and property: held, violated, or not checked and why. */
export function outcomesOf(c: Checked, end: RunEnd): PropertyOutcome[] {
  const all = [...c.invariants, c.refinement, ...c.temporal];
  const of = (status: PropertyOutcome['status'], note: string | null) => (name: string): PropertyOutcome => ({ name, status, note });
  if (end.kind === 'complete') return all.map(of('holds', null));
  if (end.kind === 'stopped') return all.map(of('not-checked', end.why));
  const f = end.finding;
  if (f.kind === 'property' && f.temporal) {
    // The whole graph was searched before liveness (-lncheck final): the safety part holds.
    const named = f.names.length > 0 ? f.names : c.temporal.length === 1 ? c.temporal : [];
    return [
      ...[...c.invariants, c.refinement].map(of('holds', null)),
      ...c.temporal.map((p) => (named.includes(p) ? of('violated', null)(p) : of('not-checked', named.length > 0 ? 'TLC reports the first temporal property violated' : `one of ${c.temporal.join(', ')} is violated; this TLC does not say which`)(p))),
    ];
  }
  const violated = f.kind === 'invariant' ? f.name : f.kind === 'property' && end.isRefinementStep ? c.refinement : null;
  const note = violated === null ? `${STOPPED_AT_VIOLATION} (${f.kind})` : STOPPED_AT_VIOLATION;
  return all.map((n) => (n === violated ? of('violated', null)(n) : of('not-checked', c.temporal.includes(n) ? `${note}; liveness is checked after the whole search` : note)(n)));
}
