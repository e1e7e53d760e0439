// A body program as the semantics runs it (semantics/body.ts, BodyProgram):
// the step's pre-state and binding handed to the user's TypeScript as plain
// values, what it wrote and published taken back and checked against the
// types, and, in an instrumented build, compared with the body spec.

import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { BodyProgram, StatementDraft } from '../semantics/body.js';
import { inDomain } from '../semantics/domain.js';
import { EvalError } from '../semantics/errors.js';
import type { Value } from '../semantics/value.js';
import type * as A from '../syntax/ast.js';
import { compareStep, describeBinding, formatViolation, type AssertSink, type ProgramDraft } from './assertions.js';
import { StepContext, type Published } from './context.js';
import { thrownAt } from './places.js';
import { toHost, fromHost, type HostValue } from './values.js';
import type { WorkBound } from './work.js';

/** The user's function, as the compiled module exports it. */
export type HostBody = (ctx: unknown) => unknown;

export interface AdapterOptions {
  readonly program: CheckedProgram;
  readonly source: SourceText;
  /** The body program as the node taking the step has it: each node has its own instance of the build's modules. */
  readonly bodyOf: (node: string) => HostBody | undefined;
  /** The method's place in the user's .ts (file:line:col). */
  readonly at: string;
  /** Set in an instrumented build. */
  readonly assert?: AssertSink;
  readonly work: WorkBound;
}

export function bodyProgram(o: AdapterOptions): BodyProgram {
  const { program } = o;
  const everyone = [...program.principalSets.values()].flat().sort();
  let constants: { readonly [name: string]: HostValue } | undefined;
  return (call) => {
    const { env, evaluator: ev, transition: t } = call;
    const names = call.vars.names;
    const fail = (message: string): EvalError => new EvalError('MOM703', `the body program of ${t.role}.${t.name} (${o.at}) ${message}`, t.decl.span);
    const body = o.bodyOf(env.me!);
    if (body === undefined) throw fail(`was not loaded for ${env.me!}`);
    // Before the program runs: the spec reads the same pre-state.
    const spec = o.assert === undefined ? undefined : call.spec();
    constants ??= Object.freeze(Object.fromEntries([...program.constants.keys()].map((c) => [c, toHost(ev.constant(c, t.decl.span), program)])));
    const step = new StepContext(program, call, constants, fail, o.at);
    runToCompletion(body, step, o.work, fail);
    // Messages are made only on failure: a place is a stack to format.
    const value = (x: unknown, what: () => string): Value => {
      const v = fromHost(x, program);
      if (typeof v === 'object' && 'error' in v) throw fail(`gave ${what()} that is no MOMMIE value: ${v.error}`);
      return v;
    };
    const raw = names.map((n) => value(step.state[n], () => `variable ${n}${writtenAt(step, n)}`));
    const drafts: ProgramDraft[] = step.published.map((p) => ({ draft: draftOf(p.s, p), get at(): string { return p.at; } }));
    if (o.assert !== undefined && spec !== undefined) {
      o.assert.checked++;
      const found = compareStep({
        node: env.me!, transition: t, programAt: o.at, binding: describeBinding(t.decl, env.bound, ev),
        names, spec, vars: raw, writtenAt: (n) => step.writtenAt(n), published: drafts,
      }, ev, o.source);
      for (const v of found) {
        o.assert.violations++;
        if (o.assert.mode !== 'count') o.assert.report(v);
      }
      if (found.length > 0 && o.assert.mode === 'stop') {
        throw new EvalError('MOM702', `${t.role}.${t.name}: the body program (${o.at}) differs from the body spec: ${found.map((v) => v.what).join(', ')}\n${found.map(formatViolation).join('\n')}`, t.decl.span);
      }
    }
    // Types after the comparison: a value out of range is reported as what the
    // spec would have done, with both places, before it aborts the step.
    const vars = raw.map((v, i) => {
      const d = call.vars.domains[i]!;
      return inDomain(v, d, ev) ? v : ev.checkDomain(v, d, `${names[i]!} (written at ${step.writtenAt(names[i]!) ?? o.at})`, t.decl.span);
    });
    for (const d of drafts) {
      const dom = { k: 'record', name: d.draft.record.type } as const;
      if (!inDomain(d.draft.record, dom, ev)) ev.checkDomain(d.draft.record, dom, `the record published at ${d.at}`, t.decl.span);
    }
    vars.forEach((v, i) => {
      env.vars![i] = v;
    });
    return drafts.map((d) => d.draft);

    function draftOf(s: unknown, p: Published): StatementDraft {
      const o2 = (typeof s === 'object' && s !== null ? s : {}) as { readonly verifiers?: unknown; readonly auditors?: unknown; readonly record?: unknown };
      const record = value(o2.record, () => `a record to publish (${p.at})`);
      if (typeof record !== 'object' || record.kind !== 'record') throw fail(`published something that is no record (${p.at})`);
      const site = firstPublish(t.decl.body, record.type);
      if (site === undefined) throw fail(`published a ${record.type}, which its body spec never publishes (${p.at})`);
      return { issuer: env.me!, verifiers: principals(o2.verifiers, 'verifiers', p), auditors: principals(o2.auditors ?? [], 'auditors', p), record, site };
    }
    function principals(x: unknown, what: string, p: Published): string[] {
      if (x === '*') return [...everyone];
      const list = typeof x === 'string' ? [x] : Array.isArray(x) ? (x as unknown[]) : undefined;
      if (list === undefined || list.some((q) => typeof q !== 'string' || !everyone.includes(q))) throw fail(`published with ${what} that are no principals (${p.at})`);
      return [...new Set(list as string[])].sort();
    }
  };
}

