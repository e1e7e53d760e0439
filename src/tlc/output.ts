// The parser of TLC's `-tool` output: a transcript (or a stream of it) in,
// a validated `TlcResult` (result.ts) or a `TlcOutputError` out.
//
//   const r = parseTlcOutput(stdout, exitCode);           // whole transcript
//
//   const p = new TlcOutputParser({ onEvent });           // incrementally
//   p.push(chunk); ...; const r = p.end(exitCode);
//
//   const r = await parseTlcStream(child.stdout, { exitCode: () => code });
//
// Framing (framing.ts) turns lines into nested messages keyed by their EC
// code; this module interprets the codes (codes.ts): version, SANY's report,
// progress and final statistics, success, invariant/property/deadlock/
// assertion/assumption findings with their error traces (states, actions,
// variables, lasso ends), and evaluation errors with their locations.
//
// Nothing here throws on bad input: malformed or truncated output gives a
// Left whose message is one sentence and whose `partial` holds what was read.

import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import { CONFIG_ERROR_CODES, EVALUATION_ERROR_CODES, MSG, MSG_CLASS } from './codes.js';
import { tlcExitStatus } from './exit-status.js';
import { Framer, trimTrailingBlank, type FrameEvent, type TlcMessage } from './framing.js';
import {
  tlcResultCodec,
  type Finding,
  type Lasso,
  type Progress,
  type StepAction,
  type TlcOutputError,
  type TlcResult,
  type TlcVerdict,
  type TlcVersion,
  type TraceState,
} from './result.js';
import { parseSanyReport } from './sany-output.js';
import { allCodes, exceptionDetail, locations, MAX_LINE, messageText, num, parseStepAction, parseVariables, RE } from './output-lines.js';
import { parseTlcVersion } from './version.js';

export type TlcEvent =
  /** Every top-level message, when it closes. */
  | { readonly kind: 'message'; readonly code: number; readonly cls: number; readonly text: string }
  | { readonly kind: 'progress'; readonly progress: Progress }
  /** A raw line of the spec's Print/PrintT output. */
  | { readonly kind: 'print'; readonly line: string };

export interface TlcOutputOptions {
  readonly onEvent?: (e: TlcEvent) => void;
  /**
   * Keep only the first finding of each kind and name, with its trace, and
   * count the others. With -continue TLC prints a trace for every violating
   * state; holding them all can exhaust memory. Off by default, so a
   * transcript reads back whole.
   */
  readonly firstFindingOnly?: boolean;
}

/** Error-class messages kept in `errors`; later ones are counted in `repeatedFindings` or dropped. */
export const MAX_ERROR_MESSAGES = 100;

/** What makes two findings the same for `firstFindingOnly`. */
function findingKey(f: Finding): string {
  switch (f.kind) {
    case 'invariant':
      return `invariant:${f.name}`;
    case 'property':
      return `property:${[...f.names].sort().join(',')}`;
    case 'assumption':
      return `assumption:${f.name ?? ''}`;
    default:
      return f.kind;
  }
}

interface MutableTrace {
  states: TraceState[];
  lasso: Lasso | null;
}

export class TlcOutputParser {
  private readonly framer: Framer;
  private readonly onEvent: ((e: TlcEvent) => void) | undefined;
  private pending = '';
  private firstLine: string | null = null;
  private problem: string | null = null;

  private version: TlcVersion | null = null;
  private mode: string | null = null;
  private sanyPhase: 'before' | 'in' | 'after' = 'before';
  private readonly sanyOutput: string[] = [];
  private parseFailed = false;
  private configError = false;
  private success = false;
  private finished = false;
  private readonly findings: Finding[] = [];
  private readonly errors: { code: number; text: string }[] = [];
  private readonly warnings: { code: number; text: string }[] = [];
  private initialStates: TlcResult['initialStates'] = null;
  private readonly progress: Progress[] = [];
  private stats: { generated: number; distinct: number; queue: number | null } | null = null;
  private depth: number | null = null;
  private collision: TlcResult['collisionProbability'] = null;
  private readonly prints: string[] = [];
  private durationMs: number | null = null;
  private trace: MutableTrace | null = null;
  private orphanTrace: MutableTrace | null = null;
  private readonly firstFindingOnly: boolean;
  private readonly findingKeys = new Set<string>();
  private repeatedFindings = 0;
  /** The current finding repeats an earlier one: its trace is read and thrown away. */
  private discarding = false;

