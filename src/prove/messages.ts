// tlapm's toolbox messages as typed values, decoded with io-ts from the
// framed fields (toolbox.ts). The message types and fields are those of
// tlapm's src/toolbox_msg.ml and src/backend/toolbox.ml:
//
//   obligation         id, loc (l1:c1:l2:c2), status, and optionally prover,
//                      meth ("time-limit: 5; time-used: 1.0 (20%)"), reason,
//                      already (true: the result came from the fingerprint
//                      cache), obl (the obligation's text), fp
//   obligationsnumber  count
//   obligationprovers  id, provers (comma-separated; protocol version 2)
//   warning            msg (parse and semantic errors come this way)
//   error              msg, url
//
// A frame of a known type that does not decode is `malformed` (kept, with why);
// a frame of another type is `other`. Nothing here throws.

import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { RawFrame } from './toolbox.js';

export const MESSAGE_STATUSES = ['to be proved', 'being proved', 'proved', 'failed', 'interrupted', 'trivial', 'omitted'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

const intFromString = new t.Type<number, string, unknown>(
  'IntFromString',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => (typeof u === 'string' && /^\s*-?\d{1,15}\s*$/.test(u) ? t.success(Number(u)) : t.failure(u, c, 'not a whole number')),
  String,
);

const boolFromString = new t.Type<boolean, string, unknown>(
  'BoolFromString',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (u === 'true' ? t.success(true) : u === 'false' ? t.success(false) : t.failure(u, c, 'not true or false')),
  String,
);

const spanFromString = new t.Type<Span, string, unknown>(
  'Span',
  (u): u is Span => typeof u === 'object' && u !== null && 'line' in u && 'endColumn' in u,
  (u, c) => {
    const m = typeof u === 'string' ? /^\s*(\d+):(\d+):(\d+):(\d+)\s*$/.exec(u) : null;
    return m === null ? t.failure(u, c, 'not line:col:line:col') : t.success({ line: Number(m[1]), column: Number(m[2]), endLine: Number(m[3]), endColumn: Number(m[4]) });
  },
  (s) => `${s.line}:${s.column}:${s.endLine}:${s.endColumn}`,
);

const statusCodec = t.keyof(Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, null])) as Record<MessageStatus, null>);

const obligationFields = t.intersection([
  t.type({ id: intFromString, loc: spanFromString, status: statusCodec }),
  t.partial({ prover: t.string, meth: t.string, reason: t.string, already: boolFromString, obl: t.string, fp: t.string }),
]);
const countFields = t.type({ count: intFromString });
const proversFields = t.type({ id: intFromString, provers: t.string });
const warningFields = t.type({ msg: t.string });
const errorFields = t.intersection([t.type({ msg: t.string }), t.partial({ url: t.string })]);

export interface ObligationMessage {
  readonly kind: 'obligation';
  readonly id: number;
  readonly span: Span;
  readonly status: MessageStatus;
  /** The backend (`smt`, `zenon`, `ls4`, `isabelle`, `tlapm` for trivial ones); null before one is chosen. */
  readonly prover: string | null;
  /** tlapm's method line: the tactic, the time limit and the time used. */
  readonly method: string | null;
  /** Seconds the backend spent, from `time-used`; null when not reported (queued, cached). */
  readonly seconds: number | null;
  /** Why it failed: `false` (the backend refutes it), `timeout`, or the backend's complaint. */
  readonly reason: string | null;
  /** True when the result is the fingerprint cache's, from an earlier run. */
  readonly cached: boolean;
  /** The obligation as tlapm prints it (failed ones, or all with --printallobs). */
  readonly obligation: string | null;
}

export type ToolboxMessage =
  | ObligationMessage
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'provers'; readonly id: number; readonly provers: readonly string[] }
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'error'; readonly message: string; readonly url: string | null }
  | { readonly kind: 'other'; readonly type: string; readonly text: string }
  | { readonly kind: 'malformed'; readonly type: string; readonly why: string; readonly text: string };

