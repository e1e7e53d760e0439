// What both replay engines share, so that they see the same run: reading the
// logs with the checks that need no step of the program (one log per node,
// the program's, the run's constants, who is a principal, the functions left
// to the implementation as the logs gave them), the model the run is checked
// against (faults.ts: each node's status is the model's), the fields checked
// once for both engines (structure.ts: event numbers, vector clocks, the
// `from` of deliveries), and the causal merge — a node's own events in order,
// an event after everything its vector clock says it had seen, a delivery
// (and a TTP's countersignature) after the publication it carries. The
// built-in replay (replay.ts) re-does each event in the semantics as the merge
// reaches it; the TLC engine (tlc-replay.ts) takes the merged sequence and
// lets TLC re-do it.

import { dirname, join } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import { checkpointFiles, readCheckpoint, sha256, type Checkpoint } from './checkpoint.js';
import type { Deployment } from '../deploy/deployment.js';
import { EvalError } from '../semantics/errors.js';
import type { HostFunction } from '../semantics/eval.js';
import { instantiateForRun, withClients, type ModelInstance } from '../semantics/model.js';
import type { Value } from '../semantics/value.js';
import type { StatementJson, TraceEvent } from './events.js';
import { assignFaults, modelLabel, type ClaimedLog, type NodeLog } from './faults.js';
import { runDeployment, runHeaderOf } from './header.js';
import { parseLog, type Located, type ReplayRejection, type TraceFile } from './read-log.js';
import { jsonKey, showStatementJson } from './rerun.js';
import { beforeCheckpoint, checkStructure } from './structure.js';
import { valueFromJson, valueToJson, type ValueJson } from './value-json.js';

export type { NodeLog };

/** A function left to the implementation: arguments (JSON of the list) -> the value a log gave, and where. */
export type FunctionTable = ReadonlyMap<string, { readonly args: readonly ValueJson[]; readonly result: ValueJson; readonly file: string; readonly line: number; readonly node: string }>;

export interface ReplayOptions {
  /** replay --model: the model whose fault bounds and invariants the run is checked against (default: the run's, from its header). */
  readonly model?: string;
  /**
   * The run's deployment (replay --deploy): the plan relayed deliveries are
   * checked against. Default: the deploy file the logs record, if any.
   */
  readonly deployment?: Pick<Deployment, 'disseminationFor'>;
}

export interface LoadedRun {
  readonly logs: readonly NodeLog[];
  /**
   * The program as the run is checked: the model's faults (each node's status
   * comes from it, not from its log), the run's constants, the logged functions.
   */
  readonly model: ModelInstance;
  readonly functions: ReadonlyMap<string, FunctionTable>;
  /** A logged statement as a reader sees it. */
  readonly show: (s: StatementJson) => string;
}

