// One correct node's logged events re-done in the semantics, one at a time:
// the part of replay that needs no other node. `mommie replay` runs it for
// each log under its causal merge (which also checks that each delivery was
// published by someone); a restarted node process runs it over its own log
// to rebuild its state before it rejoins (its deliveries were authenticated
// when they arrived). Both get the same checks:
//   fire     the transition was enabled with that binding here, and its body
//            gives the same variable changes and publications;
//   abort    the body fails here, with the same code;
//   deliver  this node is a verifier, and it did not know the statement already.

import type { NodeMachine, StepResult } from '../semantics/node.js';
import type { Pattern } from '../syntax/ast.js';
import { statementKey } from '../semantics/state.js';
import { keyOf, type Value } from '../semantics/value.js';
import type { StatementJson, TraceEvent } from './events.js';
import type { Located } from './read-log.js';
import { recordFromJson, valueFromJson } from './value-json.js';

export type RerunStep =
  | { readonly ok: true; readonly published: readonly string[]; readonly result?: StepResult }
  | { readonly ok: false; readonly message: string };

export class NodeRerun {
  fires = 0;
  deliveries = 0;
  private readonly show: (v: Value) => string;

  constructor(
    readonly node: string,
    readonly machine: NodeMachine,
  ) {
    this.show = (v) => machine.system.ev.show(v);
  }

  /** Re-does one event of this node's log; `published` are the keys of the statements a fire published. */
  apply(e: TraceEvent): RerunStep {
    switch (e.k) {
      case 'start':
        return fail('a second start event');
      case 'stop':
        return { ok: true, published: [] };
      case 'byz':
        return fail(`${this.node} is not Byzantine in this run, yet it logged a Byzantine publication`);
      case 'countersign':
      case 'refuse':
        return fail(`${this.node} runs a role, yet it logged what only a trusted third party does`);
      case 'deliver':
        return this.deliver(e);
      case 'fire':
      case 'abort':
        return this.fire(e);
    }
  }

  /** A statement as a reader sees it, for messages. */
  showJson(s: StatementJson): string {
    return showStatementJson(s, this.show);
  }

  private deliver(e: TraceEvent & { k: 'deliver' }): RerunStep {
    const m = this.machine;
    if (!e.s.v.includes(this.node)) return fail(`${this.node} received ${this.showJson(e.s)}, but it is not one of the statement's verifiers`);
    const rec = recordFromJson(e.s.r);
    if (rec === undefined) return fail('the delivered statement has no record');
    const s = m.statement(e.s.i, e.s.v, e.s.a, rec);
    if (!m.learn(s)) return fail(`${this.node} already knew ${this.showJson(e.s)}: a statement is delivered once`);
    this.deliveries++;
    return { ok: true, published: [] };
  }

  private fire(e: TraceEvent & { k: 'fire' | 'abort' }): RerunStep {
    const m = this.machine;
    const show = this.show;
    const t = m.transition(e.t);
    if (t === undefined) return fail(`${this.node}'s role has no transition ${e.t}`);
    let enabled;
    if (e.via === 'input') {
      const params = t.decl.params.map((p) => e.b.find(([k]) => k === p.name.name)?.[1]);
      if (params.some((p) => p === undefined)) return fail(`${e.t} is logged without a value for each of its parameters`);
      enabled = m.findInput(e.t, params.map((p) => valueFromJson(p!)));
    } else {
      if ((e.via === 'timeout') !== (t.decl.kind === 'timeout')) return fail(`${e.t} is logged as fired by ${e.via}, but it is ${t.decl.kind === 'timeout' ? 'a TIMEOUT' : 'not a TIMEOUT'}`);
      enabled = m.findEnabled(e.t, e.inst);
    }
    const shownBinding = e.b.map(([k, v]) => `${k} = ${show(valueFromJson(v))}`).join(', ');
    if (enabled === 'handled') return fail(`${e.t}(${shownBinding}) fired a second time: a trigger instance fires once`);
    if (enabled === undefined) return fail(`${e.t} fired with ${shownBinding || 'no binding'}, but that instance was not enabled in the reconstructed state (its patterns do not match what ${this.node} knows, or its guard is false)`);
    if (enabled.instance !== e.inst) return fail(`${e.t}'s instance is ${enabled.instance} in the semantics, but the log says ${e.inst}`);
    const r = m.fire(enabled);
    this.fires++;
    const bad = this.compare(e, r);
    if (bad !== undefined) return fail(bad);
    return { ok: true, published: r.kind === 'fired' ? r.published.map((s) => s.key) : [], result: r };
  }

