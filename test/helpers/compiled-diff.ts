// What the compiled-core differential tests share: the programs they run
// on, states reached by the model checker's own steps (realistic pools and
// variables), random values (right and wrong types), and the comparison of
// outcomes (a value, or an error's code, message and location).

import { readdirSync } from 'node:fs';
import type { CheckedProgram } from '../../src/analysis/program.js';
import { children } from '../../src/analysis/checker.js';
import { enumerate } from '../../src/semantics/domain.js';
import { patternExprs } from '../../src/semantics/pattern-plan.js';
import { EvalError, StepError } from '../../src/semantics/errors.js';
import { KnownIndex } from '../../src/semantics/known-index.js';
import { instantiate, instantiateRun, type ModelInstance } from '../../src/semantics/model.js';
import type { State, Statement } from '../../src/semantics/state.js';
import { System } from '../../src/semantics/system.js';
import { Random } from '../../src/transport/sim.js';
import { EMPTY_SET, keyOf, makeSet, type Value } from '../../src/semantics/value.js';
import type * as A from '../../src/syntax/ast.js';
import { loadProgram } from './sim.js';

/** Every program of specs/ and the runtime's evaluation-error fixtures. */
export function programFiles(): string[] {
  // Every .mom under specs/, whatever subdirectory a new example lands in.
  const specs = readdirSync('specs', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mom')).sort().map((f) => `specs/${f}`);
  const mom = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.mom')).sort().map((f) => `${dir}/${f}`);
  return [...specs, ...mom('test/fixtures/runtime'), ...mom('test/fixtures/params')];
}

/** Every model of the program, or a run at its declared constants when it has none. */
export function modelsOf(program: CheckedProgram): ModelInstance[] {
  const out: ModelInstance[] = [];
  for (const m of program.models.keys()) {
    const r = instantiate(program, m);
    if (r.ok) out.push(r.instance);
  }
  if (out.length === 0) {
    const r = instantiateRun(program, new Map());
    if (r.ok) out.push(r.instance);
  }
  return out;
}

export function load(path: string): CheckedProgram {
  return loadProgram(path).program;
}

/** A small deterministic generator: the simulated network's. */
export function rng(seed: number): () => number {
  const g = new Random(seed);
  return () => g.next();
}

export function pick<T>(r: () => number, xs: readonly T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.floor(r() * xs.length)];
}

/** What the explored states offer: statements, each node's variables and known sets. */
export interface Explored {
  readonly system: System;
  /** The states reached, in breadth-first order. */
  readonly states: readonly State[];
  readonly statements: readonly Statement[];
  /** Per node index: the variable vectors and known sets seen. */
  readonly vars: readonly (readonly Value[])[][];
  readonly worlds: readonly KnownIndex[][];
  /** Values seen anywhere (variables, record fields), for random bindings. */
  readonly samples: readonly Value[];
}

/** Breadth-first over the model's own steps, at most `limit` states. */
export function explore(model: ModelInstance, limit: number): Explored {
  const system = new System(model);
  const init = system.initialState();
  const seen = new Set<string>();
  const queue = [init];
  const states: State[] = [];
  while (queue.length > 0 && states.length < limit) {
    const s = queue.shift()!;
    const k = JSON.stringify([s.vars.map((v) => v.map(keyOf)), s.pool, s.known, s.handled]);
    if (seen.has(k)) continue;
    seen.add(k);
    states.push(s);
    try {
      for (const succ of system.successors(s)) queue.push(succ.state);
    } catch (e) {
      if (!(e instanceof EvalError) && !(e instanceof StepError)) throw e;
    }
  }
  const statements = new Map<number, Statement>();
  const vars = model.nodes.map(() => [] as Value[][]);
  const worlds = model.nodes.map(() => [] as KnownIndex[]);
  const samples = new Map<string, Value>();
  const sample = (v: Value): void => {
    samples.set(keyOf(v), v);
    if (typeof v === 'object') (v.kind === 'set' ? v.elems : v.kind === 'record' ? v.fields : [v.record]).forEach(sample);
  };
  for (const s of states) {
    for (const id of s.pool) statements.set(id, system.interner.stmt(id));
    model.nodes.forEach((n, i) => {
      vars[i]!.push([...s.vars[i]!]);
      s.vars[i]!.forEach(sample);
      if (worlds[i]!.length < 40) {
        const w = new KnownIndex(model.everyone);
        for (const id of s.known[i]!) w.add(system.interner.stmt(id));
        worlds[i]!.push(w);
      }
    });
  }
  for (const st of statements.values()) {
    sample(st.record);
    sample(st.issuer);
  }
  for (const p of model.everyone) sample(p);
  for (const v of [-1, 0, 1, 2, 3, true, false, EMPTY_SET, '1', makeSet(model.everyone)]) sample(v);
  return { system, states, statements: [...statements.values()], vars, worlds, samples: [...samples.values()] };
}