export function loadRun(program: CheckedProgram, files: readonly TraceFile[], opts: ReplayOptions = {}): LoadedRun | { readonly rejection: ReplayRejection } {
  const head = runHeaderOf(files);
  if ('rejection' in head) return head;
  const logs: ClaimedLog[] = [];
  let constants: Record<string, ValueJson> | undefined;
  for (const f of files) {
    const parsed = parseLog(f);
    if ('rejection' in parsed) return { rejection: parsed.rejection };
    const start = parsed.start;
    let base: Checkpoint | undefined;
    if (start.from !== undefined) {
      // A compacted log: its checkpoint, beside it, named by digest in its start event.
      const c = readCheckpoint(join(dirname(f.path), start.from.file), { node: start.node, program: start.program, ...(start.run !== undefined ? { run: start.run } : {}), digest: start.from.digest });
      if (!c.ok) return reject(f.path, 1, start.node, `the log continues from a checkpoint, and ${c.message}`);
      base = c.checkpoint;
      if (base.n !== start.from.n || base.seq !== start.from.seq) return reject(f.path, 1, start.node, `the log continues from checkpoint ${start.from.seq} at event ${start.from.n}, and ${start.from.file} is checkpoint ${base.seq} at event ${base.n}`);
      if (JSON.stringify(base.constants) !== JSON.stringify(start.constants)) return reject(f.path, 1, start.node, `the checkpoint ${start.from.file} was taken under other constants than the log's`);
    }
    if (logs.some((l) => l.node === start.node)) return reject(f.path, 1, start.node, `a second log for node ${start.node}`);
    if (start.program !== program.name) return reject(f.path, 1, start.node, `the log is of program ${start.program}, not ${program.name}`);
    if (start.faulty === 'correct') {
      if (constants === undefined) constants = start.constants;
      else if (JSON.stringify(constants) !== JSON.stringify(start.constants)) return reject(f.path, 1, start.node, 'the run\'s constants differ from those of the other logs');
    }
    // Newer checkpoints beside the log replace events it still holds: each must be what those events hash to, and chain on.
    const later: Checkpoint[] = [];
    if (start.faulty === 'correct') {
      const lines = f.text.split('\n');
      let prev = base?.digest ?? sha256(lines[0] ?? '');
      let prevN = base?.n ?? 0;
      for (const k of checkpointFiles(dirname(f.path), start.node).filter((x) => x.seq > (base?.seq ?? 0)).sort((a, b) => a.seq - b.seq)) {
        const c = readCheckpoint(k.path, { node: start.node, program: start.program, ...(start.run !== undefined ? { run: start.run } : {}) });
        if (!c.ok) return reject(f.path, 1, start.node, `beside the log, ${c.message}`);
        const cp = c.checkpoint;
        const picked = parsed.events.filter(({ event: e }) => 'n' in e && e.n > cp.prevN && e.n <= cp.n);
        // A checkpoint past the log's end (the log cut short after it) has nothing here to be checked against.
        if (picked.length !== cp.n - cp.prevN) break;
        const history = sha256(picked.map(({ line }) => `${lines[line - 1]}\n`).join(''));
        if (cp.prev !== prev || cp.prevN !== prevN || history !== cp.history) return reject(k.path, 1, start.node, `checkpoint ${cp.seq} does not follow from ${f.path}: ${cp.prev !== prev || cp.prevN !== prevN ? 'it does not chain on the checkpoint before it' : `its history digest does not match the log's events ${cp.prevN + 1} to ${cp.n}`}`);
        later.push(cp);
        prev = cp.digest;
        prevN = cp.n;
      }
    }
    logs.push({ file: f.path, node: start.node, claimed: start.faulty, events: parsed.events, ...(base !== undefined ? { base } : {}), ...(later.length > 0 ? { later } : {}) });
  }
  const runConstants = new Map<string, Value>(Object.entries(constants ?? {}).map(([k, v]) => [k, valueFromJson(v)]));
  const logged = loggedFunctions(program, logs);
  if ('rejection' in logged) return logged;
  const modelName = opts.model ?? head.header.model;
  // As the run did: a Byzantine node's records are checked against their type, never listed.
  const inst = instantiateForRun(program, modelName, runConstants, logged.host);
  if (!inst.ok) return reject(head.file, 1, '', inst.error.message);
  const clients = head.header.clients;
  const narrowed = clients === undefined ? inst.instance : withClients(inst.instance, clients);
  if ('available' in narrowed) return reject(head.file, 1, '', `the run ran ${clients} clients (--clients), but ${modelLabel(inst.instance)} has ${narrowed.available} correct ones`);
  const model = narrowed;
  const hint = head.version === 1 && opts.model === undefined ? ' (logs of trace version 1 do not say which model or --clients the run took: give replay --model NAME)' : '';
  const out = assignFaults(program, model, logs, hint);
  if ('rejection' in out) return out;
  const show = (s: StatementJson): string => showStatementJson(s, (v) => model.evaluator.show(v));
  let deployment = opts.deployment;
  if (deployment === undefined) {
    const recorded = runDeployment(program, head.header);
    if (!recorded.ok) return reject(head.file, 1, '', recorded.message);
    deployment = recorded.deployment;
  }
  const bad = checkStructure({ logs: out, show, ...(deployment !== undefined ? { deployment } : {}) });
  if (bad !== undefined) return { rejection: bad };
  return { logs: out, model, functions: logged.tables, show };
}

/** One event of the merged run, with its log. */
export interface MergedEvent {
  readonly log: NodeLog;
  readonly event: TraceEvent;
  readonly line: number;
}

/** How a merge ended: every event taken, a step refused, or no log able to go on (the first event that cannot be explained, and why). */
export type MergeEnd =
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly log: NodeLog; readonly line: number; readonly message: string }
  | { readonly kind: 'stuck'; readonly at: MergedEvent; readonly rejection: ReplayRejection };

