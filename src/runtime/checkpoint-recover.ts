// Where a restarted node process picks up (issue 23 item 5): the newest of
// its checkpoints that reads, whose digest matches, that links to the
// chain and whose history digest matches the log lines it replaced; else
// the one before; in the end the checkpoint its log starts from (a
// compacted log), or the log's start. Each checkpoint passed over is said
// why (`notes`), and the node carries on from the next older one; only a
// log whose own starting checkpoint is refused cannot be recovered.

import { dirname, join } from 'node:path';
import type { NodeInfo } from '../semantics/model.js';
import { NodeMachine } from '../semantics/node.js';
import type { System } from '../semantics/system.js';
import type * as A from '../syntax/ast.js';
import { checkpointFiles, readCheckpoint, sha256, type Checkpoint } from '../trace/checkpoint.js';
import type { StartEvent, StatementJson } from '../trace/events.js';
import type { Located, ParsedLog } from '../trace/read-log.js';
import { recordFromJson, valueFromJson } from '../trace/value-json.js';
import type { OpenedStatement } from './codec.js';
import type { ResumedInput } from './node.js';

/** Where the chain stands when a node (re)opens its log: nothing yet, or its newest checkpoint. */
export interface ChainPoint {
  /** The newest checkpoint's number (0: none), the last event it covers, its digest (for none: the start line's). */
  readonly seq: number;
  readonly n: number;
  readonly digest: string;
  /** Byte offset in the log where the events after that checkpoint begin. */
  readonly cut: number;
  /** Input steps made up to the end of the log. */
  readonly inputs: number;
  /** Statements published in the interval before that checkpoint and since (what the next checkpoint keeps to send again). */
  readonly publishedBefore: readonly StatementJson[];
  readonly publishedSince: readonly StatementJson[];
}

export interface StartingPoint {
  readonly machine: NodeMachine;
  /** The checkpoint used (undefined: the log's start). */
  readonly checkpoint?: Checkpoint;
  /** The log's events after it, to re-do. */
  readonly events: readonly Located[];
  /** Its requests in flight, its input count and what it keeps to send again. */
  readonly inFlight: readonly ResumedInput[];
  readonly inputsBefore: number;
  readonly published: readonly OpenedStatement[];
  /** The chain as of that checkpoint (`inputs` and `publishedSince` not yet counting the events re-done). */
  readonly chain: ChainPoint;
  /** Checkpoints passed over, each with why. */
  readonly notes: readonly string[];
}

/**
 * The state to re-do the log `path` (its text and parsed form) from. The
 * caller checked the log's header against this run.
 */
