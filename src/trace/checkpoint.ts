// A node's checkpoint (issue 23 item 5): its state at one event of its log,
// so that the log before it can go. Written by a TCP node process
// (runtime/checkpoint.ts) to `<node>.ckpt-<seq>.json`, read back by the
// node when it restarts and by `mommie replay` when a log starts at one.
//
//   header   node, program, constants, run identity (issue 22): a checkpoint
//            of another node, program or run is refused as a log is
//   seq, n, vc   the checkpoint's number (1, 2, ...), the number of the last
//            event it covers and the vector clock after it
//   prev     the digest of the checkpoint before it (for the first, the
//            SHA-256 of the log's start line): checkpoints form a chain
//   prevN, history  the last event the previous checkpoint covers, and the
//            SHA-256 of the log lines this one replaces (the events after
//            prevN, up to and including event n, as written)
//   state    the node machine: role variables, retained statements, fire-once
//            and set-aside instances, droppable entries, issued statements
//   resume   what the runtime needs besides: inputs made, requests in
//            flight, statements to send again
//   digest   SHA-256 of the canonical JSON of all the above
//
// A checkpoint whose text does not parse, does not decode, or whose digest
// does not match is refused with a message saying which; the node then
// recovers from the previous one (runtime/checkpoint.ts).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { NodeMachine } from '../semantics/node.js';
import type { Statement } from '../semantics/state.js';
import type { StatementJson } from './events.js';
import { ValueJsonCodec, valueToJson } from './value-json.js';

export const CHECKPOINT_VERSION = 1;

/** No checkpoint file is read past this size (bounded by the window the node keeps, not by the run). */
export const MAX_CHECKPOINT_BYTES = 256 << 20;

const StatementJsonCodec = t.strict({ i: t.string, v: t.readonlyArray(t.string), a: t.readonlyArray(t.string), r: ValueJsonCodec });

const MachineStateCodec = t.strict({
  vars: t.readonlyArray(ValueJsonCodec),
  /** Retained statements, sorted by their pool key. */
  known: t.readonlyArray(StatementJsonCodec),
  handled: t.readonlyArray(t.string),
  setAside: t.readonlyArray(t.string),
  droppable: t.readonlyArray(t.tuple([t.string, t.readonlyArray(t.string)])),
  issued: t.readonlyArray(t.string),
});
export type MachineStateJson = t.TypeOf<typeof MachineStateCodec>;

const InFlightCodec = t.strict({
  /** The input transition and the instance (its label is `node:inst`). */
  t: t.string,
  inst: t.string,
  /** The step's bound names (parameters, binders, body locals) by id, for its PROGRESS patterns. */
  bound: t.readonlyArray(t.tuple([t.number, ValueJsonCodec])),
  /** The PUBLISH statements whose PROGRESS the request waits for, by the offset of their PROGRESS pattern. */
  progress: t.readonlyArray(t.number),
});
export type InFlightJson = t.TypeOf<typeof InFlightCodec>;

const ResumeCodec = t.strict({
  /** Input steps this node made before the checkpoint (a client's requests, counted against its share). */
  inputs: t.number,
  inFlight: t.readonlyArray(InFlightCodec),
  /** Statements it published in the last two intervals: sent again by a node recovered from this checkpoint. */
  published: t.readonlyArray(StatementJsonCodec),
});
export type ResumeJson = t.TypeOf<typeof ResumeCodec>;

const Body = {
  k: t.literal('checkpoint'),
  version: t.literal(CHECKPOINT_VERSION),
  node: t.string,
  program: t.string,
  constants: t.record(t.string, ValueJsonCodec),
  seq: t.number,
  n: t.number,
  vc: t.record(t.string, t.number),
  prev: t.string,
  /** The last event the previous checkpoint covers (0: the first checkpoint, whose history starts at event 1). */
  prevN: t.number,
  history: t.string,
  state: MachineStateCodec,
  resume: ResumeCodec,
};

const CheckpointCodec = t.exact(t.intersection([t.type({ ...Body, digest: t.string }), t.partial({ run: t.string })]));
export type Checkpoint = t.TypeOf<typeof CheckpointCodec>;
export type CheckpointBody = Omit<Checkpoint, 'digest'>;

