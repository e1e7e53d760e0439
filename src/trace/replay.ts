// `mommie replay`: checks that recorded node logs are a behaviour of the
// abstract pool. The logs are merged in causal order (a node's own events in
// order; a delivery after the publication it delivers) and every event is
// re-done in the semantics — the same NodeMachine the runtime runs, on a
// reconstructed state:
//   fire     the transition was enabled with that binding here, and its body
//            gives the same variable changes and publications;
//   abort    the body fails here, with the same code;
//   deliver  some node published the statement (a correct node's fire, or a
//            Byzantine node's own), this node is a verifier, and it did not
//            know it already;
//   byz      a node the run declared Byzantine publishes with itself as issuer.
// The first event that fails is reported in MOMMIE terms, with its file and line.

import { isLeft } from 'fp-ts/lib/Either.js';
import type { CheckedProgram } from '../analysis/program.js';
import { instantiateRun } from '../semantics/model.js';
import { NodeMachine, type StepResult } from '../semantics/node.js';
import { statementKey } from '../semantics/state.js';
import { System } from '../semantics/system.js';
import { keyOf, type Value } from '../semantics/value.js';
import { TraceEventCodec, type StatementJson, type TraceEvent } from './events.js';
import { recordFromJson, valueFromJson, type ValueJson } from './value-json.js';

export interface TraceFile {
  readonly path: string;
  readonly text: string;
}

export interface ReplayRejection {
  readonly file: string;
  readonly line: number;
  readonly node: string;
  readonly message: string;
}

export type ReplayResult =
  | { readonly ok: true; readonly nodes: number; readonly events: number; readonly fires: number; readonly deliveries: number; readonly byzantine: number }
  | { readonly ok: false; readonly rejection: ReplayRejection };

interface Located {
  readonly event: TraceEvent;
  readonly line: number;
}

interface NodeLog {
  readonly file: string;
  readonly node: string;
  readonly status: 'correct' | 'crashed' | 'byzantine';
  readonly events: readonly Located[];
  cursor: number;
  machine?: NodeMachine;
}

/** Every line longer than this is refused before it is parsed. */
const MAX_LINE = 4 * 1024 * 1024;