  constructor(options: TlcOutputOptions = {}) {
    this.onEvent = options.onEvent;
    this.firstFindingOnly = options.firstFindingOnly === true;
    this.framer = new Framer((e) => this.frame(e));
  }

  /** A chunk of output; lines may be split across chunks. */
  push(chunk: string): void {
    const data = this.pending + chunk;
    let start = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
      this.pushLine(data.slice(start, nl));
      start = nl + 1;
    }
    let rest = data.slice(start);
    while (rest.length > MAX_LINE) {
      this.pushLine(rest.slice(0, MAX_LINE));
      rest = rest.slice(MAX_LINE);
    }
    this.pending = rest;
  }

  /** One line, with or without its terminator. */
  pushLine(line: string): void {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (this.firstLine === null && l.trim() !== '') this.firstLine = l;
    this.framer.line(l);
  }

  /** What has been understood so far (for a run that is still going, or was stopped). */
  snapshot(exitCode?: number): TlcResult {
    const statistics =
      this.stats === null ? null : { generated: this.stats.generated, distinct: this.stats.distinct, queue: this.stats.queue, depth: this.depth };
    return {
      verdict: this.verdict(),
      version: this.version,
      mode: this.mode,
      sany: { ...parseSanyReport(this.sanyOutput), output: [...this.sanyOutput] },
      findings: structuredClone(this.findings),
      repeatedFindings: this.repeatedFindings,
      errors: [...this.errors],
      warnings: [...this.warnings],
      initialStates: this.initialStates,
      progress: [...this.progress],
      statistics,
      collisionProbability: this.collision,
      prints: [...this.prints],
      durationMs: this.durationMs,
      exit: exitCode === undefined ? null : tlcExitStatus(exitCode),
    };
  }

  /** Ends the input. `exitCode` is TLC's, when known. */
  end(exitCode?: number): Either<TlcOutputError, TlcResult> {
    if (this.pending !== '') {
      this.pushLine(this.pending);
      this.pending = '';
    }
    const framing = this.framer.finish();
    this.claimOrphanTrace();
    const partial = this.snapshot(exitCode);
    const stopped = exitCode === undefined ? '' : this.stoppedBy(exitCode);
    if (this.framer.messageCount === 0 && framing === null) {
      if (this.firstLine === null) return left({ kind: 'empty', message: `TLC printed nothing${stopped}`, partial: null });
      return left({
        kind: 'not-tlc',
        message: `this is not TLC's -tool output: it has no @!@!@STARTMSG messages (it starts with '${this.firstLine.slice(0, 100)}')`,
        partial: null,
      });
    }
    if (framing !== null) return left({ kind: framing.kind, message: framing.message + stopped, partial });
    if (this.problem !== null) return left({ kind: 'malformed', message: this.problem, partial });
    const stoppedEarly = partial.verdict === 'error' || partial.verdict === 'config-error' || partial.verdict === 'parse-error';
    if (!this.finished && !stoppedEarly) {
      return left({
        kind: 'truncated',
        message: `TLC's output ends before TLC finished (there is no "Finished in" message)${stopped || '; TLC was probably stopped or crashed'}`,
        partial,
      });
    }
    const valid = tlcResultCodec.decode(partial);
    if (isLeft(valid)) {
      return left({ kind: 'invalid', message: 'the TLC output parser built a result that does not match its own schema (a bug in mommie)', partial: null });
    }
    return right(valid.right);
  }

  /**
   * A trace no finding claimed is kept as an `unnamed` finding, never
   * dropped: distributed TLC's server prints its workers' errors as a bare
   * trace, and a run that printed a counterexample must not read as clean.
   */
  private claimOrphanTrace(): void {
    const t = this.orphanTrace;
    this.orphanTrace = null;
    if (t === null || this.discarding || t.states.length === 0) return;
    this.findings.push({ kind: 'unnamed', message: 'TLC printed an error trace without saying what it violates', trace: t });
  }

  private stoppedBy(exitCode: number): string {
    const s = tlcExitStatus(exitCode);
    return s.kind === 'signal' ? `; ${s.meaning}` : '';
  }

  private verdict(): TlcVerdict {
    if (this.parseFailed) return 'parse-error';
    if (this.configError) return 'config-error';
    if (this.findings.some((f) => f.kind !== 'evaluation-error')) return 'violation';
    if (this.findings.length > 0) return 'evaluation-error';
    if (this.errors.length > 0) return 'error';
    if (this.success) return 'success';
    return 'no-verdict';
  }

  private fail(message: string): void {
    if (this.problem === null) this.problem = message;
  }

  private frame(e: FrameEvent): void {
    if (e.type === 'text') {
      this.text(e.line);
      return;
    }
    const m = e.message;
    const text = messageText(m);
    this.message(m, text);
    this.onEvent?.({ kind: 'message', code: m.code, cls: m.cls, text });
  }

  private text(line: string): void {
    if (this.sanyPhase === 'in') {
      this.sanyOutput.push(line);
      return;
    }
    if (line.trim() === '') return;
    this.prints.push(line);
    this.onEvent?.({ kind: 'print', line });
  }

  private newFinding(f: Finding): void {
    this.trace = null;
    const key = findingKey(f);
    this.discarding = this.firstFindingOnly && this.findingKeys.has(key);
    if (this.discarding) {
      this.repeatedFindings++;
      this.orphanTrace = null;
      return;
    }
    this.findingKeys.add(key);
    this.findings.push(f);
    if (this.orphanTrace !== null && 'trace' in f && f.trace === null) {
      (f as { trace: MutableTrace | null }).trace = this.orphanTrace;
      this.trace = this.orphanTrace;
      this.orphanTrace = null;
    }
  }

  /** Starts a trace for the latest finding that can have one and has none yet. */
  private startTrace(): MutableTrace {
    const t: MutableTrace = { states: [], lasso: null };
    const last = this.findings[this.findings.length - 1];
    if (this.discarding) {
      // A repeated finding's trace: parsed (so malformed output is still caught), then dropped.
    } else if (last !== undefined && 'trace' in last && last.trace === null) {
      (last as { trace: MutableTrace | null }).trace = t;
    } else {
      this.orphanTrace = t;
    }
    this.trace = t;
    return t;
  }

  private state(m: TlcMessage): void {
    const lines = trimTrailingBlank(m.lines);
    const header = lines[0] ?? '';
    const t = this.trace ?? this.startTrace();
    if (m.code === MSG.TLC_STATE_PRINT3) {
      const s = RE.stuttering.exec(header);
      if (s === null) return this.fail(`a stuttering step of the error trace has no number: '${header.slice(0, 80)}'`);
      t.lasso = { kind: 'stuttering', state: Number(s[1]) };
      return;
    }
    if (m.code === MSG.TLC_BACK_TO_STATE) {
      const b = RE.backTo.exec(header.trim());
      if (b === null) return this.fail(`a "Back to state" message does not name a state: '${header.slice(0, 80)}'`);
      t.lasso = { kind: 'back-to-state', state: Number(b[1]), action: b[2] === undefined ? null : parseStepAction(b[2]) };
      return;
    }
    const h = RE.stateHeader.exec(header);
    // TLC_STATE_PRINT1 is "N:" followed by the state, without an action.
    const h1 = h ?? /^(\d+):$/.exec(header);
    if (h1 === null) return this.fail(`a state of the error trace does not start with its number: '${header.slice(0, 80)}'`);
    const vars = parseVariables(lines.slice(1));
    if (isLeft(vars)) return this.fail(vars.left);
    const action: StepAction = h === null ? { kind: 'other', raw: '' } : parseStepAction(h[2]!);
    t.states.push({ number: Number(h1[1]), action, variables: vars.right });
  }

  /** A state printed inside a violation message (violated by the initial state). */
  private initialTrace(lines: readonly string[]): MutableTrace | null {
    const vars = parseVariables(lines);
    if (isLeft(vars)) {
      this.fail(vars.left);
      return null;
    }
    if (vars.right.length === 0) return null;
    return { states: [{ number: 1, action: { kind: 'initial' }, variables: vars.right }], lasso: null };
  }

  private message(m: TlcMessage, text: string): void {
    const first = text.split('\n', 1)[0] ?? '';
    const rest = text.split('\n').slice(1);
    if ((m.cls === MSG_CLASS.ERROR || m.cls === MSG_CLASS.TLCBUG) && !TRACE_FRAMING.has(m.code) && this.errors.length < MAX_ERROR_MESSAGES) this.errors.push({ code: m.code, text });
    if (m.cls === MSG_CLASS.WARNING && this.warnings.length < MAX_ERROR_MESSAGES) this.warnings.push({ code: m.code, text });

    switch (m.code) {
      case MSG.TLC_VERSION: {
        this.version = parseTlcVersion(first) ?? { raw: first.trim(), version: first.trim(), revision: null };
        return;
      }
      case MSG.TLC_MODE_MC:
      case MSG.TLC_MODE_SIMU:
        this.mode = first;
        return;
      case MSG.TLC_SANY_START:
        this.sanyPhase = 'in';
        return;
      case MSG.TLC_SANY_END:
        this.sanyPhase = 'after';
        return;
      case MSG.TLC_PARSING_FAILED:
      case MSG.TLC_PARSING_FAILED2:
        this.parseFailed = true;
        return;
      case MSG.TLC_INIT_GENERATED1: {
        const a = RE.init1.exec(first);
        const d = num(a?.[1]);
        if (d !== null) this.initialStates = { generated: null, distinct: d };
        return;
      }
      case MSG.TLC_INIT_GENERATED2: {
        const a = RE.init2.exec(first);
        const g = num(a?.[1]);
        const d = num(a?.[2]);
        if (d !== null) this.initialStates = { generated: g, distinct: d };
        return;
      }
      case MSG.TLC_PROGRESS_STATS: {
        const p = RE.progress.exec(first);
        const generated = num(p?.[3]);
        const depth = num(p?.[1]);
        if (p === null || generated === null || depth === null) return this.fail(`a progress message does not read as TLC's: '${first.slice(0, 120)}'`);
        const progress: Progress = {
          depth,
          at: p[2]!,
          generated,
          generatedPerMinute: num(p[4]),
          distinct: num(p[5]),
          distinctPerMinute: num(p[6]),
          queue: num(p[7]),
        };
        this.progress.push(progress);
        this.onEvent?.({ kind: 'progress', progress });
        return;
      }
      case MSG.TLC_STATS: {
        const s = RE.stats.exec(first);
        const g = num(s?.[1]);
        const d = num(s?.[2]);
        if (g === null || d === null) return this.fail(`the final statistics do not read as TLC's: '${first.slice(0, 120)}'`);
        this.stats = { generated: g, distinct: d, queue: num(s?.[3]) };
        return;
      }
      case MSG.TLC_SEARCH_DEPTH: {
        const d = RE.depth.exec(first);
        if (d !== null) this.depth = Number(d[1]);
        return;
      }
      case MSG.TLC_SUCCESS: {
        this.success = true;
        const c = RE.calculated.exec(text);
        const a = RE.actual.exec(text);
        const calculated = c === null ? NaN : Number(c[1]);
        if (!Number.isNaN(calculated)) {
          const actual = a === null ? null : Number(a[1]);
          this.collision = { calculated, actual: actual === null || Number.isNaN(actual) ? null : actual };
        }
        return;
      }
      case MSG.TLC_FINISHED: {
        this.finished = true;
        const f = RE.finished.exec(first);
        if (f !== null) this.durationMs = Number(f[1]);
        return;
      }
      case MSG.TLC_INVARIANT_VIOLATED_BEHAVIOR:
      case MSG.TLC_INVARIANT_VIOLATED_INITIAL: {
        const v = RE.invariant.exec(first);
        const initial = m.code === MSG.TLC_INVARIANT_VIOLATED_INITIAL;
        this.newFinding({ kind: 'invariant', name: v?.[1] ?? '', initial, message: first, trace: null });
        if (initial) this.attachInitial(rest);
        return;
      }
      case MSG.TLC_PROPERTY_VIOLATED_INITIAL: {
        const v = RE.property.exec(first);
        this.newFinding({ kind: 'property', names: v === null ? [] : [v[1]!], temporal: true, initial: true, message: first, trace: null });
        this.attachInitial(rest);
        return;
      }
      case MSG.TLC_ACTION_PROPERTY_VIOLATED_BEHAVIOR: {
        const v = RE.actionProperty.exec(first);
        this.newFinding({ kind: 'property', names: v === null ? [] : [v[1]!], temporal: false, initial: false, message: first, trace: null });
        return;
      }
      case MSG.TLC_TEMPORAL_PROPERTY_VIOLATED: {
        const v = RE.temporal.exec(first);
        const names = v === null ? [] : v[1]!.split(/,\s*(?:and\s+)?|\s+and\s+/).filter((n) => n !== '');
        this.newFinding({ kind: 'property', names, temporal: true, initial: false, message: first, trace: null });
        return;
      }
      case MSG.TLC_DEADLOCK_REACHED:
        this.newFinding({ kind: 'deadlock', message: first, trace: null });
        return;
      case MSG.TLC_VALUE_ASSERT_FAILED:
        this.newFinding({ kind: 'assertion', assertion: rest.join('\n').trim(), message: text, location: locations(text, RE.locTlc)[0] ?? null, nested: [], trace: null });
        return;
      case MSG.TLC_ASSUMPTION_FALSE:
      case MSG.TLC_POSTCONDITION_FALSE: {
        const a = RE.assumption.exec(first) ?? RE.postcondition.exec(first);
        this.newFinding({ kind: 'assumption', name: a?.[1] ?? null, evaluationFailed: false, message: text });
        return;
      }
      case MSG.TLC_ASSUMPTION_EVALUATION_ERROR:
      case MSG.TLC_POSTCONDITION_EVALUATION_ERROR: {
        const a = RE.assumptionEval.exec(first) ?? RE.postcondition.exec(first);
        this.newFinding({ kind: 'assumption', name: a?.[1] ?? null, evaluationFailed: true, message: text });
        return;
      }
      case MSG.TLC_BEHAVIOR_UP_TO_THIS_POINT:
      case MSG.TLC_COUNTER_EXAMPLE:
        this.startTrace();
        return;
      case MSG.TLC_STATE_PRINT1:
      case MSG.TLC_STATE_PRINT2:
      case MSG.TLC_STATE_PRINT3:
      case MSG.TLC_BACK_TO_STATE:
        this.state(m);
        return;
      case MSG.TLC_NESTED_EXPRESSION: {
        const nested = locations(text, RE.locNested);
        const last = this.findings[this.findings.length - 1];
        if (last !== undefined && (last.kind === 'evaluation-error' || last.kind === 'assertion') && last.nested.length === 0) {
          last.nested = nested;
          if (last.location === null) last.location = nested[nested.length - 1] ?? null;
        } else {
          this.newFinding({ kind: 'evaluation-error', code: m.code, message: text, location: nested[nested.length - 1] ?? null, nested, trace: null });
        }
        return;
      }
    }
    if (allCodes(m).some((c) => CONFIG_ERROR_CODES.has(c))) {
      this.configError = true;
      return;
    }
    if (EVALUATION_ERROR_CODES.has(m.code)) {
      const detail = exceptionDetail(text);
      const code = m.code === MSG.GENERAL ? (m.children[0]?.code ?? m.code) : m.code;
      this.newFinding({ kind: 'evaluation-error', code, message: detail, location: locations(detail, RE.locTlc)[0] ?? null, nested: [], trace: null });
    }
  }

  private attachInitial(lines: readonly string[]): void {
    const t = this.initialTrace(lines);
    if (this.discarding) return;
    const last = this.findings[this.findings.length - 1];
    if (t !== null && last !== undefined && 'trace' in last) (last as { trace: MutableTrace | null }).trace = t;
  }
}

