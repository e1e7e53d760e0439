// From one tlapm run's messages to per-obligation results.
//
// tlapm announces every obligation (`to be proved`), says how many there are,
// then reports each backend's attempt as it ends: with the default method an
// obligation Z3 cannot prove goes to Zenon, then to Isabelle, each answer a
// message of its own. So an obligation's final status is only known from all
// of its messages: proved (or trivial) as soon as one backend proves it,
// failed when tlapm is done with it and none did.

import { locationOf, messageText, type ObligationMessage, type ToolboxMessage } from './messages.js';
import type { Attempt, FailureKind, ObligationResult, ObligationStatus, ProveProblem } from './result.js';

interface Pending {
  readonly id: number;
  span: ObligationMessage['span'];
  last: ObligationMessage['status'];
  readonly attempts: Attempt[];
  obligation: string | null;
}

/** `Executable "isabelle" not found in this PATH: ...` → `isabelle is not installed`. */
export function shortReason(reason: string | null): string | null {
  if (reason === null) return null;
  const m = /Executable "([^"]+)" not found/.exec(reason);
  if (m !== null) return `${m[1]} is not installed`;
  return reason.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Why an obligation every backend failed on failed. A backend that is not
 * installed never ran, so it neither refutes nor times out; a timeout means
 * the backend gave up for lack of time, not that the obligation is false.
 */
export function failureKind(attempts: readonly Attempt[]): FailureKind {
  const ran = attempts.filter((a) => a.status === 'failed' && !/ is not installed$/.test(a.reason ?? ''));
  if (ran.length === 0) return 'other';
  // Z3 also reports `internal timeout` (its own limit within tlapm's).
  if (ran.every((a) => /\btimeout$/.test(a.reason ?? ''))) return 'timeout';
  if (ran.some((a) => a.reason === 'false')) return 'refuted';
  return 'other';
}

export class ObligationCollector {
  private readonly byId = new Map<number, Pending>();
  private readonly order: number[] = [];
  private expected: number | null = null;
  private readonly problems: ProveProblem[] = [];
  private readonly malformed: string[] = [];

  constructor(private readonly file: string) {}

  add(m: ToolboxMessage): void {
    switch (m.kind) {
      case 'obligation':
        this.obligation(m);
        return;
      case 'count':
        this.expected = m.count;
        return;
      case 'warning':
      case 'error': {
        const loc = locationOf(m.message);
        // tlapm reports parse and semantic errors as warnings; a warning with a
        // location that ends the run (exit status 3) is an error, which the
        // runner decides. Here a message is what tlapm said.
        const p: ProveProblem = { severity: m.kind === 'error' ? 'error' : 'warning', message: messageText(m.message) || m.message.trim(), location: loc };
        // tlapm repeats a parse error once more as it gives up.
        if (!this.problems.some((q) => JSON.stringify(q) === JSON.stringify(p))) this.problems.push(p);
        return;
      }
      case 'malformed':
        this.malformed.push(`${m.type || 'untyped'} message: ${m.why}`);
        return;
      case 'provers':
      case 'other':
        return;
    }
  }

  private obligation(m: ObligationMessage): void {
    let p = this.byId.get(m.id);
    if (p === undefined) {
      p = { id: m.id, span: m.span, last: m.status, attempts: [], obligation: null };
      this.byId.set(m.id, p);
      this.order.push(m.id);
    }
    p.span = m.span;
    p.last = m.status;
    if (m.obligation !== null && p.obligation === null) p.obligation = m.obligation;
    if (m.status === 'proved' || m.status === 'failed' || m.status === 'interrupted' || m.status === 'trivial') {
      p.attempts.push({ prover: m.prover ?? 'unknown', status: m.status, seconds: m.seconds, reason: shortReason(m.reason), cached: m.cached });
    }
  }

  /** Obligations tlapm announced so far, and how many have a final answer. */
  progress(): { readonly expected: number | null; readonly seen: number } {
    return { expected: this.expected, seen: this.order.length };
  }

  /** Messages that did not decode: tlapm's output is not what this parser knows. */
  malformedMessages(): readonly string[] {
    return this.malformed;
  }

  expectedCount(): number | null {
    return this.expected;
  }

  problemsSoFar(): readonly ProveProblem[] {
    return this.problems;
  }

  /** The results, once the run is over; `interrupted` says whether it was stopped from outside. */
  results(interrupted: boolean): ObligationResult[] {
    return this.order.map((id) => finalResult(this.byId.get(id)!, this.file, interrupted));
  }
}

function finalResult(p: Pending, file: string, interrupted: boolean): ObligationResult {
  const proved = p.attempts.find((a) => a.status === 'proved' || a.status === 'trivial');
  const location = { file, line: p.span.line, column: p.span.column, endLine: p.span.endLine, endColumn: p.span.endColumn };
  if (proved !== undefined) {
    return {
      id: p.id,
      location,
      status: proved.status === 'trivial' ? 'trivial' : 'proved',
      prover: proved.prover,
      seconds: proved.seconds,
      cached: proved.cached,
      attempts: p.attempts,
      failure: null,
      obligation: null,
      about: null,
      omission: null,
    };
  }
  // A backend still at work when the run ended: not failed, stopped.
  const stopped = p.last === 'being proved' || p.last === 'to be proved';
  let status: ObligationStatus;
  if (p.last === 'omitted') status = 'omitted';
  else if (stopped) status = interrupted ? 'interrupted' : 'unfinished';
  else if (p.attempts.some((a) => a.status === 'failed')) status = 'failed';
  else status = 'interrupted';
  const times = p.attempts.map((a) => a.seconds).filter((s): s is number => s !== null);
  const last = p.attempts[p.attempts.length - 1];
  return {
    id: p.id,
    location,
    status,
    prover: last?.prover ?? null,
    seconds: times.length > 0 ? Math.round(times.reduce((a, b) => a + b, 0) * 10) / 10 : null,
    cached: p.attempts.length > 0 && p.attempts.every((a) => a.cached),
    attempts: p.attempts,
    failure: status === 'failed' ? failureKind(p.attempts) : null,
    obligation: p.obligation,
    about: null,
    // A tlapm that reports omitted steps says only that the step is omitted.
    omission: status === 'omitted' ? 'omitted' : null,
  };
}