/**
 * Walks the logs in causal order, the one linearization of the run both
 * engines check: round robin over the logs, each as far as it goes, where an
 * event waits until every event its vector clock says its node had seen is
 * taken, and a delivery (and a TTP's countersignature) until `published`
 * holds its statement's key. `step` takes one event (and adds what it
 * publishes to what `published` reads); a message from it ends the merge.
 */
export function causalMerge(run: Pick<LoadedRun, 'logs' | 'show'>, published: (key: string) => boolean, step: (l: NodeLog, e: TraceEvent, line: number) => string | undefined): MergeEnd {
  const logs = run.logs;
  const cursor = logs.map(() => 0);
  const index = new Map(logs.map((l, i) => [l.node, i]));
  // Each log's own clock: how many of its clocked events are taken (a compacted log's checkpoint counts its history).
  const clock = logs.map((l) => l.base?.vc[l.node] ?? 0);
  // A compacted log's publications before its checkpoint are not in it: a delivery of one waits for nothing (structure.ts's rule).
  const laterOf = new Map(logs.filter((l) => l.base !== undefined).map((l) => [l.node, new Set(l.events.flatMap(({ event: x }) => (x.k === 'fire' ? x.pub.map(jsonKey) : [])))]));
  const inHistory = (e: TraceEvent & { k: 'deliver' }): boolean => {
    const later = laterOf.get(e.s.i);
    return later !== undefined && !later.has(jsonKey(e.s)) && beforeCheckpoint(logs[index.get(e.s.i)!]!, e);
  };
  const waitsFor = (i: number): Wait | undefined => {
    const { event: e } = logs[i]!.events[cursor[i]!]!;
    if ((e.k === 'deliver' || (e.k === 'countersign' && logs[i]!.status === 'ttp')) && !published(jsonKey(e.s)) && !(e.k === 'deliver' && inHistory(e))) return { kind: 'statement', s: e.s };
    if (!('vc' in e)) return undefined;
    for (const [k, x] of Object.entries(e.vc)) {
      if (k === logs[i]!.node) continue;
      const j = index.get(k);
      if (j === undefined || clock[j]! < x) return { kind: 'clock', node: k, log: j, count: x };
    }
    return undefined;
  };
  for (;;) {
    let progressed = false;
    let remaining = false;
    for (let i = 0; i < logs.length; i++) {
      const l = logs[i]!;
      while (cursor[i]! < l.events.length && waitsFor(i) === undefined) {
        const { event: e, line } = l.events[cursor[i]!]!;
        const bad = step(l, e, line);
        if (bad !== undefined) return { kind: 'failed', log: l, line, message: bad };
        if ('vc' in e) clock[i]!++;
        cursor[i]!++;
        progressed = true;
      }
      if (cursor[i]! < l.events.length) remaining = true;
    }
    if (!remaining) return { kind: 'done' };
    if (!progressed) return stuck(run, cursor, (i) => waitsFor(i)!);
  }
}

type Wait =
  | { readonly kind: 'statement'; readonly s: StatementJson }
  | { readonly kind: 'clock'; readonly node: string; readonly log: number | undefined; readonly count: number };

/**
 * Every log left waits: follows what each waits for (a statement to the log
 * that publishes it later, a clock entry to that node's log) to the first
 * event that nothing explains — a delivery of a statement no log publishes —
 * and rejects it, whichever log happened to come first.
 */