/** Messages that only frame a trace; they are not errors of their own. */
const TRACE_FRAMING: ReadonlySet<number> = new Set([MSG.TLC_BEHAVIOR_UP_TO_THIS_POINT, MSG.TLC_COUNTER_EXAMPLE, MSG.TLC_ERROR_STATE]);

/** Parses a whole transcript of `tlc2.TLC -tool` (stdout). */
export function parseTlcOutput(text: string, exitCode?: number): Either<TlcOutputError, TlcResult> {
  const p = new TlcOutputParser();
  p.push(text);
  return p.end(exitCode);
}

/**
 * Parses TLC's stdout as it arrives. `exitCode` is asked for once the stream
 * ends (pass a function that awaits the process). Events arrive through
 * `onEvent` while TLC runs.
 */
export async function parseTlcStream(
  stream: AsyncIterable<string | Uint8Array>,
  options: TlcOutputOptions & { readonly exitCode?: () => Promise<number | undefined> | number | undefined } = {},
): Promise<Either<TlcOutputError, TlcResult>> {
  const p = new TlcOutputParser(options);
  const decoder = new TextDecoder('utf-8');
  let readError: string | undefined;
  try {
    for await (const chunk of stream) {
      p.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    }
    p.push(decoder.decode());
  } catch (e) {
    readError = e instanceof Error ? e.message : String(e);
  }
  const code = options.exitCode === undefined ? undefined : await options.exitCode();
  const r = p.end(code);
  if (readError === undefined) return r;
  return left({ kind: 'truncated', message: `reading TLC's output failed: ${readError}`, partial: isLeft(r) ? r.left.partial : r.right });
}
