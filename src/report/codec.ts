// Runtime validation of `VerifyResult` (src/check/result.ts): what reporters
// run on a result they did not produce themselves (a JSON file, another
// engine's output). The codec accepts exactly the shape of `VerifyResult`:
// every required field present with the right type, optional fields absent or
// of the right type, and no field that result.ts does not declare (a typo such
// as `loopTo` is an error, not silently ignored).

import * as t from 'io-ts';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type {
  EvaluationError,
  ModelBounds,
  ModelResult,
  Coverage,
  PropertyResult,
  SearchStats,
  StatementView,
  StepAction,
  Trace,
  TraceStep,
  VarChange,
  VerifyResult,
} from '../check/result.js';

// ---------------------------------------------------------------------------
// Two combinators io-ts lacks.

type ClosedA<R extends t.Props, O extends t.Props> = t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>;
type ClosedO<R extends t.Props, O extends t.Props> = t.OutputOf<t.TypeC<R>> & t.OutputOf<t.PartialC<O>>;

const unknownField = (key: string, value: unknown, c: t.Context): t.ValidationError => ({
  value,
  context: [...c, { key, type: t.never, actual: value }],
  message: 'unknown field',
});

/**
 * An object with the `required` fields (t.type), the `optional` ones
 * (t.partial), and nothing else. It is their intersection, but validated
 * against the same context so that error paths read `models[0].stats.depth`.
 */
function closed<R extends t.Props, O extends t.Props = {}>(
  name: string,
  required: R,
  optional?: O,
): t.Type<ClosedA<R, O>, ClosedO<R, O>, unknown> {
  const req = t.type(required);
  const opt = t.partial(optional ?? ({} as O));
  const allowed = new Set([...Object.keys(required), ...Object.keys(optional ?? {})]);
  const extraKeys = (u: Record<string, unknown>): string[] => Object.keys(u).filter((k) => !allowed.has(k));
  return new t.Type<ClosedA<R, O>, ClosedO<R, O>, unknown>(
    name,
    (u): u is ClosedA<R, O> => req.is(u) && opt.is(u) && extraKeys(u).length === 0,
    (u, c) => {
      if (!t.UnknownRecord.is(u)) return t.failure(u, c);
      const errors: t.ValidationError[] = [];
      const r = req.validate(u, c);
      if (isLeft(r)) errors.push(...r.left);
      const o = opt.validate(u, c);
      if (isLeft(o)) errors.push(...o.left);
      for (const k of extraKeys(u)) errors.push(unknownField(k, u[k], c));
      if (errors.length > 0 || isLeft(r) || isLeft(o)) return t.failures(errors);
      return t.success({ ...r.right, ...o.right } as ClosedA<R, O>);
    },
    t.identity as (a: ClosedA<R, O>) => ClosedO<R, O>,
  );
}

/**
 * A union discriminated by a string field `kind`: only the member the tag
 * names is tried, so an error reads `action.node: expected string` rather than
 * one complaint per member. A bad tag is reported at `action.kind`.
 */