  private compare(e: TraceEvent & { k: 'fire' | 'abort' }, r: StepResult): string | undefined {
    const show = this.show;
    if (e.k === 'abort') {
      if (r.kind !== 'aborted') return `${e.t} is logged as failing with ${e.code}, but its body runs without error here`;
      if (r.error.code !== e.code) return `${e.t} failed with ${r.error.code} here, but the log says ${e.code}`;
      return undefined;
    }
    if (r.kind === 'aborted') return `${e.t}'s body fails here (${r.error.code}: ${r.error.message}), but the log says it fired`;
    const want = e.b.map(([k, v]) => `${k}=${keyOf(valueFromJson(v))}`).join(';');
    const got = r.binding.map(([k, v]) => `${k}=${keyOf(v)}`).join(';');
    if (want !== got) return `${e.t}'s binding is ${r.binding.map(([k, v]) => `${k} = ${show(v)}`).join(', ')} here, but the log says ${e.b.map(([k, v]) => `${k} = ${show(valueFromJson(v))}`).join(', ')}`;
    const changes = new Map(r.changes.map((c) => [c.name, c]));
    for (const [name, before, after] of e.ch) {
      const c = changes.get(name);
      const a = valueFromJson(after);
      if (c === undefined) return `${e.t} leaves ${name} unchanged here, but the log says it became ${show(a)}`;
      if (keyOf(c.before) !== keyOf(valueFromJson(before))) return `${name} was ${show(c.before)} before ${e.t} here, but the log says ${show(valueFromJson(before))}`;
      if (keyOf(c.after) !== keyOf(a)) return `${e.t} sets ${name} to ${show(c.after)} here, but the log says ${show(a)}`;
      changes.delete(name);
    }
    for (const c of changes.values()) return `${e.t} sets ${c.name} to ${show(c.after)} here, but the log does not say so`;
    const logged = e.pub.map(jsonKey);
    for (const s of r.published) if (!logged.includes(s.key)) return `${e.t} publishes [${s.issuer} -> ${s.verifiers.join(', ')}, ${s.auditors.length === 0 ? 'NOONE' : s.auditors.join(', ')}] ${show(s.record)} here, which the log does not show`;
    const published = r.published.map((s) => s.key);
    for (let i = 0; i < logged.length; i++) if (!published.includes(logged[i]!)) return `the log says ${e.t} published ${this.showJson(e.pub[i]!)}, which its body does not publish here`;
    return undefined;
  }
}

/** A logged statement as a reader sees it. */
export function showStatementJson(s: StatementJson, show: (v: Value) => string): string {
  const r = recordFromJson(s.r);
  return `[${s.i} -> ${s.v.join(', ')}, ${s.a.length === 0 ? 'NOONE' : s.a.join(', ')}] ${r === undefined ? '?' : show(r)}`;
}

/** The pool key of a logged statement. */
export function jsonKey(s: StatementJson): string {
  const r = recordFromJson(s.r);
  return r === undefined ? `?${JSON.stringify(s)}` : statementKey(s.i, s.v, s.a, r);
}

export interface NodeRerunResult {
  readonly rerun: NodeRerun;
  /** The results of the input steps re-done, in order (a client's requests). */
  readonly inputs: readonly (StepResult & { kind: 'fired' })[];
  /**
   * Indices of the inputs whose PROGRESS was seen to hold during the re-run
   * (for a node that forgets: what made it hold may be forgotten by the end).
   */
  readonly answered: ReadonlySet<number>;
  /** The last event's number and vector clock (0 and empty for a log with only its start). */
  readonly lastEvent: number;
  readonly vc: Readonly<Record<string, number>>;
}

/**
 * A node's own log re-done on a fresh machine: how a restarted process gets
 * its state back. The first event that does not re-run is the answer, with
 * its line: a node whose log does not re-run must not rejoin.
 */
export function rerunOwnLog(
  node: string,
  machine: NodeMachine,
  events: readonly Located[],
  /** Requests in flight before these events (a checkpoint's): `answered` numbers them first, then the inputs re-done. */
  earlier: readonly { readonly bound: ReadonlyMap<number, Value>; readonly progress: readonly Pattern[] }[] = [],
): { ok: true; result: NodeRerunResult } | { ok: false; line: number; message: string } {
  const rerun = new NodeRerun(node, machine);
  const inputs: (StepResult & { kind: 'fired' })[] = [];
  const answered = new Set<number>();
  // A node that forgets may forget the replies that answered a request: judged just before it does.
  const latch = (): void => {
    const all = [...earlier, ...inputs.map((i) => ({ bound: i.bound, progress: i.drafts.flatMap((d) => (d.site.progress === undefined ? [] : [d.site.progress])) }))];
    all.forEach(({ bound, progress }, k) => {
      if (answered.has(k)) return;
      if (progress.length > 0 && progress.every((p) => machine.holds(p, bound))) answered.add(k);
    });
  };
  if (machine.forgets) machine.beforeForget = latch;
  let lastEvent = 0;
  let vc: Readonly<Record<string, number>> = {};
  try {
    for (const { event: e, line } of events) {
      const r = rerun.apply(e);
      if (!r.ok) return { ok: false, line, message: `event ${'n' in e ? e.n : ''} of ${node}: ${r.message}` };
      if (e.k === 'fire' && e.via === 'input' && r.result?.kind === 'fired') inputs.push(r.result);
      if ('n' in e) lastEvent = e.n;
      if ('vc' in e) vc = e.vc;
    }
  } finally {
    machine.beforeForget = undefined;
  }
  return { ok: true, result: { rerun, inputs, answered, lastEvent, vc } };
}

function fail(message: string): RerunStep {
  return { ok: false, message };
}
