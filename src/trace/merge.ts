// What both replay engines share, so that they see the same run: reading the
// logs with the checks that need no step of the program (one log per node,
// the program's, the run's constants, who is a principal, the functions left
// to the implementation as the logs gave them), and the causal merge — a
// node's own events in order, a delivery (and a TTP's countersignature) only
// after the publication it carries. The built-in replay (replay.ts) re-does
// each event in the semantics as the merge reaches it; the TLC engine
// (tlc-replay.ts) takes the merged sequence and lets TLC re-do it.

import type { CheckedProgram, RoleInfo } from '../analysis/program.js';
import { EvalError } from '../semantics/errors.js';
import type { HostFunction } from '../semantics/eval.js';
import { instantiateRun, type ModelInstance } from '../semantics/model.js';
import type { Value } from '../semantics/value.js';
import type { TraceEvent } from './events.js';
import { parseLog, type Located, type ReplayRejection, type TraceFile } from './read-log.js';
import { jsonKey } from './rerun.js';
import { valueFromJson, valueToJson, type ValueJson } from './value-json.js';

export interface NodeLog {
  readonly file: string;
  readonly node: string;
  readonly status: 'correct' | 'crashed' | 'byzantine' | 'ttp';
  readonly events: readonly Located[];
  /** The node's role, for a correct principal. */
  readonly role?: RoleInfo;
}

/** A function left to the implementation: arguments (JSON of the list) -> the value a log gave, and where. */
export type FunctionTable = ReadonlyMap<string, { readonly args: readonly ValueJson[]; readonly result: ValueJson; readonly file: string; readonly line: number; readonly node: string }>;

export interface LoadedRun {
  readonly logs: readonly NodeLog[];
  /** The program as the run executed it: every principal correct, the run's constants, the logged functions. */
  readonly model: ModelInstance;
  readonly functions: ReadonlyMap<string, FunctionTable>;
}

export function loadRun(program: CheckedProgram, files: readonly TraceFile[]): LoadedRun | { readonly rejection: ReplayRejection } {
  const logs: { file: string; node: string; status: NodeLog['status']; events: readonly Located[] }[] = [];
  let constants: Record<string, ValueJson> | undefined;
  for (const f of files) {
    const parsed = parseLog(f);
    if ('rejection' in parsed) return { rejection: parsed.rejection };
    const start = parsed.start;
    if (logs.some((l) => l.node === start.node)) return reject(f.path, 1, start.node, `a second log for node ${start.node}`);
    if (start.program !== program.name) return reject(f.path, 1, start.node, `the log is of program ${start.program}, not ${program.name}`);
    if (start.faulty === 'correct') {
      if (constants === undefined) constants = start.constants;
      else if (JSON.stringify(constants) !== JSON.stringify(start.constants)) return reject(f.path, 1, start.node, 'the run\'s constants differ from those of the other logs');
    }
    logs.push({ file: f.path, node: start.node, status: start.faulty, events: parsed.events });
  }
  const runConstants = new Map<string, Value>(Object.entries(constants ?? {}).map(([k, v]) => [k, valueFromJson(v)]));
  const logged = loggedFunctions(program, logs);
  if ('rejection' in logged) return logged;
  const inst = instantiateRun(program, runConstants, logged.host);
  if (!inst.ok) return reject(files[0]?.path ?? '', 1, '', inst.error.message);
  const model = inst.instance;
  const out: NodeLog[] = [];
  for (const l of logs) {
    const idx = model.nodeIndex.get(l.node);
    const info = idx === undefined ? undefined : model.nodes[idx];
    if (l.status === 'ttp') {
      if (info !== undefined) return reject(l.file, 1, l.node, `${l.node} is a principal of ${program.name}, yet its log is a trusted third party's (a TTP is a node outside the program)`);
      out.push(l);
      continue;
    }
    if (info === undefined) return reject(l.file, 1, l.node, `${l.node} is not a principal of ${program.name}`);
    if (l.status === 'correct') {
      if (info.role === undefined) return reject(l.file, 1, l.node, `${l.node} runs no role`);
      out.push({ ...l, role: info.role });
    } else out.push(l);
  }
  return { logs: out, model, functions: logged.tables };
}

/** How a merge ended: every event taken, a step refused, or every log waiting for a publication nobody made. */
export type MergeEnd =
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly log: NodeLog; readonly line: number; readonly message: string }
  | { readonly kind: 'stuck'; readonly log: NodeLog; readonly at: Located };

/**
 * Walks the logs in causal order: round robin over the logs, each as far as
 * it goes; a delivery, and a TTP's countersignature, wait until `published`
 * holds the statement's key. `step` takes one event (and adds what it
 * publishes to what `published` reads); a message from it ends the merge.
 */
export function causalMerge(logs: readonly NodeLog[], published: (key: string) => boolean, step: (l: NodeLog, e: TraceEvent, line: number) => string | undefined): MergeEnd {
  const cursor = logs.map(() => 0);
  for (;;) {
    let progressed = false;
    let remaining = false;
    for (let i = 0; i < logs.length; i++) {
      const l = logs[i]!;
      while (cursor[i]! < l.events.length) {
        const { event: e, line } = l.events[cursor[i]!]!;
        if ((e.k === 'deliver' || (e.k === 'countersign' && l.status === 'ttp')) && !published(jsonKey(e.s))) break;
        const bad = step(l, e, line);
        if (bad !== undefined) return { kind: 'failed', log: l, line, message: bad };
        cursor[i]!++;
        progressed = true;
      }
      if (cursor[i]! < l.events.length) remaining = true;
    }
    if (!remaining) return { kind: 'done' };
    if (!progressed) {
      const i = logs.findIndex((x, k) => cursor[k]! < x.events.length);
      return { kind: 'stuck', log: logs[i]!, at: logs[i]!.events[cursor[i]!]! };
    }
  }
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
