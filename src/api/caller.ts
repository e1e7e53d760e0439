// The calls of one running node (docs/api.md): `submit` checks the call
// against the node's inputs, fills the request id, fires the input step when
// its guard holds (else waits, in order, until it holds or the call times
// out), and resolves with the ANSWER value at the first step of the node
// after which the ANSWER condition holds (semantics/answer.ts). The node's
// own machinery runs the step: RuntimeNode.input, as the workload driver's.

import type { CheckedProgram } from '../analysis/program.js';
import { answerOf } from '../semantics/answer.js';
import { instanceKey } from '../semantics/instance.js';
import type { System } from '../semantics/system.js';
import type { Value } from '../semantics/value.js';
import type { Host, TimerHandle } from '../runtime/host.js';
import type { RuntimeNode } from '../runtime/node.js';
import { combination } from '../runtime/workload.js';
import { enumerate } from '../semantics/domain.js';
import { NotSentError, OutcomeUnknownError } from './errors.js';
import { callableInputs, type CallableInput } from './inputs.js';
import { toPlain, toValue, type Plain } from './values.js';

export interface SubmitOptions {
  /** How long to wait for the guard and then for the answer, in ms (virtual ms on the simulated network). */
  readonly timeoutMs?: number;
}

/** An answer to a call made by an earlier incarnation of the node (before a restart): told through `onAnswer`. */
export interface EarlierAnswer {
  readonly transition: string;
  readonly args: Readonly<Record<string, Plain>>;
  readonly value: Plain;
}

