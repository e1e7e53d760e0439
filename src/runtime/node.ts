// A running node: the abstract pool's NodeMachine driven by real events —
// frames from the network, the application's input calls, timers — with
// what it publishes sent to every intended verifier over a reliable link
// (through the Outbox, which holds a statement back while a trusted third
// party's countersignature it needs is on its way). Each step is written to
// the trace before its statements leave the node.

import type { Pattern } from '../syntax/ast.js';
import type { EvalError } from '../semantics/errors.js';
import type { SuppliedCall } from '../semantics/eval.js';
import type { Enabled, NodeMachine, StepResult, InputResult } from '../semantics/node.js';
import { statementKey, type Value } from '../semantics/value.js';
import type { SourceText } from '../diagnostics/source.js';
import type { FunctionCallJson, TraceEvent, StatementJson } from '../trace/events.js';
import { valueToJson } from '../trace/value-json.js';
import type { FrameCodec, OpenedStatement, Sequenced, VectorClock } from './codec.js';
import type { Host, TimerHandle } from './host.js';
import { DEFAULT_LINK_OPTIONS, ReliableLink, type LinkOptions, type RederiveSource } from './link.js';
import { Outbox, type OutboxOptions, type PlanFor } from './outbox.js';
import { Fetcher, type FetcherOptions } from './fetcher.js';
import type { Transport } from '../transport/transport.js';
import { TimerDoubling } from './timer-doubling.js';

export interface TraceSink {
  write(e: TraceEvent): void;
  /**
   * Puts what was written on record. A sink may gather events until then;
   * the node flushes before anything it did can be seen outside (statements
   * handed to the network, a frame acknowledged) and when it has handled an
   * event.
   */
  flush?(): void;
}

export type Via = 'auto' | 'input' | 'timeout';

/** Told of every step a node takes, for run-time invariants and progress. */
export type ObservedStep = { readonly kind: 'fire'; readonly via: Via; readonly result: StepResult } | { readonly kind: 'deliver'; readonly statement: OpenedStatement };

export interface StepObserver {
  step(node: RuntimeNode, what: ObservedStep): void;
}

export interface NodeOptions {
  readonly machine: NodeMachine;
  readonly transport: Transport;
  readonly codec: FrameCodec;
  readonly host: Host;
  readonly source?: SourceText;
  /** Timer duration of a TIMEOUT transition, in ms. */
  timeoutMs(role: string, transition: string): number;
  /** The parameter of a TIMEOUT transition whose consecutive instances double its timer ([Timeouts] DOUBLING(p); none: fixed). */
  timerDoubling?(role: string, transition: string): string | undefined;
  readonly link?: LinkOptions;
  /** When a countersignature that does not come is asked for again; when skipped verifiers get a statement lazily. */
  readonly outbox?: OutboxOptions;
  /** When a record a digested item waits for is asked for again (DIGEST). */
  readonly fetcher?: FetcherOptions;
  /** The deployment's [Dissemination] plans (none: every statement unicast to each verifier). */
  readonly dissemination?: PlanFor;
  readonly trace?: TraceSink;
  readonly observer?: StepObserver;
  /** Stop the node at the first failing body instead of setting the instance aside. */
  readonly strict?: boolean;
  /** Told when a body fails (after it is logged and counted). */
  onAbort?(node: RuntimeNode, error: EvalError, location: string): void;
  /** The machine was rebuilt from this node's log (a restarted process): carry on from there. */
  readonly resume?: ResumePoint;
  /**
   * Where this node's statements are found again (its log) for a peer the
   * link did not hold them for (past [Limits] MaxBacklogPerPeer); without
   * it the link holds everything (runtime/rederive.ts).
   */
  readonly rederive?: RederiveSource;
  /** Called when the node has done all it can for now (the end of a drain, its log flushed): where a checkpoint may be taken (runtime/checkpoint.ts). */
  readonly atRest?: () => void;
}

/** An input step of an earlier incarnation, as far as a request in flight needs it. */
export interface ResumedInput {
  readonly transition: { readonly name: string };
  readonly instance: string;
  /** The step's parameters, binders and body locals, by id: its PROGRESS patterns read them. */
  readonly bound: ReadonlyMap<number, Value>;
  /** The PROGRESS patterns of what it published (none: it completed when it fired). */
  readonly progress: readonly Pattern[];
}

/** What a request in flight keeps of its fired input step. */
export function resumedInput(r: StepResult & { readonly kind: 'fired' }): ResumedInput {
  return { transition: r.transition, instance: r.instance, bound: r.bound, progress: r.drafts.flatMap((d) => (d.site.progress === undefined ? [] : [d.site.progress])) };
}