/** Where a compacted log starts: the checkpoint it continues from (in the log's start event). */
export const CheckpointRefCodec = t.strict({ file: t.string, seq: t.number, n: t.number, digest: t.string });
export type CheckpointRef = t.TypeOf<typeof CheckpointRefCodec>;

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so that a digest does not depend on the order fields were written in. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function checkpointDigest(body: CheckpointBody): string {
  // Everything but the digest itself (a parsed checkpoint has one).
  const rest: Record<string, unknown> = { ...body };
  delete rest['digest'];
  return sha256(canonicalJson(rest));
}

export function sealCheckpoint(body: CheckpointBody): Checkpoint {
  return { ...body, digest: checkpointDigest(body) };
}

export function statementToJson(s: Statement): StatementJson {
  return { i: s.issuer, v: s.verifiers, a: s.auditors, r: valueToJson(s.record) };
}

/** A machine's state as a checkpoint holds it (sorted: one state, one text). */
export function machineState(m: NodeMachine): Checkpoint['state'] {
  const s = m.snapshot();
  return {
    vars: s.vars.map(valueToJson),
    known: s.known.map(statementToJson),
    handled: s.handled,
    setAside: s.setAside,
    droppable: s.droppable.map(([k, l]) => [k, l]),
    issued: s.issued,
  };
}

/** The file a node's checkpoint number `seq` is written to, in its trace directory. */
export function checkpointFileName(node: string, seq: number): string {
  return `${node}.ckpt-${seq}.json`;
}

export type CheckpointRead = { readonly ok: true; readonly checkpoint: Checkpoint } | { readonly ok: false; readonly message: string };

/**
 * A checkpoint from its file's text, or why it is refused: not JSON (a
 * truncated file), not a checkpoint, or a digest that does not match what
 * it holds (an altered one).
 */
export function parseCheckpoint(path: string, text: string, expect?: { readonly node?: string; readonly program?: string; readonly run?: string; readonly digest?: string }): CheckpointRead {
  const bad = (why: string): CheckpointRead => ({ ok: false, message: `checkpoint ${path} is refused: ${why}` });
  if (text.length === 0) return bad('it is empty');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad('it is not whole JSON (truncated, or not a checkpoint)');
  }
  const d = CheckpointCodec.decode(json);
  if (isLeft(d)) return bad(`it is not a checkpoint of version ${CHECKPOINT_VERSION} (node, program, constants, seq, n, vc, prev, history, state, resume, digest)`);
  const c = d.right;
  const digest = checkpointDigest(c);
  if (digest !== c.digest) return bad(`its digest ${c.digest.slice(0, 16)}... does not match its contents (${digest.slice(0, 16)}...): it was altered or damaged`);
  if (expect?.node !== undefined && c.node !== expect.node) return bad(`it is a checkpoint of ${c.node}, not ${expect.node}`);
  if (expect?.program !== undefined && c.program !== expect.program) return bad(`it is a checkpoint of program ${c.program}, not ${expect.program}`);
  if (expect?.run !== undefined && c.run !== undefined && c.run !== expect.run) return bad(`it is a checkpoint of run ${c.run}, not of run ${expect.run}`);
  if (expect?.digest !== undefined && c.digest !== expect.digest) return bad(`the log continues from a checkpoint with digest ${expect.digest.slice(0, 16)}..., and this one's is ${c.digest.slice(0, 16)}...`);
  return { ok: true, checkpoint: c };
}

/** `<node>.ckpt-<seq>.json` files in `dir`. */
export function checkpointFiles(dir: string, node: string): { seq: number; path: string }[] {
  if (!existsSync(dir)) return [];
  const prefix = `${node}.ckpt-`;
  return readdirSync(dir).flatMap((f) => {
    if (!f.startsWith(prefix) || !f.endsWith('.json')) return [];
    const seq = Number(f.slice(prefix.length, -'.json'.length));
    return Number.isInteger(seq) && seq > 0 ? [{ seq, path: join(dir, f) }] : [];
  });
}

export function readCheckpoint(path: string, expect: Parameters<typeof parseCheckpoint>[2]): ReturnType<typeof parseCheckpoint> {
  let text: string;
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_CHECKPOINT_BYTES) return { ok: false, message: `checkpoint ${path} is refused: ${buf.length} bytes, more than a checkpoint may be` };
    text = buf.toString('utf8');
  } catch (e) {
    return { ok: false, message: `checkpoint ${path} cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  return parseCheckpoint(path, text, expect);
}