function byKind<M extends Record<string, t.Mixed>>(
  name: string,
  members: M,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> {
  const kinds = t.keyof(Object.fromEntries(Object.keys(members).map((k) => [k, null])) as Record<keyof M & string, null>);
  const member = (u: unknown): t.Mixed | undefined => {
    if (!t.UnknownRecord.is(u)) return undefined;
    const k = u['kind'];
    return typeof k === 'string' && Object.prototype.hasOwnProperty.call(members, k) ? members[k] : undefined;
  };
  return new t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown>(
    name,
    (u): u is t.TypeOf<M[keyof M]> => member(u)?.is(u) ?? false,
    (u, c) => {
      if (!t.UnknownRecord.is(u)) return t.failure(u, c);
      const m = member(u);
      if (m === undefined) {
        const k = u['kind'];
        return t.failure(k, [...c, { key: 'kind', type: kinds, actual: k }]);
      }
      return m.validate(u, c);
    },
    t.identity as (a: t.TypeOf<M[keyof M]>) => t.OutputOf<M[keyof M]>,
  );
}

// ---------------------------------------------------------------------------
// The codecs, one per type of result.ts, in the same order.

const stringList = t.readonlyArray(t.string, 'string[]');
const stringMap = t.record(t.string, t.string, 'Record<string, string>');

export const statementViewCodec = closed('StatementView', {
  issuer: t.string,
  verifiers: stringList,
  auditors: stringList,
  record: t.string,
  recordType: t.string,
});

export const stepActionCodec = byKind('StepAction', {
  init: closed('InitAction', { kind: t.literal('init') }),
  fire: closed('FireAction', {
    kind: t.literal('fire'),
    node: t.string,
    role: t.string,
    transition: t.string,
    timeout: t.boolean,
    binding: stringMap,
    published: t.readonlyArray(statementViewCodec, 'StatementView[]'),
    location: t.string,
  }),
  deliver: closed('DeliverAction', { kind: t.literal('deliver'), node: t.string, statement: statementViewCodec }),
  byzantine: closed('ByzantineAction', { kind: t.literal('byzantine'), node: t.string, statement: statementViewCodec }),
});

export const varChangeCodec = closed(
  'VarChange',
  { node: t.string, variable: t.string, after: t.string },
  { before: t.string },
);

export const traceStepCodec = closed('TraceStep', {
  index: t.number,
  action: stepActionCodec,
  changes: t.readonlyArray(varChangeCodec, 'VarChange[]'),
});

export const traceCodec = closed('Trace', { steps: t.readonlyArray(traceStepCodec, 'TraceStep[]') }, { loopsTo: t.number });

export const verdictCodec = t.keyof({ holds: null, violated: null, unknown: null });

export const propertyResultCodec = closed(
  'PropertyResult',
  {
    name: t.string,
    kind: t.keyof({ invariant: null, property: null, deadlock: null }),
    verdict: verdictCodec,
  },
  { detail: t.string, trace: traceCodec },
);

export const searchStatsCodec = closed(
  'SearchStats',
  {
    generated: t.number,
    distinct: t.number,
    depth: t.number,
    seconds: t.number,
    statesPerSecond: t.number,
    peakRssMB: t.number,
  },
  { collisionProbability: t.number },
);

export const modelBoundsCodec = closed(
  'ModelBounds',
  {
    crashed: stringList,
    byzantine: t.readonlyArray(
      closed('ByzantineBound', { principal: t.string, sends: stringList, budget: t.number }),
      'ByzantineBound[]',
    ),
    symmetry: stringList,
    constants: stringMap,
    deadlock: t.boolean,
  },
  {
    maxStates: t.number, maxDepth: t.number, timeoutSeconds: t.number, partialOrder: t.boolean,
    simulation: closed('Simulation', { walks: t.number, seed: t.number }, { depth: t.number }),
  },
);

export const evaluationErrorCodec = closed(
  'EvaluationError',
  { code: t.string, message: t.string, location: t.string },
  { trace: traceCodec },
);

export const coverageCodec = closed('Coverage', {
  transitions: t.readonlyArray(closed('TransitionCoverage', { role: t.string, transition: t.string, location: t.string, fired: t.number }), 'TransitionCoverage[]'),
  byzantine: t.readonlyArray(closed('ByzantineCoverage', { node: t.string, published: t.number }), 'ByzantineCoverage[]'),
  deliveries: t.number,
  warnings: stringList,
});

export const modelStatusCodec = t.keyof({ complete: null, violation: null, limit: null, error: null, interrupted: null });

export const modelResultCodec = closed(
  'ModelResult',
  {
    model: t.string,
    status: modelStatusCodec,
    bounds: modelBoundsCodec,
    properties: t.readonlyArray(propertyResultCodec, 'PropertyResult[]'),
    stats: searchStatsCodec,
  },
  { error: evaluationErrorCodec, coverage: coverageCodec },
);

export const verifyResultCodec = closed('VerifyResult', {
  format: t.literal('mommie-verify/1'),
  program: t.string,
  file: t.string,
  engine: t.keyof({ builtin: null, tlc: null }),
  models: t.readonlyArray(modelResultCodec, 'ModelResult[]'),
});

/** The name result.ts's header comment uses. */
export const resultCodec = verifyResultCodec;

// ---------------------------------------------------------------------------
// Compile-time agreement with result.ts: the build fails if a field is added,
// removed, renamed, made optional or required, or changes type on either side.
// Mutual assignability checks types and optionality; it does not notice an
// optional field one side lacks, so every object type's keys are compared too.

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Agree<A, B> = Mutual<A, B> extends true ? SameKeys<A, B> : false;
type Assert<T extends true> = T;
type Kind<K extends StepAction['kind']> = Extract<StepAction, { kind: K }>;
type CodecKind<K extends StepAction['kind']> = Extract<t.TypeOf<typeof stepActionCodec>, { kind: K }>;

export type CodecAgreesWithResultTs = [
  Assert<Agree<VerifyResult, t.TypeOf<typeof verifyResultCodec>>>,
  Assert<Agree<ModelResult, t.TypeOf<typeof modelResultCodec>>>,
  Assert<Agree<ModelBounds, t.TypeOf<typeof modelBoundsCodec>>>,
  Assert<Agree<ModelBounds['byzantine'][number], t.TypeOf<typeof modelBoundsCodec>['byzantine'][number]>>,
  Assert<Agree<EvaluationError, t.TypeOf<typeof evaluationErrorCodec>>>,
  Assert<Agree<SearchStats, t.TypeOf<typeof searchStatsCodec>>>,
  Assert<Agree<Coverage, t.TypeOf<typeof coverageCodec>>>,
  Assert<Agree<PropertyResult, t.TypeOf<typeof propertyResultCodec>>>,
  Assert<Agree<Trace, t.TypeOf<typeof traceCodec>>>,
  Assert<Agree<TraceStep, t.TypeOf<typeof traceStepCodec>>>,
  Assert<Agree<VarChange, t.TypeOf<typeof varChangeCodec>>>,
  Assert<Agree<StatementView, t.TypeOf<typeof statementViewCodec>>>,
  Assert<Agree<StepAction, t.TypeOf<typeof stepActionCodec>>>,
  Assert<Agree<StepAction['kind'], CodecKind<StepAction['kind']>['kind']>>,
  Assert<Agree<Kind<'init'>, CodecKind<'init'>>>,
  Assert<Agree<Kind<'fire'>, CodecKind<'fire'>>>,
  Assert<Agree<Kind<'deliver'>, CodecKind<'deliver'>>>,
  Assert<Agree<Kind<'byzantine'>, CodecKind<'byzantine'>>>,
];

// The same check in its plainest form: each side assigns to the other.
const _resultFromCodec: VerifyResult = {} as t.TypeOf<typeof verifyResultCodec>;
const _codecFromResult: t.TypeOf<typeof verifyResultCodec> = {} as VerifyResult;
void _resultFromCodec;
void _codecFromResult;

// ---------------------------------------------------------------------------
// Decoding with readable errors.

const MAX_REPORTED = 20;

/** `models[0].properties[1].verdict`; `(root)` for the value itself. */
function pathOf(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!.type;
    const key = context[i]!.key;
    // Unions and intersections add an entry per member tried; it is not a field.
    if (parent instanceof t.UnionType || parent instanceof t.IntersectionType) continue;
    if (parent instanceof t.ReadonlyArrayType || parent instanceof t.ArrayType) path += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) path += path === '' ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path === '' ? '(root)' : path;
}

function show(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describe(e: t.ValidationError): string {
  const last = e.context[e.context.length - 1];
  const path = pathOf(e.context);
  if (e.message !== undefined) return `${path}: ${e.message}`;
  const expected = last?.type.name ?? 'a value';
  if (e.value === undefined) return `${path}: missing (expected ${expected})`;
  return `${path}: expected ${expected}, got ${show(e.value)}`;
}

/** Every failing path, one per line, at most 20. */
export function formatDecodeErrors(errors: t.Errors): string {
  const lines = [...new Set(errors.map(describe))];
  const shown = lines.slice(0, MAX_REPORTED).map((l) => `  ${l}`);
  if (lines.length > MAX_REPORTED) shown.push(`  ... and ${lines.length - MAX_REPORTED} more`);
  return `not a valid mommie-verify/1 result:\n${shown.join('\n')}`;
}

/** Validates parsed JSON as a `VerifyResult`; on failure, a message listing the failing paths. */
export function decodeVerifyResult(json: unknown): Either<string, VerifyResult> {
  const r = verifyResultCodec.decode(json);
  return isLeft(r) ? left(formatDecodeErrors(r.left)) : right(r.right);
}