interface Call {
  readonly input: CallableInput;
  /** The application's arguments by parameter index; request ids left undefined. */
  readonly given: readonly (Value | undefined)[];
  readonly resolve: (v: Plain) => void;
  readonly reject: (e: Error) => void;
  timer?: TimerHandle;
  /** Set once the input step fired. */
  params?: readonly Value[];
  /** Told of the answer instead of a promise: a call of an earlier incarnation. */
  readonly earlier?: true;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export class Caller {
  private readonly inputs: ReadonlyMap<string, CallableInput>;
  /** Calls whose guard was false, oldest first. */
  private waiting: Call[] = [];
  /** Calls sent and not answered yet. */
  private pending: Call[] = [];
  /** The next combination of request ids to try, per input: those before it have fired. */
  private readonly cursor = new Map<string, number>();
  private retryDue = false;
  private closed = false;
  private readonly earlierListeners: ((a: EarlierAnswer) => void)[] = [];

  constructor(
    private readonly node: RuntimeNode,
    private readonly system: System,
    private readonly host: Host,
    /** Runs `f` once the node's current step is over (never inside it: a retry fires an input). */
    private readonly defer: (f: () => void) => void,
    private readonly defaultTimeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    const role = node.machine.node.role;
    this.inputs = role === undefined ? new Map() : callableInputs(system.model.program, role);
  }

  private get program(): CheckedProgram {
    return this.system.model.program;
  }

  /** The inputs the application may call (those declaring an ANSWER). */
  get callable(): readonly CallableInput[] {
    return [...this.inputs.values()].filter((i) => i.transition.answer !== undefined);
  }

  /** Whether calls are waiting or in flight. */
  get busy(): boolean {
    return this.waiting.length > 0 || this.pending.some((c) => c.earlier !== true);
  }

  /** Set when a call may have become startable or answered; cleared by `settle`. */
  get due(): boolean {
    return this.retryDue;
  }

  onAnswer(f: (a: EarlierAnswer) => void): void {
    this.earlierListeners.push(f);
  }

  /** Calls an earlier incarnation made whose answer has not come (from the log's re-done input steps); how many. */
  adoptEarlier(steps: readonly { readonly transition: { readonly name: string }; readonly bound: ReadonlyMap<number, Value> }[]): number {
    let n = 0;
    for (const s of steps) {
      const input = this.inputs.get(s.transition.name);
      if (input?.transition.answer === undefined) continue;
      const params = input.params.map((p) => s.bound.get(p.decl.name.id)!);
      const call: Call = { input, given: params, resolve: () => undefined, reject: () => undefined, params, earlier: true };
      if (this.answer(call)) continue;
      this.pending.push(call);
      n++;
    }
    return n;
  }

  submit(transition: string, args: unknown, opts: SubmitOptions = {}): Promise<Plain> {
    return new Promise<Plain>((resolve, reject) => {
      if (this.closed || this.node.isStopped) return reject(new NotSentError('stopped', `${this.node.name} is ${this.closed ? 'closed' : 'stopped'}`));
      const input = this.inputs.get(transition);
      if (input === undefined) {
        const offered = this.callable.map((i) => i.name);
        return reject(new NotSentError('unknown-transition', `${this.node.name} has no input transition ${transition}${offered.length > 0 ? ` (it offers ${offered.join(', ')})` : ' (it offers no calls: it is not a client)'}`));
      }
      if (input.transition.answer === undefined) return reject(new NotSentError('no-answer', `${transition} declares no ANSWER: a call of it would have nothing to wait for (docs/language.md, "Answers")`));
      const given = this.arguments(input, args);
      if (given instanceof NotSentError) return reject(given);
      const call: Call = { input, given, resolve, reject };
      const r = this.start(call);
      if (r instanceof NotSentError) return reject(r);
      const ms = opts.timeoutMs ?? this.defaultTimeoutMs;
      if (r === 'wait') this.waiting.push(call);
      else if (this.answer(call)) return;
      call.timer = this.host.setTimer(ms, () => this.expire(call, ms));
    });
  }

  /** The application's arguments checked against the input's parameters; request ids left undefined. */
  private arguments(input: CallableInput, args: unknown): (Value | undefined)[] | NotSentError {
    const bad = (m: string): NotSentError => new NotSentError('arguments', `${input.name}: ${m}`);
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return bad('give the arguments as an object by parameter name');
    const given = args as Record<string, unknown>;
    const names = new Set(input.params.map((p) => p.name));
    const unknown = Object.keys(given).filter((k) => !names.has(k));
    if (unknown.length > 0) return bad(`no parameter ${unknown.join(', ')} (it takes ${input.params.filter((p) => !p.requestId).map((p) => p.name).join(', ') || 'no arguments'})`);
    const out: (Value | undefined)[] = [];
    for (const p of input.params) {
      const x = given[p.name];
      if (p.requestId) {
        if (x !== undefined) return bad(`${p.name} is a request id the API fills in (the guard pins it to the node's state); leave it out`);
        out.push(undefined);
        continue;
      }
      if (x === undefined) return bad(`argument ${p.name} is missing`);
      const v = toValue(this.system.ev, x, p.domain, `argument ${p.name}`, p.decl.span);
      if (!v.ok) return bad(v.message);
      out.push(v.value);
    }
    return out;
  }

  /** Fires the call's input step with the first request ids that have not fired and whose guard holds; 'wait' when the guard holds for none. */
  private start(call: Call): 'sent' | 'wait' | NotSentError {
    const { input, given } = call;
    const ids = input.params.filter((p) => p.requestId);
    const domains = ids.map((p) => enumerate(p.domain, this.system.ev, p.decl.span));
    const total = domains.reduce((n, d) => n * d.length, 1);
    const cursorKey = `${input.name}|${given.map((v) => (v === undefined ? '_' : JSON.stringify(v))).join(',')}`;
    let k = this.cursor.get(cursorKey) ?? 0;
    let fired = true;
    for (; k < total; k++) {
      const combo = combination(domains, k);
      let j = 0;
      const params = given.map((v) => v ?? combo[j++]!);
      if (this.node.machine.hasHandled(instanceKey(input.name, params))) {
        if (fired) this.cursor.set(cursorKey, k + 1);
        continue;
      }
      const r = this.node.input(input.name, params);
      if (r.kind === 'refused') {
        if (r.why === 'invalid') return new NotSentError('arguments', r.reason);
        if (r.why === 'fired') {
          if (fired) this.cursor.set(cursorKey, k + 1);
          continue;
        }
        // A false guard: with no request id there is nothing else to try.
        fired = false;
        if (ids.length === 0) return 'wait';
        continue;
      }
      if (r.kind === 'aborted') return new NotSentError('aborted', `${input.name}'s body failed: ${r.error.code} ${r.error.message}; the step was set aside and published nothing`);
      call.params = params;
      this.pending.push(call);
      return 'sent';
    }
    if (ids.length === 0 || total === 0) return new NotSentError('fired', `${input.name}(${given.map((v) => (v === undefined ? '?' : this.system.ev.show(v))).join(', ')}) already fired: an input fires once per arguments`);
    return fired ? new NotSentError('fired', `${input.name}: every request id has been used (${total})`) : 'wait';
  }

  /** Whether `call` is answered in the node's current state; if so it is settled. */
  private answer(call: Call): boolean {
    const m = this.node.machine;
    const a = answerOf(this.system.ev, m.name, m.variables, this.system.varIndexOf(m.node.role!.name), call.input.transition, call.params!);
    if (a === undefined || !a.answered) return false;
    this.pending = this.pending.filter((c) => c !== call);
    call.timer?.cancel();
    const value = toPlain(this.program, a.value);
    if (call.earlier === true) {
      const args = Object.fromEntries(call.input.params.map((p) => [p.name, toPlain(this.program, call.params![p.index]!)]));
      for (const f of this.earlierListeners) f({ transition: call.input.name, args, value });
    } else call.resolve(value);
    return true;
  }

  /**
   * After each step of the node: the calls answered by it are answered with
   * the state it left (the first step after which the condition holds), and
   * waiting calls are tried again once the step is over.
   */
  afterStep(): void {
    for (const c of this.pending.slice()) this.answer(c);
    if (this.waiting.length > 0 && !this.retryDue) {
      this.retryDue = true;
      this.defer(() => this.settle());
    }
  }

  /** Tries the waiting calls again, oldest first, until one must still wait. */
  settle(): void {
    this.retryDue = false;
    while (this.waiting.length > 0 && !this.closed) {
      const call = this.waiting[0]!;
      const r = this.start(call);
      if (r === 'wait') return;
      this.waiting.shift();
      if (r instanceof NotSentError) {
        call.timer?.cancel();
        call.reject(r);
      } else this.answer(call);
    }
  }

  private expire(call: Call, ms: number): void {
    if (this.waiting.includes(call)) {
      this.waiting = this.waiting.filter((c) => c !== call);
      call.reject(new NotSentError('guard-timeout', `${call.input.name}: its guard did not hold within ${ms} ms; nothing was sent`));
      return;
    }
    if (!this.pending.includes(call)) return;
    this.pending = this.pending.filter((c) => c !== call);
    call.reject(new OutcomeUnknownError(`${call.input.name}: no answer within ${ms} ms; the request is in flight and may still take effect`, this.shown(call)));
  }

  private shown(call: Call): { transition: string; args: Record<string, Plain> } {
    return { transition: call.input.name, args: Object.fromEntries(call.input.params.map((p) => [p.name, toPlain(this.program, call.params![p.index]!)])) };
  }

  /** Refuses what waits and gives up on what is in flight: the node is closing. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.waiting) {
      c.timer?.cancel();
      c.reject(new NotSentError('stopped', `${this.node.name} closed before the guard of ${c.input.name} held (${reason})`));
    }
    for (const c of this.pending) {
      c.timer?.cancel();
      if (c.earlier !== true) c.reject(new OutcomeUnknownError(`${this.node.name} closed before ${c.input.name} was answered (${reason}); the request may still take effect`, this.shown(c)));
    }
    this.waiting = [];
    this.pending = [];
  }
}