/** `time-used: 1.0` in a method line. */
export function secondsOf(method: string | undefined): number | null {
  const m = method === undefined ? null : /time-used:\s*([0-9]+(?:\.[0-9]+)?)/.exec(method);
  return m === null ? null : Number(m[1]);
}

function why(errors: t.Errors): string {
  return errors
    .map((e) => {
      const path = e.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k)).join('.');
      return `${path || 'frame'}: ${e.message ?? `got ${JSON.stringify(e.value)}`}`;
    })
    .slice(0, 3)
    .join('; ');
}

export function decodeFrame(frame: RawFrame): ToolboxMessage {
  const fields = Object.fromEntries(frame.fields);
  const type = frame.fields.get('type') ?? '';
  const malformed = (errors: t.Errors): ToolboxMessage => ({ kind: 'malformed', type, why: why(errors), text: frame.text });
  switch (type) {
    case 'obligation': {
      const d = obligationFields.decode(fields);
      if (isLeft(d)) return malformed(d.left);
      const o = d.right;
      return {
        kind: 'obligation',
        id: o.id,
        span: o.loc,
        status: o.status,
        prover: o.prover ?? null,
        method: o.meth ?? null,
        seconds: secondsOf(o.meth),
        reason: o.reason !== undefined && o.reason !== '' ? o.reason : null,
        cached: o.already === true,
        obligation: o.obl !== undefined && o.obl.trim() !== '' ? o.obl : null,
      };
    }
    case 'obligationsnumber': {
      const d = countFields.decode(fields);
      return isLeft(d) ? malformed(d.left) : { kind: 'count', count: d.right.count };
    }
    case 'obligationprovers': {
      const d = proversFields.decode(fields);
      return isLeft(d) ? malformed(d.left) : { kind: 'provers', id: d.right.id, provers: d.right.provers.split(',').map((p) => p.trim()).filter((p) => p !== '') };
    }
    case 'warning': {
      const d = warningFields.decode(fields);
      return isLeft(d) ? malformed(d.left) : { kind: 'warning', message: d.right.msg };
    }
    case 'error': {
      const d = errorFields.decode(fields);
      return isLeft(d) ? malformed(d.left) : { kind: 'error', message: d.right.msg, url: d.right.url ?? null };
    }
    default:
      return { kind: 'other', type, text: frame.text };
  }
}

export interface MessageLocation {
  /** The file as tlapm names it (`./M.tla`, or a path). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Where a warning or error is, from tlapm's `File "./M.tla", line 4, character 8`
 * (also `characters 3-4`, `line 1, character 1 to line 11, character 4`).
 */
export function locationOf(message: string): MessageLocation | null {
  const m = /File "([^"]+)", line (\d+), characters? (\d+)/.exec(message);
  return m === null ? null : { file: m[1]!, line: Number(m[2]), column: Number(m[3]) };
}

/** The message without its `File ..., line ...` head: what went wrong. */
export function messageText(message: string): string {
  return message
    .split(/\r?\n/)
    .filter((l) => !/^\s*File "[^"]+", line \d+/.test(l))
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ')
    .replace(/^Error:\s*/, '');
}

/** A proof tlapm's `--strict` reports as incomplete: `Missing proof at File "./M.tla", line 9, ...`. */
export interface IncompleteProof {
  readonly kind: 'missing' | 'omitted';
  readonly location: MessageLocation;
}

/**
 * tlapm's `--strict` (tlaplus/tlapm 80172c6 and later) lists, outside its
 * toolbox messages, every step of the checked module with no proof
 * (`Missing proof at ...`) or an OMITTED one (`Omitted proof at ...`).
 */
export function incompleteProofOf(line: string): IncompleteProof | null {
  const m = /^(?:\[ERROR\]:\s*)?(Missing|Omitted) proof at (.*)$/.exec(line.trim());
  if (m === null) return null;
  const location = locationOf(m[2]!);
  return location === null ? null : { kind: m[1] === 'Missing' ? 'missing' : 'omitted', location };
}