/** Where a node rebuilt from its own log picks up. */
export interface ResumePoint {
  /** The number of the last logged event, and the vector clock after it. */
  readonly events: number;
  readonly vc: VectorClock;
  /** The input steps re-done, in order: those whose PROGRESS does not hold yet are requests in flight again. */
  readonly inputs: readonly ResumedInput[];
  /** Input steps the earlier incarnations made in all (default: `inputs.length`; a checkpoint keeps only those in flight). */
  readonly inputsMade?: number;
  /** Indices of `inputs` seen answered while the log was re-done (their replies may be forgotten since). */
  readonly answered?: ReadonlySet<number>;
  /**
   * Every statement the log says this node published. Which of them reached
   * their verifiers is not logged (acks are not), so start() sends them all
   * again; receivers absorb duplicates.
   */
  readonly published: readonly OpenedStatement[];
}

export interface NodeStats {
  fired: number;
  inputs: number;
  timeouts: number;
  aborted: number;
  delivered: number;
  duplicates: number;
  /** Statements that arrived when the node could forget them already (issue 23): a late copy of one it forgot, absorbed, never learned again. */
  absorbed: number;
  published: number;
  /** (statement, verifier) pairs handed on for sending: to the link, or held until a countersignature they need comes. */
  statementsSent: number;
  /** Firings per transition. */
  readonly firedBy: Record<string, number>;
}

/** A request in flight: an input step whose PROGRESS pattern has not matched yet. */
interface Outstanding {
  readonly label: string;
  readonly started: number;
  readonly progress: readonly { readonly pattern: Pattern; readonly bound: ReadonlyMap<number, Value> }[];
  readonly input: ResumedInput;
}

export interface Completion {
  readonly label: string;
  readonly latencyMs: number;
}

export class RuntimeNode {
  readonly stats: NodeStats = { fired: 0, inputs: 0, timeouts: 0, aborted: 0, delivered: 0, duplicates: 0, absorbed: 0, published: 0, statementsSent: 0, firedBy: {} };
  readonly link: ReliableLink;
  readonly outbox: Outbox;
  readonly fetcher: Fetcher;
  private readonly vc: Record<string, number> = {};
  private readonly timers = new Map<string, TimerHandle>();
  private readonly doubling = new TimerDoubling();
  private outstanding: Outstanding[] = [];
  private readonly completions: Completion[] = [];
  private events = 0;
  private stopped = false;
  /** Calls of functions left to the program since the last step logged, for the next fire or abort. */
  private calls: FunctionCallJson[] = [];
  /** Name and arguments of every call already logged: a function gives one value per arguments. */
  private readonly callsLogged = new Set<string>();
  /** Whether the program leaves any function to its implementation: otherwise there is nothing to note. */
  private notesCalls: boolean | undefined;
  /**
   * PROGRESS checks of published statements not seen to hold yet, when the
   * node forgets: judged again just before it forgets anything, since what
   * made one hold (replies accepted) may be what it forgets next. Each
   * latches once it holds and leaves the set.
   */
  private readonly progressWatch = new Set<() => boolean>();

  constructor(private readonly opts: NodeOptions) {
    this.link = new ReliableLink(opts.transport, opts.codec, opts.host, (from, m) => this.onMessage(from, m), opts.link ?? DEFAULT_LINK_OPTIONS);
    this.outbox = new Outbox(this.name, this.link, opts.codec, opts.host, opts.outbox, opts.dissemination);
    this.fetcher = new Fetcher(this.link, opts.codec, opts.host, opts.fetcher);
    if (opts.rederive !== undefined) this.link.rederiveFrom(opts.rederive, (peer, statements) => this.outbox.resendTo(peer, statements, { ...this.vc }));
    // A carried statement this node knows is not verified again (identity: the abstract statement).
    opts.codec.knownBy?.((s) => opts.machine.knows(statementKey(s.issuer, s.verifiers, s.auditors, s.record)));
    this.vc[this.name] = 0;
    if (opts.machine.forgets) {
      opts.machine.beforeForget = (): void => {
        for (const check of [...this.progressWatch]) check();
        this.checkProgress();
      };
    }
    const r = opts.resume;
    if (r !== undefined) {
      this.events = r.events;
      Object.assign(this.vc, r.vc);
      r.inputs.forEach((step, i) => {
        if (r.answered?.has(i) !== true) this.trackInput(step);
      });
      // Requests answered before the restart were reported by the previous incarnation.
      this.completions.length = 0;
      this.outstanding = this.outstanding.filter((o) => !o.progress.every((p) => this.opts.machine.holds(p.pattern, p.bound)));
    }
  }