/** The ids of every name an expression, pattern or body binds (parameters, binders, locals, quantifiers). */
export function bindersOf(decl: A.Transition): { id: number; domain?: A.Node['id']; recordType?: string }[] {
  const out: { id: number; domain?: number; recordType?: string }[] = decl.params.map((p) => ({ id: p.name.id, domain: p.id }));
  const pattern = (p: A.Pattern): void => {
    if (p.binder !== undefined) out.push({ id: p.binder.id, recordType: p.recordType.name });
    if (p.issuer.kind === 'single') out.push({ id: p.issuer.binder.id });
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) out.push({ id: p.issuer.binder.id });
    if (p.statements !== undefined) out.push({ id: p.statements.id });
    patternExprs(p).forEach(expr);
  };
  const expr = (e: A.Expr): void => {
    if (e.kind === 'setFilter' || e.kind === 'setMap' || e.kind === 'quant') out.push({ id: e.binder.id });
    if (e.kind === 'known') pattern(e.pattern);
    children(e).forEach(expr);
  };
  decl.patterns.forEach(pattern);
  if (decl.unless !== undefined) pattern(decl.unless);
  if (decl.guard !== undefined) expr(decl.guard);
  const stmts = (ss: readonly A.Stmt[]): void => {
    for (const st of ss) {
      if (st.kind === 'local') out.push({ id: st.name.id, domain: st.id });
      if (st.kind === 'publish' && st.progress !== undefined) pattern(st.progress);
      stmtExprs(st).forEach(expr);
      if (st.kind === 'if') {
        stmts(st.then);
        stmts(st.else);
      }
    }
  };
  stmts(decl.body);
  return out;
}

function stmtExprs(st: A.Stmt): A.Expr[] {
  switch (st.kind) {
    case 'local':
    case 'assign':
      return [st.value];
    case 'if':
      return [st.cond];
    case 'publish':
      return [...st.args.map((a) => a.value), ...(st.verifier.kind === 'expr' ? [st.verifier.expr] : []), ...(st.auditor.kind === 'expr' ? [st.auditor.expr] : [])];
  }
}

/** Every expression of a transition and its subexpressions (inside KNOWN patterns too). */
export function expressionsOf(decl: A.Transition): A.Expr[] {
  const out: A.Expr[] = [];
  const expr = (e: A.Expr): void => {
    out.push(e);
    if (e.kind === 'known') patternExprs(e.pattern).forEach(expr);
    children(e).forEach(expr);
  };
  const pattern = (p: A.Pattern): void => patternExprs(p).forEach(expr);
  decl.patterns.forEach(pattern);
  if (decl.unless !== undefined) pattern(decl.unless);
  if (decl.guard !== undefined) expr(decl.guard);
  const stmts = (ss: readonly A.Stmt[]): void => {
    for (const st of ss) {
      stmtExprs(st).forEach(expr);
      if (st.kind === 'publish' && st.progress !== undefined) pattern(st.progress);
      if (st.kind === 'if') {
        stmts(st.then);
        stmts(st.else);
      }
    }
  };
  stmts(decl.body);
  return out;
}

/** Random bindings: a right-typed value where the binder's type or record type says, a random one, or none. */
// A binder's domain, enumerated once per exploration: a set-of-records
// domain (PBFTBatched's `SET OF Slot` local) has 65,536 values at B = 2, and
// enumerating it at every trial made that program's comparison 4x slower.
const enumerated = new WeakMap<Explored, Map<unknown, readonly Value[]>>();
function domainValues(dom: Parameters<typeof enumerate>[0], ex: Explored): readonly Value[] {
  let byDom = enumerated.get(ex);
  if (byDom === undefined) enumerated.set(ex, (byDom = new Map()));
  let values = byDom.get(dom);
  if (values === undefined) {
    // A domain that cannot be enumerated (too large, or not finite) gives no values, once.
    try {
      values = enumerate(dom, ex.system.ev, { start: 0, end: 0 });
    } catch {
      values = [];
    }
    byDom.set(dom, values);
  }
  return values;
}

export function randomBound(r: () => number, ex: Explored, program: CheckedProgram, binders: ReturnType<typeof bindersOf>): Map<number, Value> {
  const m = new Map<number, Value>();
  for (const b of binders) {
    const x = r();
    if (x < 0.12) continue;
    let v: Value | undefined;
    if (x < 0.7) {
      if (b.recordType !== undefined) v = pick(r, ex.statements.filter((s) => s.record.type === b.recordType).map((s) => s.record));
      const dom = b.domain === undefined ? undefined : program.domainOf.get(b.domain);
      if (v === undefined && dom !== undefined) {
        v = pick(r, domainValues(dom, ex));
      }
    }
    v ??= pick(r, ex.samples);
    if (v !== undefined) m.set(b.id, v);
  }
  return m;
}

export type Outcome = { readonly ok: string } | { readonly error: string };

/** Runs `f`, keeping its value's key (or `show`) or its error's code, message and location. */
export function outcome<T>(f: () => T, show: (v: T) => string): Outcome {
  try {
    return { ok: show(f()) };
  } catch (e) {
    if (e instanceof EvalError) return { error: `${e.code} ${e.message} @${e.span.start}-${e.span.end}` };
    if (e instanceof Error) return { error: `${e.constructor.name}: ${e.message}` };
    throw e;
  }
}