const writtenAt = (step: StepContext, name: string): string => {
  const w = step.writtenAt(name);
  return w === undefined ? '' : ` (written at ${w})`;
};

/**
 * Runs the user's function for one step, synchronously and within the
 * build's work bound, and refuses what would make the step something else
 * than atomic: a Promise (an async body: what it did after its first await
 * would be lost, or land in another step), a generator (its body never ran).
 * Which failure is reported first: the bound passed (whatever the program
 * did with the throw), a misuse of the context, a throw, then the result.
 */
function runToCompletion(body: HostBody, step: StepContext, work: WorkBound, fail: (message: string) => EvalError): void {
  let result: unknown;
  let threw: { readonly e: unknown } | undefined;
  work.enter();
  try {
    result = body(step.ctx);
  } catch (e) {
    threw = { e };
  } finally {
    const exceeded = work.leave();
    const misused = step.close();
    if (exceeded !== undefined) throw boundPassed(fail, exceeded, work.limit);
    if (misused !== undefined) throw misused;
  }
  if (threw !== undefined) {
    if (threw.e instanceof EvalError) throw threw.e;
    const e = threw.e;
    throw fail(`threw${thrownAt(e)}: ${e instanceof Error ? e.message : String(e)}${frozenHint(e)}`);
  }
  if (isThenable(result)) {
    // Its rejection, if any, must not take the process down: the step is refused here.
    void Promise.resolve(result).then(undefined, () => undefined);
    throw fail('returned a Promise: a body program must be synchronous (its step is atomic; what an async body does after its first await is lost)');
  }
  if (isIterator(result)) throw fail('returned a generator, whose body never runs: a body program must be a plain synchronous function');
}

export function boundPassed(fail: (message: string) => EvalError, at: string, limit: number): EvalError {
  const e = fail(`did not finish: more than ${limit.toLocaleString('en-US')} loop iterations and calls in one step, still running at ${at} (mommie build --work-limit raises the bound)`);
  return new EvalError('MOM706', e.message, e.span);
}

function isThenable(x: unknown): boolean {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

function isIterator(x: unknown): boolean {
  return typeof x === 'object' && x !== null && typeof (x as { next?: unknown }).next === 'function' && Symbol.iterator in x;
}

/** A TypeError from a change in place of a frozen value, explained. */
function frozenHint(e: unknown): string {
  return e instanceof TypeError && /read[- ]only|not extensible|Cannot (assign|add|delete|define)/.test(e.message)
    ? ' (the values a body program is handed are immutable, as in MOMMIE: assign a new value to the variable instead of changing one in place)'
    : '';
}

function firstPublish(stmts: readonly A.Stmt[], type: string): (A.Stmt & { kind: 'publish' }) | undefined {
  for (const s of stmts) {
    if (s.kind === 'publish' && s.recordType.name === type) return s;
    if (s.kind === 'if') {
      const found = firstPublish(s.then, type) ?? firstPublish(s.else, type);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
