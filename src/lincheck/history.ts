// A recorded history of calls to a replicated service, as `mommie lincheck`
// reads it (docs/lincheck.md): one entry per operation, with the time of its
// invocation (taken before the call was submitted) and, if it completed, the
// time of its completion (taken after the answer arrived) and its result, all
// from one clock. An operation without a completion has an unknown outcome: it
// may have taken effect at any time after its invocation, or never. A retried
// call keeps its id and is one operation, so ids are unique.
//
// Every field is decoded (io-ts): a history is external input, and a wrong one
// gets a message naming the operation and the field, never a wrong verdict.

import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';

/** A value the store holds: a JSON string or a finite number (`1` and `"1"` are different values). */
export type Scalar = string | number;

export type KvCall =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'put'; readonly key: string; readonly value: Scalar }
  | { readonly op: 'cas'; readonly key: string; readonly expected: Scalar | null; readonly value: Scalar };

export type KvResult =
  | { readonly op: 'get'; readonly value: Scalar | null }
  | { readonly op: 'put' }
  | { readonly op: 'cas'; readonly ok: boolean };

export interface Operation {
  /** Unique within the history (a retry reuses its operation's id). */
  readonly id: string;
  /** The principal that called. */
  readonly client: string;
  readonly call: KvCall;
  readonly invoke: number;
  /** Undefined: the outcome is unknown (a timeout, a crash), and so is `result`. */
  readonly complete?: number;
  readonly result?: KvResult;
}

export interface History {
  readonly model: 'kv';
  readonly operations: readonly Operation[];
}

const Finite = new t.Type<number, number, unknown>('finite number', (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c)), (n) => n);
const ScalarCodec = t.union([t.string, Finite]);
const Id = t.union([t.string, Finite]);

const CallCodec = t.union([
  t.strict({ op: t.literal('get'), key: t.string }),
  t.strict({ op: t.literal('put'), key: t.string, value: ScalarCodec }),
  t.strict({ op: t.literal('cas'), key: t.string, expected: t.union([ScalarCodec, t.null]), value: ScalarCodec }),
]);

const ResultCodec = t.union([
  t.strict({ value: t.union([ScalarCodec, t.null]) }),
  t.strict({ ok: t.boolean }),
  t.strict({}),
]);

const OperationCodec = t.intersection([
  t.strict({ id: Id, client: t.string, call: CallCodec, invoke: Finite }),
  t.partial({ complete: Finite, result: ResultCodec }),
]);

const HistoryCodec = t.strict({
  format: t.literal('mommie-history'),
  version: t.literal(1),
  model: t.literal('kv'),
  operations: t.array(t.unknown),
});

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** The path and value of io-ts's first complaint, in words. */
function complaint(errors: t.Errors, what: string): string {
  const e = errors[0];
  if (e === undefined) return `${what} is malformed`;
  const path = e.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k)).join('.');
  return `${what}: ${path === '' ? 'the value' : `'${path}'`} is ${JSON.stringify(e.value) ?? 'missing'}, expected ${e.context[e.context.length - 1]?.type.name ?? 'something else'}`;
}

function resultFor(call: KvCall, raw: unknown): KvResult | string {
  const r = raw as Record<string, unknown>;
  switch (call.op) {
    case 'get':
      return 'value' in r ? { op: 'get', value: r['value'] as Scalar | null } : "a get's result is {\"value\": V} (null for a missing key)";
    case 'put':
      return Object.keys(r).length === 0 ? { op: 'put' } : "a put's result is {}";
    case 'cas':
      return 'ok' in r ? { op: 'cas', ok: r['ok'] as boolean } : "a cas's result is {\"ok\": true|false}";
  }
}

/** Decodes a parsed JSON history; every operation checked, ids unique, completions after invocations. */
export function decodeHistory(json: unknown): Decoded<History> {
  const h = HistoryCodec.decode(json);
  if (isLeft(h)) return { ok: false, message: complaint(h.left, 'the history (expected {"format": "mommie-history", "version": 1, "model": "kv", "operations": [...]})') };
  const ops: Operation[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of h.right.operations.entries()) {
    const where = `operation ${i + 1}`;
    const d = OperationCodec.decode(raw);
    if (isLeft(d)) return { ok: false, message: complaint(d.left, where) };
    const o = d.right;
    const id = String(o.id);
    if (seen.has(JSON.stringify(o.id))) return { ok: false, message: `${where}: id ${JSON.stringify(o.id)} is used twice (a retried call is one operation: record it once)` };
    seen.add(JSON.stringify(o.id));
    if ((o.complete === undefined) !== (o.result === undefined)) {
      return { ok: false, message: `${where} (id ${id}): give both 'complete' and 'result', or neither (an unknown outcome)` };
    }
    if (o.call.op === 'put' && (o.call.value as unknown) === null) return { ok: false, message: `${where} (id ${id}): a put's value cannot be null` };
    let result: KvResult | undefined;
    if (o.result !== undefined) {
      const r = resultFor(o.call, o.result);
      if (typeof r === 'string') return { ok: false, message: `${where} (id ${id}): ${r}` };
      result = r;
    }
    if (o.complete !== undefined && o.complete < o.invoke) return { ok: false, message: `${where} (id ${id}): completes at ${o.complete}, before its invocation at ${o.invoke}` };
    ops.push({ id, client: o.client, call: o.call, invoke: o.invoke, ...(o.complete === undefined ? {} : { complete: o.complete }), ...(result === undefined ? {} : { result }) });
  }
  return { ok: true, value: { model: 'kv', operations: ops } };
}

/** The history as the file format writes it (inverse of decodeHistory). */
export function encodeHistory(h: History): unknown {
  return {
    format: 'mommie-history', version: 1, model: h.model,
    operations: h.operations.map((o) => ({
      id: o.id, client: o.client, call: o.call, invoke: o.invoke,
      ...(o.complete === undefined ? {} : { complete: o.complete }),
      ...(o.result === undefined ? {} : { result: resultJson(o.result) }),
    })),
  };
}

function resultJson(r: KvResult): unknown {
  switch (r.op) {
    case 'get':
      return { value: r.value };
    case 'put':
      return {};
    case 'cas':
      return { ok: r.ok };
  }
}