export function startingPoint(path: string, text: string, parsed: ParsedLog, system: System, info: NodeInfo, start: StartEvent): { ok: true; point: StartingPoint } | { ok: false; message: string } {
  const dir = dirname(path);
  const lines = text.split('\n');
  const from = parsed.start.from;
  const notes: string[] = [];
  const expect = { node: info.name, program: start.program, ...(parsed.start.run !== undefined ? { run: parsed.start.run } : {}) };
  const baseN = from?.n ?? 0;
  const firstLine = lines[0] ?? '';
  const baseDigest = from?.digest ?? sha256(firstLine);

  // The log's lines of events numbered in (lo, hi], as written; undefined when some are missing.
  const historyOf = (lo: number, hi: number): string | undefined => {
    const picked = parsed.events.filter(({ event: e }) => 'n' in e && e.n > lo && e.n <= hi);
    if (picked.length !== hi - lo) return undefined;
    return sha256(picked.map(({ line }) => `${lines[line - 1]}\n`).join(''));
  };

  const newer = checkpointFiles(dir, info.name).filter((f) => f.seq > (from?.seq ?? 0)).sort((a, b) => b.seq - a.seq);
  for (const f of newer) {
    const read = readCheckpoint(f.path, expect);
    if (!read.ok) {
      notes.push(read.message);
      continue;
    }
    const c = read.checkpoint;
    const why = linkProblem(c, from?.seq ?? 0, baseN, baseDigest, historyOf);
    if (why !== undefined) {
      notes.push(`checkpoint ${f.path} is refused: ${why}`);
      continue;
    }
    return restoreFrom(c, notes);
  }
  if (from === undefined) {
    return { ok: true, point: { machine: new NodeMachine(system, info), events: parsed.events, inFlight: [], inputsBefore: 0, published: [], notes, chain: { seq: 0, n: 0, digest: baseDigest, cut: Buffer.byteLength(firstLine, 'utf8') + 1, inputs: 0, publishedBefore: [], publishedSince: [] } } };
  }
  const own = readCheckpoint(join(dir, from.file), { ...expect, digest: from.digest });
  if (!own.ok) return { ok: false, message: `its log ${path} continues from checkpoint ${from.seq}, and ${own.message}${notes.length > 0 ? ` (and the newer ones: ${notes.join('; ')})` : ''}` };
  if (own.checkpoint.n !== from.n || own.checkpoint.seq !== from.seq) return { ok: false, message: `its log ${path} continues from checkpoint ${from.seq} at event ${from.n}, and ${from.file} is checkpoint ${own.checkpoint.seq} at event ${own.checkpoint.n}` };
  return restoreFrom(own.checkpoint, notes);

  function restoreFrom(c: Checkpoint, passed: readonly string[]): { ok: true; point: StartingPoint } | { ok: false; message: string } {
    const machine = new NodeMachine(system, info);
    const toStatement = (s: StatementJson): ReturnType<NodeMachine['statement']> | undefined => {
      const r = recordFromJson(s.r);
      return r === undefined ? undefined : machine.statement(s.i, s.v, s.a, r);
    };
    const known = c.state.known.map(toStatement);
    if (known.some((s) => s === undefined)) return { ok: false, message: `checkpoint ${c.seq} holds a statement without a record` };
    machine.restore({
      vars: c.state.vars.map(valueFromJson),
      known: known as NonNullable<(typeof known)[number]>[],
      handled: c.state.handled, setAside: c.state.setAside, droppable: c.state.droppable, issued: c.state.issued,
    });
    const inFlight: ResumedInput[] = [];
    for (const i of c.resume.inFlight) {
      const t = machine.transition(i.t);
      if (t === undefined) return { ok: false, message: `checkpoint ${c.seq} has a request of ${i.t}, which ${info.name}'s role does not have` };
      const patterns = progressPatterns(t.decl.body).filter((p) => i.progress.includes(p.span.start));
      if (patterns.length !== i.progress.length) return { ok: false, message: `checkpoint ${c.seq} has a request of ${i.t} waiting for PROGRESS patterns at offsets ${i.progress.join(', ')}, which ${i.t}'s body does not have here (was the program changed?)` };
      inFlight.push({ transition: { name: i.t }, instance: i.inst, bound: new Map(i.bound.map(([k, v]) => [k, valueFromJson(v)])), progress: patterns });
    }
    const published: OpenedStatement[] = [];
    for (const s of c.resume.published) {
      const r = recordFromJson(s.r);
      if (r !== undefined) published.push({ issuer: s.i, verifiers: s.v, auditors: s.a, record: r });
    }
    const after = parsed.events.filter(({ event: e }) => !('n' in e) || e.n > c.n);
    // The byte offset where the events after the checkpoint start.
    const firstAfter = after[0]?.line ?? lines.length;
    let cut = 0;
    for (let k = 0; k < firstAfter - 1; k++) cut += Buffer.byteLength(lines[k]!, 'utf8') + 1;
    return {
      ok: true,
      point: {
        machine, checkpoint: c, events: after, inFlight, inputsBefore: c.resume.inputs, published, notes: passed,
        chain: { seq: c.seq, n: c.n, digest: c.digest, cut, inputs: c.resume.inputs, publishedBefore: c.resume.published, publishedSince: [] },
      },
    };
  }
}

/** Why checkpoint `c` cannot continue the log whose base is checkpoint `baseSeq` (event `baseN`, digest `baseDigest`). */
function linkProblem(c: Checkpoint, baseSeq: number, baseN: number, baseDigest: string, historyOf: (lo: number, hi: number) => string | undefined): string | undefined {
  if (c.prevN < baseN || c.n < c.prevN) return `it replaces events ${c.prevN + 1} to ${c.n}, and the log holds events after ${baseN}`;
  if (c.seq === baseSeq + 1 && (c.prev !== baseDigest || c.prevN !== baseN)) return `it does not follow the checkpoint the log starts from (its previous digest is ${c.prev.slice(0, 16)}..., the log's ${baseDigest.slice(0, 16)}...)`;
  const h = historyOf(c.prevN, c.n);
  if (h === undefined) return `the log does not hold every event from ${c.prevN + 1} to ${c.n}, which it replaces`;
  if (h !== c.history) return `its history digest does not match the log's events ${c.prevN + 1} to ${c.n}: the log or the checkpoint was altered`;
  return undefined;
}

/** The PROGRESS patterns of a transition body's PUBLISH statements, in order. */
export function progressPatterns(body: readonly A.Stmt[]): A.Pattern[] {
  return body.flatMap((s) => (s.kind === 'publish' ? (s.progress === undefined ? [] : [s.progress]) : s.kind === 'if' ? [...progressPatterns(s.then), ...progressPatterns(s.else)] : []));
}