  get name(): string {
    return this.opts.machine.name;
  }

  get machine(): NodeMachine {
    return this.opts.machine;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Frames not acked yet plus statements held back for a countersignature: what the node still owes its peers. */
  get unsettled(): number {
    return this.link.outstanding + this.outbox.held;
  }

  get pendingRequests(): number {
    return this.outstanding.length;
  }

  /** The input steps whose PROGRESS has not come yet, oldest first (what a checkpoint keeps of them). */
  inFlight(): readonly ResumedInput[] {
    return this.outstanding.map((o) => o.input);
  }

  /** The number of the last event logged, and the clock after it. */
  position(): { readonly events: number; readonly vc: VectorClock } {
    return { events: this.events, vc: { ...this.vc } };
  }

  /**
   * A checkpoint was taken: the log before it may go, so each function call
   * is noted again the next time it is made (replay reads a call's value
   * from the events it keeps).
   */
  noteCallsAfresh(): void {
    this.callsLogged.clear();
  }

  /** Completed requests since the last call. */
  takeCompletions(): Completion[] {
    return this.completions.splice(0, this.completions.length);
  }

  /** Labels of requests still waiting for their PROGRESS, with when they started. */
  waiting(): readonly { label: string; started: number }[] {
    return this.outstanding.map((o) => ({ label: o.label, started: o.started }));
  }

  /** Fires anything enabled once the node is up (guard-only transitions). */
  start(): void {
    if (this.opts.resume !== undefined) this.resend(this.opts.resume.published);
    this.drain();
  }

  /** The application asks for an input transition. */
  input(transition: string, params: readonly Value[]): InputResult {
    if (this.stopped) return { kind: 'refused', why: 'invalid', reason: `${this.name} is stopped` };
    const r = this.recordingCalls(() => this.opts.machine.input(transition, params));
    if (r.kind === 'refused') return r;
    this.stats.inputs++;
    this.afterStep(r, 'input');
    if (r.kind === 'fired') this.track(r);
    this.drain();
    return r;
  }

  /** A fired input becomes a request in flight until its PROGRESS patterns match. */
  private track(r: StepResult & { readonly kind: 'fired' }): void {
    this.trackInput(resumedInput(r));
  }

  private trackInput(input: ResumedInput): void {
    const progress = input.progress.map((pattern) => ({ pattern, bound: input.bound }));
    const label = `${this.name}:${input.instance}`;
    const o: Outstanding = { label, started: this.opts.host.now(), progress, input };
    // An input that publishes nothing with PROGRESS completes when it fires.
    if (progress.length === 0) this.completions.push({ label, latencyMs: 0 });
    else this.outstanding.push(o);
  }

  private resend(published: readonly OpenedStatement[]): void {
    // Countersignatures are not logged: the outbox asks for them again. At
    // position 0: a peer the link cannot hold them for gets them re-derived
    // from the oldest the log and its checkpoint hold.
    this.outbox.publish(published, { ...this.vc }, [], 0);
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.outbox.close();
    this.fetcher.close();
    this.link.close();
    this.emit({ k: 'stop', n: ++this.events, reason });
    this.commit();
    void this.opts.transport.close();
  }

  private onMessage(from: string, m: Sequenced): void {
    switch (m.kind) {
      case 'data': {
        const learned = this.receive(from, m.statements, m.vc);
        // Digested items held earlier (DIGEST) and complete now, each from the frame that brought it.
        for (const r of m.resolved ?? []) for (const s of this.receive(r.from, r.statements, r.vc)) learned.add(s);
        if (m.fetch !== undefined && !this.stopped) this.fetcher.want(m.fetch);
        // Passed on once, when this node learns them (a retransmitted frame is
        // not relayed again), and before this node acts on them: the others
        // are waiting. Its clock then covers their publication.
        const relays = m.relays?.filter((r) => learned.has(r.out.statement));
        if (relays !== undefined && relays.length > 0 && !this.stopped) {
          this.commit();
          this.outbox.forward(relays, { ...this.vc });
        }
        if (learned.size > 0 && !this.stopped) {
          this.checkProgress();
          this.drain();
        }
        // Before the link acknowledges the frame: what was delivered is on record.
        this.commit();
        return;
      }
      case 'countersign-reply':
        return this.outbox.countersigned(m.countersigned);
      case 'countersign-request':
        // A principal countersigns nothing (its codec drops such frames).
        return;
      case 'fetch':
        // A peer asks for records by digest: the codec found what this node holds.
        if (!this.stopped) this.link.send(from, { kind: 'fetched', records: m.records, unknown: m.unknown });
        return;
    }
  }

  /** Learns what arrived (duplicates are absorbed); the statements it learned. The caller then lets the node act. */
  private receive(from: string, statements: readonly OpenedStatement[], vc: VectorClock | undefined): Set<OpenedStatement> {
    const learned = new Set<OpenedStatement>();
    if (this.stopped) return learned;
    // The frame's clock is merged once, at the first statement it delivers:
    // merging it again for the next one changes nothing.
    let clock = vc;
    for (const o of statements) {
      const s = this.opts.machine.statement(o.issuer, o.verifiers, o.auditors, o.record);
      // No closure per statement when there are no calls to note (recordingCalls would only call it).
      const r = this.notingCalls() ? this.recordingCalls(() => this.opts.machine.receive(s)) : this.opts.machine.receive(s);
      if (r !== 'learned') {
        if (r === 'absorbed') this.stats.absorbed++;
        else this.stats.duplicates++;
        continue;
      }
      learned.add(o);
      this.stats.delivered++;
      if (clock !== undefined) {
        for (const k of Object.keys(clock)) this.vc[k] = Math.max(this.vc[k] ?? 0, clock[k]!);
        clock = undefined;
      }
      const n = ++this.events;
      // Without a trace the event is not built: only the clock moves.
      if (this.opts.trace === undefined) this.advance();
      else this.emit({ k: 'deliver', n, s: statementJson(o), from, vc: this.tick() });
      this.opts.observer?.step(this, { kind: 'deliver', statement: o });
    }
    return learned;
  }

  /** Fires every enabled instance, fairly, until none is left; then arms timers. */
  private drain(): void {
    const m = this.opts.machine;
    let e: Enabled | undefined;
    const noting = this.notingCalls();
    while (!this.stopped && (e = noting ? this.recordingCalls(() => m.nextEnabled()) : m.nextEnabled()) !== undefined) {
      const enabled = e;
      this.afterStep(noting ? this.recordingCalls(() => m.fire(enabled)) : m.fire(enabled), 'auto');
    }
    if (this.stopped) return;
    this.reportProblems();
    for (const a of this.recordingCalls(() => m.takeArmable())) this.arm(a);
    this.checkProgress();
    this.commit();
    this.opts.atRest?.();
  }

  private arm(a: Enabled): void {
    if (this.timers.has(a.candidate)) return;
    const role = this.opts.machine.node.role!.name;
    const base = this.opts.timeoutMs(role, a.transition.name);
    const doubling = this.opts.timerDoubling?.(role, a.transition.name);
    const params = doubling === undefined ? [] : a.transition.decl.params.map((p) => p.name.name);
    const ms = doubling === undefined ? base : this.doubling.ms(base, a.transition.name, params, doubling, a.binding);
    this.timers.set(a.candidate, this.opts.host.setTimer(ms, () => {
      this.timers.delete(a.candidate);
      if (this.stopped) return;
      const r = this.recordingCalls(() => this.opts.machine.expire(a.transition.name, a.candidate));
      if (r !== undefined) {
        if (doubling !== undefined && r.kind === 'fired') this.doubling.fire(a.transition.name, params, doubling, r.binding);
        this.stats.timeouts++;
        this.afterStep(r, 'timeout');
      }
      this.drain();
    }));
  }

  private afterStep(r: StepResult, via: Via): void {
    if (r.kind === 'aborted') {
      this.stats.aborted++;
      const at = this.location(r.error.span.start);
      this.emit({
        k: 'abort', n: ++this.events, t: r.transition.name, via, inst: r.instance, b: binding(r.binding),
        code: r.error.code, message: r.error.message, at, vc: this.tick(), ...this.takeCalls(),
      });
      this.opts.onAbort?.(this, r.error, at);
      this.opts.observer?.step(this, { kind: 'fire', via, result: r });
      // MOM702 is thrown only under `--assertions stop`: a violation stops the node.
      if (this.opts.strict === true || r.error.code === 'MOM702') this.stop(`${r.error.code === 'MOM702' ? 'assertion' : 'strict'}: ${r.error.code} in ${r.transition.name} at ${at}`);
      return;
    }
    this.stats.fired++;
    this.stats.firedBy[r.transition.name] = (this.stats.firedBy[r.transition.name] ?? 0) + 1;
    this.stats.published += r.published.length;
    const vc = this.tick();
    // The step is on record before its statements leave the node (an event is built only for a trace).
    const n = ++this.events;
    if (this.opts.trace === undefined) this.takeCalls();
    else {
      this.emit({
        k: 'fire', n, t: r.transition.name, via, inst: r.instance, b: binding(r.binding),
        ch: r.changes.map((c) => [c.name, valueToJson(c.before), valueToJson(c.after)] as const),
        pub: r.published.map(statementJson), vc, ...this.takeCalls(),
      });
    }
    this.opts.observer?.step(this, { kind: 'fire', via, result: r });
    if (r.published.length > 0) this.commit();
    // The step's log position: where the link re-derives them from if it cannot hold them for a peer that is down.
    this.stats.statementsSent += this.outbox.publish(r.published, vc, this.progressOf(r), n);
  }

  /**
   * Per published statement, whether its progress has come — what stops a
   * dissemination optimizer's escalation: its PROGRESS pattern, or where it
   * has none, this node firing again (the protocol moved on).
   */
  private progressOf(r: StepResult & { readonly kind: 'fired' }): (() => boolean)[] {
    const firedAt = this.stats.fired;
    return r.drafts.map((d) => {
      const p = d.site.progress;
      if (p === undefined) return (): boolean => this.stats.fired > firedAt;
      if (!this.opts.machine.forgets) return (): boolean => this.opts.machine.holds(p, r.bound);
      // Latched: once its replies are accepted a client forgets them, and the pattern no longer matches.
      let seen = false;
      const check = (): boolean => {
        if (!seen && this.opts.machine.holds(p, r.bound)) {
          seen = true;
          this.progressWatch.delete(check);
        }
        return seen;
      };
      this.progressWatch.add(check);
      return check;
    });
  }

  private checkProgress(): void {
    if (this.outstanding.length === 0) return;
    const now = this.opts.host.now();
    this.outstanding = this.outstanding.filter((o) => {
      if (!o.progress.every((p) => this.opts.machine.holds(p.pattern, p.bound))) return true;
      this.completions.push({ label: o.label, latencyMs: now - o.started });
      this.outbox.progressClock.sample(now - o.started);
      return false;
    });
  }

  private reportProblems(): void {
    for (const p of this.opts.machine.takeProblems()) {
      this.stats.aborted++;
      this.opts.onAbort?.(this, p.error, this.location(p.error.span.start));
    }
  }

  private tick(): VectorClock {
    this.advance();
    return { ...this.vc };
  }

  /** This node's own entry of its clock moves on by one event. */
  private advance(): void {
    this.vc[this.name] = (this.vc[this.name] ?? 0) + 1;
  }

  /**
   * Runs `f` noting the calls of functions left to the program it makes. The
   * evaluator is shared by every node of a simulated run, so the note-taker is
   * this node's only while this node works.
   */
  private recordingCalls<T>(f: () => T): T {
    const ev = this.opts.machine.system.ev;
    if (!this.notingCalls()) return f();
    const outer = ev.onSuppliedCall;
    ev.onSuppliedCall = (c) => this.noteCall(c);
    try {
      return f();
    } finally {
      ev.onSuppliedCall = outer;
    }
  }

  /** Whether the program leaves any function to its implementation (whose calls are noted in the log). */
  private notingCalls(): boolean {
    this.notesCalls ??= [...this.opts.machine.system.ev.program.functions.values()].some((fn) => fn.body === undefined);
    return this.notesCalls;
  }

  private noteCall(c: SuppliedCall): void {
    const args = c.args.map(valueToJson);
    const key = JSON.stringify([c.name, args]);
    if (this.callsLogged.has(key)) return;
    this.callsLogged.add(key);
    this.calls.push([c.name, args, valueToJson(c.result)]);
  }

  private takeCalls(): { fn?: FunctionCallJson[] } {
    if (this.calls.length === 0) return {};
    const fn = this.calls;
    this.calls = [];
    return { fn };
  }

  private emit(e: TraceEvent): void {
    this.opts.trace?.write(e);
  }

  /** The trace's gathered events, on record now. */
  private commit(): void {
    this.opts.trace?.flush?.();
  }

  private location(offset: number): string {
    const file = this.opts.machine.system.model.program.file;
    const pos = this.opts.source?.position(offset);
    return `${file}:${pos?.line ?? 0}:${pos?.column ?? 0}`;
  }
}

export function statementJson(s: OpenedStatement): StatementJson {
  return { i: s.issuer, v: s.verifiers, a: s.auditors, r: valueToJson(s.record) };
}

function binding(b: readonly (readonly [string, Value])[]): [string, ReturnType<typeof valueToJson>][] {
  return b.map(([k, v]) => [k, valueToJson(v)]);
}