function stuck(run: Pick<LoadedRun, 'logs' | 'show'>, cursor: readonly number[], wait: (i: number) => Wait): MergeEnd {
  const logs = run.logs;
  let i = logs.findIndex((l, k) => cursor[k]! < l.events.length);
  const seen: number[] = [];
  const held: string[] = [];
  for (;;) {
    const l = logs[i]!;
    const at = l.events[cursor[i]!]!;
    const e = at.event;
    const w = wait(i);
    const end = (message: string): MergeEnd => ({
      kind: 'stuck', at: { log: l, event: e, line: at.line },
      rejection: { file: l.file, line: at.line, node: l.node, message: `event ${'n' in e ? e.n : ''} of ${l.node}: ${message}${held.length > 0 ? ` (${held.join(', ')} ${held.length === 1 ? 'waits' : 'wait'} for it)` : ''}` },
    });
    if (seen.includes(i)) return end(`it waits, through ${seen.map((k) => logs[k]!.node).join(' -> ')}, for a later event of its own log: the logs are not in causal order`);
    seen.push(i);
    let next: number | undefined;
    if (w.kind === 'clock') {
      if (w.log === undefined) return end(`its clock says ${l.node} has seen ${w.count} events of ${w.node}, but there is no log of ${w.node}`);
      next = w.log;
    } else {
      const key = jsonKey(w.s);
      next = logs.findIndex((p, k) => p.events.slice(cursor[k]!).some(({ event: x }) => (x.k === 'fire' && x.pub.some((s) => jsonKey(s) === key)) || (x.k === 'byz' && jsonKey(x.s) === key)));
      if (next < 0) {
        const what = e.k === 'countersign' ? 'countersignature' : 'delivery';
        const issuer = logs.find((p) => p.node === w.s.i);
        const why = issuer === undefined ? `; its issuer ${w.s.i} has no log` : issuer.status === 'correct' ? `; ${w.s.i}'s log (${issuer.file}) never publishes it` : '';
        return end(`${what} of ${run.show(w.s)}, which no node published (a correct issuer's fire or a Byzantine node's own statement)${why}`);
      }
    }
    held.push(`${l.file}:${at.line}`);
    i = next;
  }
}

/**
 * The merge with every step taken as logged (fires and Byzantine steps
 * publish what they say): the sequence of events the TLC engine and the HTML
 * report show, identical to the built-in replay's up to the first step the
 * semantics refuses.
 */
export function mergeAsLogged(run: Pick<LoadedRun, 'logs' | 'show'>, stop?: (m: MergedEvent) => boolean): { readonly events: readonly MergedEvent[]; readonly end: MergeEnd } {
  const pool = new Set<string>();
  const events: MergedEvent[] = [];
  const end = causalMerge(run, (k) => pool.has(k), (log, event, line) => {
    events.push({ log, event, line });
    if (stop?.(events[events.length - 1]!) === true) return 'stopped';
    if (event.k === 'fire') for (const s of event.pub) pool.add(jsonKey(s));
    if (event.k === 'byz') pool.add(jsonKey(event.s));
    return undefined;
  });
  return { events, end };
}

/**
 * The functions left to the program as the logs saw them: for each, a table
 * from arguments to the value some node logged. Replay asks only for calls
 * some node made, since it re-does what the nodes did.
 */
function loggedFunctions(program: CheckedProgram, logs: readonly { file: string; node: string; events: readonly Located[] }[]): { host: Map<string, HostFunction>; tables: Map<string, FunctionTable> } | { rejection: ReplayRejection } {
  const tables = new Map<string, Map<string, { args: readonly ValueJson[]; result: ValueJson; file: string; line: number; node: string }>>();
  for (const l of logs) {
    for (const { event: e, line } of l.events) {
      if ((e.k !== 'fire' && e.k !== 'abort') || e.fn === undefined) continue;
      for (const [name, args, result] of e.fn) {
        const f = program.functions.get(name);
        if (f === undefined || f.body !== undefined) {
          return reject(l.file, line, l.node, `event ${e.n} of ${l.node}: logs a value of ${name}, which is not a function the program leaves to its implementation`);
        }
        let table = tables.get(name);
        if (table === undefined) tables.set(name, (table = new Map()));
        const key = JSON.stringify(args);
        const before = table.get(key);
        if (before === undefined) table.set(key, { args, result, file: l.file, line, node: l.node });
        else if (JSON.stringify(before.result) !== JSON.stringify(result)) {
          const show = (v: ValueJson): string => JSON.stringify(v);
          return reject(l.file, line, l.node, `event ${e.n} of ${l.node}: ${name}(${args.map(show).join(', ')}) returned ${show(result)} here, but ${show(before.result)} at ${before.node} (${before.file}:${before.line}); every node must see the same function`);
        }
      }
    }
  }
  const host = new Map<string, HostFunction>();
  for (const f of program.functions.values()) {
    if (f.body !== undefined) continue;
    const table = tables.get(f.name.name);
    host.set(f.name.name, (args) => {
      const hit = table?.get(JSON.stringify(args.map(valueToJson)));
      if (hit === undefined) throw new EvalError('MOM505', `${f.name.name} is called with arguments no log gives a value for, so replay cannot evaluate it`, f.name.span);
      return valueFromJson(hit.result);
    });
  }
  return { host, tables };
}

export function reject(file: string, line: number, node: string, message: string): { readonly rejection: ReplayRejection } {
  return { rejection: { file, line, node, message } };
}