export function replayTraces(program: CheckedProgram, files: readonly TraceFile[]): ReplayResult {
  const logs: NodeLog[] = [];
  let constants: Record<string, ValueJson> | undefined;
  for (const f of files) {
    const parsed = parseLog(f);
    if ('rejection' in parsed) return { ok: false, rejection: parsed.rejection };
    const start = parsed.start;
    if (logs.some((l) => l.node === start.node)) return reject(f.path, 1, start.node, `a second log for node ${start.node}`);
    if (start.program !== program.name) return reject(f.path, 1, start.node, `the log is of program ${start.program}, not ${program.name}`);
    if (start.faulty === 'correct') {
      if (constants === undefined) constants = start.constants;
      else if (JSON.stringify(constants) !== JSON.stringify(start.constants)) return reject(f.path, 1, start.node, 'the run\'s constants differ from those of the other logs');
    }
    logs.push({ file: f.path, node: start.node, status: start.faulty, events: parsed.events, cursor: 0 });
  }
  const runConstants = new Map<string, Value>(Object.entries(constants ?? {}).map(([k, v]) => [k, valueFromJson(v)]));
  const inst = instantiateRun(program, runConstants);
  if (!inst.ok) return reject(files[0]?.path ?? '', 1, '', inst.error.message);
  const model = inst.instance;
  const system = new System(model);
  for (const l of logs) {
    const idx = model.nodeIndex.get(l.node);
    const info = idx === undefined ? undefined : model.nodes[idx];
    if (info === undefined) return reject(l.file, 1, l.node, `${l.node} is not a principal of ${program.name}`);
    if (l.status === 'correct') {
      if (info.role === undefined) return reject(l.file, 1, l.node, `${l.node} runs no role`);
      l.machine = new NodeMachine(system, { ...info, status: 'correct' });
    }
  }
  const pool = new Set<string>();
  const show = (v: Value): string => system.ev.show(v);
  let fires = 0;
  let deliveries = 0;
  let byzantine = 0;
  let events = 0;

  for (;;) {
    let progressed = false;
    let remaining = false;
    for (const l of logs) {
      while (l.cursor < l.events.length) {
        const { event: e, line } = l.events[l.cursor]!;
        if (e.k === 'deliver' && !pool.has(jsonKey(e.s))) break;
        const bad = step(l, e);
        if (bad !== undefined) return reject(l.file, line, l.node, `event ${'n' in e ? e.n : ''} of ${l.node}: ${bad}`);
        l.cursor++;
        events++;
        progressed = true;
      }
      if (l.cursor < l.events.length) remaining = true;
    }
    if (!remaining) break;
    if (!progressed) {
      // Every log is stuck at a delivery that nothing published.
      const l = logs.find((x) => x.cursor < x.events.length)!;
      const { event: e, line } = l.events[l.cursor]!;
      const s = e.k === 'deliver' ? e.s : undefined;
      return reject(l.file, line, l.node, `event ${'n' in e ? e.n : ''} of ${l.node}: delivery of ${s === undefined ? '?' : showJson(s)}, which no node published (a correct issuer's fire or a Byzantine node's own statement)`);
    }
  }
  return { ok: true, nodes: logs.length, events, fires, deliveries, byzantine };

  function step(l: NodeLog, e: TraceEvent): string | undefined {
    switch (e.k) {
      case 'start':
        return 'a second start event';
      case 'stop':
        return undefined;
      case 'byz': {
        if (l.status !== 'byzantine') return `${l.node} is not Byzantine in this run, yet it logged a Byzantine publication`;
        if (e.s.i !== l.node) return `a Byzantine node published a statement of another issuer, ${e.s.i}: authentication should make that impossible`;
        pool.add(jsonKey(e.s));
        byzantine++;
        return undefined;
      }
      case 'deliver': {
        const m = l.machine;
        if (m === undefined) return `${l.node} is faulty: it takes no steps of the program`;
        if (!e.s.v.includes(l.node)) return `${l.node} received ${showJson(e.s)}, but it is not one of the statement's verifiers`;
        const rec = recordFromJson(e.s.r);
        if (rec === undefined) return 'the delivered statement has no record';
        const s = m.statement(e.s.i, e.s.v, e.s.a, rec);
        if (!m.learn(s)) return `${l.node} already knew ${showJson(e.s)}: a statement is delivered once`;
        deliveries++;
        return undefined;
      }
      case 'fire':
      case 'abort': {
        const m = l.machine;
        if (m === undefined) return `${l.node} is faulty: it takes no steps of the program`;
        const t = m.transition(e.t);
        if (t === undefined) return `${l.node}'s role has no transition ${e.t}`;
        let enabled;
        if (e.via === 'input') {
          const params = t.decl.params.map((p) => e.b.find(([k]) => k === p.name.name)?.[1]);
          if (params.some((p) => p === undefined)) return `${e.t} is logged without a value for each of its parameters`;
          enabled = m.findInput(e.t, params.map((p) => valueFromJson(p!)));
        } else {
          if ((e.via === 'timeout') !== (t.decl.kind === 'timeout')) return `${e.t} is logged as fired by ${e.via}, but it is ${t.decl.kind === 'timeout' ? 'a TIMEOUT' : 'not a TIMEOUT'}`;
          enabled = m.findEnabled(e.t, e.inst);
        }
        const shownBinding = e.b.map(([k, v]) => `${k} = ${show(valueFromJson(v))}`).join(', ');
        if (enabled === 'handled') return `${e.t}(${shownBinding}) fired a second time: a trigger instance fires once`;
        if (enabled === undefined) return `${e.t} fired with ${shownBinding || 'no binding'}, but that instance was not enabled in the reconstructed state (its patterns do not match what ${l.node} knows, or its guard is false)`;
        if (enabled.instance !== e.inst) return `${e.t}'s instance is ${enabled.instance} in the semantics, but the log says ${e.inst}`;
        const r = m.fire(enabled);
        fires++;
        return compare(e, r);
      }
    }
  }

  function compare(e: TraceEvent & { k: 'fire' | 'abort' }, r: StepResult): string | undefined {
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
    const published = r.published.map((s) => s.key);
    for (const k of published) if (!logged.includes(k)) return `${e.t} publishes ${r.published.find((s) => s.key === k) ? showStatement(r.published.find((s) => s.key === k)!) : k} here, which the log does not show`;
    for (let i = 0; i < logged.length; i++) if (!published.includes(logged[i]!)) return `the log says ${e.t} published ${showJson(e.pub[i]!)}, which its body does not publish here`;
    for (const k of published) pool.add(k);
    return undefined;
  }

  function showJson(s: StatementJson): string {
    const r = recordFromJson(s.r);
    return `[${s.i} -> ${s.v.join(', ')}, ${s.a.length === 0 ? 'NOONE' : s.a.join(', ')}] ${r === undefined ? '?' : show(r)}`;
  }

  function showStatement(s: { issuer: string; verifiers: readonly string[]; auditors: readonly string[]; record: Value }): string {
    return `[${s.issuer} -> ${s.verifiers.join(', ')}, ${s.auditors.length === 0 ? 'NOONE' : s.auditors.join(', ')}] ${show(s.record)}`;
  }
}

function jsonKey(s: StatementJson): string {
  const r = recordFromJson(s.r);
  return r === undefined ? `?${JSON.stringify(s)}` : statementKey(s.i, s.v, s.a, r);
}

function reject(file: string, line: number, node: string, message: string): { ok: false; rejection: ReplayRejection } {
  return { ok: false, rejection: { file, line, node, message } };
}

function parseLog(f: TraceFile): { start: TraceEvent & { k: 'start' }; events: Located[] } | { rejection: ReplayRejection } {
  const lines = f.text.split('\n');
  const events: Located[] = [];
  let start: (TraceEvent & { k: 'start' }) | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '') continue;
    // The last line of a log cut short (Ctrl-C, a crash) may be partial: everything before it stands.
    const last = lines.slice(i + 1).every((x) => x.trim() === '');
    if (text.length > MAX_LINE) return { rejection: { file: f.path, line: i + 1, node: start?.node ?? '', message: `a line of ${text.length} characters, more than a trace event can be` } };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      if (last && !f.text.endsWith('\n')) break;
      return { rejection: { file: f.path, line: i + 1, node: start?.node ?? '', message: 'not JSON: each line of a trace is one JSON event' } };
    }
    const d = TraceEventCodec.decode(json);
    if (isLeft(d)) return { rejection: { file: f.path, line: i + 1, node: start?.node ?? '', message: `not a trace event (expected start, fire, abort, deliver, byz or stop with their fields)` } };
    const e = d.right;
    if (start === undefined) {
      if (e.k !== 'start') return { rejection: { file: f.path, line: i + 1, node: '', message: 'a trace starts with a start event' } };
      start = e;
      continue;
    }
    events.push({ event: e, line: i + 1 });
  }
  if (start === undefined) return { rejection: { file: f.path, line: 1, node: '', message: 'an empty trace: no start event' } };
  return { start, events };
}
