// A body program as the semantics runs it (semantics/body.ts, BodyProgram):
// the step's pre-state and binding handed to the user's TypeScript as plain
// values, what it wrote and published taken back and checked against the
// types, and, in an instrumented build, compared with the body spec.

import { isAbsolute, relative } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { BodyProgram, StatementDraft } from '../semantics/body.js';
import { EvalError } from '../semantics/errors.js';
import type { Value } from '../semantics/value.js';
import type * as A from '../syntax/ast.js';
import { compareStep, describeBinding, formatViolation, type AssertSink, type ProgramDraft } from './assertions.js';
import { fromHost, toHost, type HostValue } from './values.js';

/** The user's function, as the compiled module exports it. */
export type HostBody = (ctx: unknown) => void;

export interface AdapterOptions {
  readonly program: CheckedProgram;
  readonly source: SourceText;
  readonly body: HostBody;
  /** The method's place in the user's .ts (file:line:col). */
  readonly at: string;
  /** Set in an instrumented build. */
  readonly assert?: AssertSink;
  /** The location the instrumented program marked last (build/load.ts). */
  readonly takeAt: () => string | undefined;
}

export function bodyProgram(o: AdapterOptions): BodyProgram {
  const { program } = o;
  const everyone = [...program.principalSets.values()].flat().sort();
  let constants: { [name: string]: HostValue } | undefined;
  return (call) => {
    const { env, evaluator: ev, transition: t } = call;
    const names = call.vars.names;
    const fail = (message: string): EvalError => new EvalError('MOM703', `the body program of ${t.role}.${t.name} (${o.at}) ${message}`, t.decl.span);
    // Before the program runs: the spec reads the same pre-state.
    const spec = o.assert === undefined ? undefined : call.spec();
    const state: { [name: string]: unknown } = {};
    names.forEach((n, i) => {
      state[n] = toHost(env.vars![i]!, program);
    });
    const writes = new Map<string, string>();
    const target = o.assert === undefined ? state : new Proxy(state, {
      set(obj, k, v) {
        if (typeof k === 'string') writes.set(k, o.takeAt() ?? o.at);
        obj[k as string] = v;
        return true;
      },
    });
    const published: { s: unknown; at: string }[] = [];
    constants ??= Object.fromEntries([...program.constants.keys()].map((c) => [c, toHost(ev.constant(c, t.decl.span), program)]));
    const fn = Object.fromEntries([...program.functions.keys()].map((name) => [name, (...args: unknown[]): HostValue => {
      const values = args.map((a) => value(a, `an argument of ${name}`));
      return toHost(ev.callFunction(name, values, t.decl.span), program);
    }]));
    const value = (x: unknown, what: string): Value => {
      const v = fromHost(x, program);
      if (typeof v === 'object' && 'error' in v) throw fail(`gave ${what} that is no MOMMIE value: ${v.error}`);
      return v;
    };
    const ctx = {
      me: env.me, state: target, binding: bindingOf(t.decl, env.bound, program), constants, fn,
      publish(s: unknown, at?: string): void {
        published.push({ s, at: at ?? o.at });
      },
    };
    try {
      o.body(ctx);
    } catch (e) {
      if (e instanceof EvalError) throw e;
      throw fail(`threw${thrownAt(e)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const raw = names.map((n) => value(state[n], `variable ${n}`));
    const drafts: ProgramDraft[] = published.map(({ s, at }) => ({ draft: draftOf(s, at), at }));
    if (o.assert !== undefined && spec !== undefined) {
      o.assert.checked++;
      const found = compareStep({
        node: env.me!, transition: t, programAt: o.at, binding: describeBinding(t.decl, env.bound, ev),
        names, spec, vars: raw, writes, published: drafts,
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
    const vars = raw.map((v, i) => ev.checkDomain(v, call.vars.domains[i]!, `${names[i]!} (written at ${writes.get(names[i]!) ?? o.at})`, t.decl.span));
    for (const d of drafts) ev.checkDomain(d.draft.record, { k: 'record', name: d.draft.record.type }, `the record published at ${d.at}`, t.decl.span);
    vars.forEach((v, i) => {
      env.vars![i] = v;
    });
    return drafts.map((d) => d.draft);

    function draftOf(s: unknown, at: string): StatementDraft {
      const o2 = (typeof s === 'object' && s !== null ? s : {}) as { readonly verifiers?: unknown; readonly auditors?: unknown; readonly record?: unknown };
      const record = value(o2.record, `a record to publish (${at})`);
      if (typeof record !== 'object' || record.kind !== 'record') throw fail(`published something that is no record (${at})`);
      const site = firstPublish(t.decl.body, record.type);
      if (site === undefined) throw fail(`published a ${record.type}, which its body spec never publishes (${at})`);
      return { issuer: env.me!, verifiers: principals(o2.verifiers, 'verifiers', at), auditors: principals(o2.auditors ?? [], 'auditors', at), record, site };
    }
    function principals(x: unknown, what: string, at: string): string[] {
      if (x === '*') return [...everyone];
      const list = typeof x === 'string' ? [x] : Array.isArray(x) ? (x as unknown[]) : undefined;
      if (list === undefined || list.some((p) => typeof p !== 'string' || !everyone.includes(p))) throw fail(`published with ${what} that are no principals (${at})`);
      return [...new Set(list as string[])].sort();
    }
  };
}

function bindingOf(decl: A.Transition, bound: ReadonlyMap<number, Value>, program: CheckedProgram): { [name: string]: HostValue } {
  const out: { [name: string]: HostValue } = {};
  const put = (id: A.Ident): void => {
    const v = bound.get(id.id);
    if (v !== undefined) out[id.name] = toHost(v, program);
  };
  for (const p of decl.params) put(p.name);
  for (const p of decl.patterns) {
    if (p.issuer.kind === 'single') put(p.issuer.binder);
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) put(p.issuer.binder);
    if (p.binder !== undefined) put(p.binder);
  }
  return out;
}

/**
 * Where in the user's .ts a body program threw: the first frame of its stack
 * in a .ts file, which the build's source maps give (build/load.ts enables them).
 */
function thrownAt(e: unknown): string {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  const m = /([^\s()]+\.ts):(\d+):(\d+)/.exec(stack);
  if (m === null) return '';
  const file = m[1]!.replace(/^file:\/\//, '');
  return ` at ${isAbsolute(file) ? relative(process.cwd(), file) : file}:${m[2]}:${m[3]}`;
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
