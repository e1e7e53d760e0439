// The one evaluator of MOMMIE expressions, used by the model checker, the
// property checker and (later) the runtime. It reads names through the
// checker's resolution table, so it never re-resolves anything.

import type { CheckedProgram } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type * as A from '../syntax/ast.js';
import { describeDomain, domainSet, inDomain, type DomainContext } from './domain.js';
import { statementPart } from './certificates.js';
import { EvalError } from './errors.js';
import { EMPTY_SET, equalValues, isRecord, isSet, isStatement, makeRecord, makeSet, setHas, showValue, type SetValue, type Value } from './value.js';

export interface EvalEnv {
  /** The node running a transition; absent in properties and constants. */
  readonly me?: string;
  /** The running node's role variables, by index (see `varIndex`). */
  readonly vars?: Value[];
  readonly varIndex?: ReadonlyMap<string, number>;
  /** Values of bound names, by the id of their binding occurrence. */
  readonly bound: Map<number, Value>;
  /** `KNOWN pattern` at the running node. */
  readonly known?: (p: A.Pattern, env: EvalEnv) => boolean;
  /** `STATEMENTS p`: the known statements that match `p` (issue 25). */
  readonly knownStatements?: (p: A.Pattern, env: EvalEnv) => Value;
  /** `p.var` in properties. */
  readonly nodeVar?: (principal: string, variable: string, at: Span) => Value;
  readonly correct?: SetValue;
  readonly faulty?: SetValue;
}

/**
 * A function the program leaves to its implementation, as the host supplies
 * it: the seam through which body programs (`mommie build --bodies`) will
 * give their own. It must be a function: the same arguments, the same value.
 */
export type HostFunction = (args: readonly Value[]) => Value;

/** A model's definition of a function the program leaves to its implementation. */
export interface FunctionDefinition {
  readonly params: readonly A.Ident[];
  readonly body: A.Expr;
}

/** Who gives the functions the program leaves to its implementation their values. */
export interface SuppliedFunctions {
  /** The model's definitions (model checking, and runs under --model). */
  readonly definitions?: ReadonlyMap<string, FunctionDefinition>;
  /** The host's; they win over the model's definitions. */
  readonly host?: ReadonlyMap<string, HostFunction>;
}

/** One call of a function the program leaves to its implementation, as traces log it. */
export interface SuppliedCall {
  readonly name: string;
  readonly args: readonly Value[];
  readonly result: Value;
}

/** An operand that must be an integer (MOM503 at `side` otherwise). */
export function expectInt(v: Value, side: A.Expr): number {
  if (typeof v !== 'number') throw new EvalError('MOM503', 'an integer was expected', side.span);
  return v;
}

/** An operand that must be a set (MOM503 at `side` otherwise). */
export function expectSet(v: Value, side: A.Expr): SetValue {
  if (!isSet(v)) throw new EvalError('MOM503', 'a set was expected', side.span);
  return v;
}

/**
 * `l / d` or `l % d` as TLA+ defines \div and %: floor division, and a
 * remainder in 0..d-1. The divisor must be positive (TLC refuses the rest
 * too), and is checked before the dividend's type (`dividend` checks it).
 */
export function divide(op: '/' | '%', l: Value, d: number, dividend: () => number, show: (v: Value) => string, at: Span): number {
  if (d <= 0) throw new EvalError('MOM500', `${d === 0 ? 'division by zero' : 'division by a negative number'} (${show(l)} ${op} ${d})`, at);
  const n = dividend();
  return op === '/' ? Math.floor(n / d) : ((n % d) + d) % d;
}

export class Evaluator implements DomainContext {
  /**
   * Told of every call of a function the program leaves to its
   * implementation, after its result passed its type: the runtime logs them so
   * that replay can check that nodes agree on the function.
   */
  onSuppliedCall: ((call: SuppliedCall) => void) | undefined;

  private readonly constantValues = new Map<string, Value | 'pending'>();
  private readonly fieldIndex = new Map<string, Map<string, number>>();
  /**
   * Values of closed expressions (principals, sets of them, constants and
   * arithmetic over them: `R MINUS {PRIMARY}`, `2*F + 1`), by expression id.
   * They are the same in every state of a model, and the matcher evaluates
   * them for every candidate statement.
   */
  private readonly closedValues = new Map<number, Value>();
  private readonly closedness = new Map<number, boolean>();

  constructor(
    readonly program: CheckedProgram,
    /** A model's constant overrides: name -> value expression. */
    private readonly overrides: ReadonlyMap<string, A.Expr> = new Map(),
    /** A run's constant overrides (a deployment's [Constants]), which win over the model's. */
    private readonly valueOverrides: ReadonlyMap<string, Value> = new Map(),
    private readonly supplied: SuppliedFunctions = {},
  ) {
    for (const [name, r] of program.records) {
      this.fieldIndex.set(name, new Map(r.fields.map((f, i) => [f.name, i])));
    }
  }

  // ---------- constants and domains ----------

  constant(name: string, at: Span): Value {
    const known = this.constantValues.get(name);
    if (known === 'pending') throw new EvalError('MOM503', `constant ${name} depends on itself`, at);
    if (known !== undefined) return known;
    const given = this.valueOverrides.get(name);
    if (given !== undefined) {
      this.constantValues.set(name, given);
      return given;
    }
    const decl = this.program.constants.get(name);
    const expr = this.overrides.get(name) ?? decl?.value;
    if (expr === undefined) throw new EvalError('MOM503', `constant ${name} has no value`, at);
    this.constantValues.set(name, 'pending');
    const v = this.eval(expr, { bound: new Map() });
    this.constantValues.set(name, v);
    return v;
  }

  constInt(e: A.Expr): number {
    // A range bound reads only constants: its value is the same for the
    // model's whole life, and membership asks for it at every field checked.
    // Synthesized expressions (id < 0) share ids: never kept, as in eval.
    const known = e.id >= 0 ? this.constInts.get(e.id) : undefined;
    if (known !== undefined) return known;
    const v = this.eval(e, { bound: new Map() });
    if (typeof v !== 'number') throw new EvalError('MOM503', 'a range bound must be an integer', e.span);
    if (e.id >= 0) this.constInts.set(e.id, v);
    return v;
  }

  /** Range bounds evaluated, by expression id (an error is not kept: it is thrown again each time). */
  private readonly constInts = new Map<number, number>();

  /** Throws MOM501 unless `v` lies in `d`. */
  checkDomain(v: Value, d: Domain, what: string, at: Span): Value {
    if (!inDomain(v, d, this)) {
      throw new EvalError('MOM501', `${what} would be ${this.show(v)}, outside its type ${describeDomain(d, this)}`, at);
    }
    return v;
  }

  show(v: Value): string {
    return showValue(v, (t) => this.program.records.get(t)?.fields.map((f) => f.name) ?? []);
  }

  fieldOf(r: Value, field: string, at: Span): Value {
    if (isStatement(r)) return statementPart(r, field, at);
    if (!isRecord(r)) throw new EvalError('MOM503', `.${field} of a value that is not a record`, at);
    const i = this.fieldIndex.get(r.type)?.get(field);
    const v = i === undefined ? undefined : r.fields[i];
    if (v === undefined) throw new EvalError('MOM503', `record ${r.type} has no field ${field}`, at);
    return v;
  }

  // ---------- expressions ----------

  evalBool(e: A.Expr, env: EvalEnv): boolean {
    const v = this.eval(e, env);
    if (typeof v !== 'boolean') throw new EvalError('MOM503', 'a condition did not evaluate to a boolean', e.span);
    return v;
  }

  eval(e: A.Expr, env: EvalEnv): Value {
    const known = this.closedValues.get(e.id);
    if (known !== undefined) return known;
    // Synthesized expressions (id < 0) share ids: never cached.
    if (e.id >= 0 && e.kind !== 'int' && e.kind !== 'bool' && this.isClosed(e)) {
      const v = this.evalOpen(e, env);
      this.closedValues.set(e.id, v);
      return v;
    }
    return this.evalOpen(e, env);
  }

  /** Whether `e` reads nothing but principals, principal sets, enumeration values and constants. */
  private isClosed(e: A.Expr): boolean {
    const known = this.closedness.get(e.id);
    if (known !== undefined) return known;
    let closed: boolean;
    switch (e.kind) {
      case 'int':
      case 'bool':
        closed = true;
        break;
      case 'name': {
        const k = this.program.resolution.get(e.id)?.k;
        closed = k === 'principal' || k === 'enumValue' || k === 'principalSet' || k === 'constant';
        break;
      }
      case 'unary':
        closed = (e.op === '-' || e.op === 'NOT') && this.isClosed(e.operand);
        break;
      case 'binary':
        closed = this.isClosed(e.left) && this.isClosed(e.right);
        break;
      case 'setLit':
        closed = e.elems.every((x) => this.isClosed(x));
        break;
      default:
        closed = false;
    }
    this.closedness.set(e.id, closed);
    return closed;
  }

  private evalOpen(e: A.Expr, env: EvalEnv): Value {
    switch (e.kind) {
      case 'int':
      case 'bool':
        return e.value;
      case 'error':
        throw new EvalError('MOM503', 'cannot evaluate an expression with syntax errors', e.span);
      case 'me':
        if (env.me === undefined) throw new EvalError('MOM503', 'ME outside a transition', e.span);
        return env.me;
      case 'correct':
        return env.correct ?? EMPTY_SET;
      case 'faulty':
        return env.faulty ?? EMPTY_SET;
      case 'name':
        return this.name(e, env);
      case 'unary': {
        if (e.op === '-') return -this.int(e.operand, env);
        if (e.op === 'NOT') return !this.evalBool(e.operand, env);
        throw new EvalError('MOM503', `${e.op} is temporal; it is checked by the property checker, not evaluated in a state`, e.span);
      }
      case 'binary':
        return this.binary(e, env);
      case 'field': {
        const target = this.eval(e.target, env);
        if (typeof target === 'string' && env.nodeVar !== undefined && !isRecord(target)) {
          return env.nodeVar(target, e.field.name, e.span);
        }
        return this.fieldOf(target, e.field.name, e.span);
      }
      case 'call':
        return this.call(e, env);
      case 'setLit':
        return makeSet(e.elems.map((x) => this.eval(x, env)));
      case 'setFilter': {
        const dom = this.set(e.domain, env);
        const out: Value[] = [];
        for (const x of dom.elems) {
          env.bound.set(e.binder.id, x);
          if (this.evalBool(e.predicate, env)) out.push(x);
        }
        env.bound.delete(e.binder.id);
        return makeSet(out);
      }
      case 'setMap': {
        const dom = this.set(e.domain, env);
        const out: Value[] = [];
        for (const x of dom.elems) {
          env.bound.set(e.binder.id, x);
          out.push(this.eval(e.element, env));
        }
        env.bound.delete(e.binder.id);
        return makeSet(out);
      }
      case 'quant': {
        const dom = this.set(e.domain, env);
        const wantAll = e.quantifier === 'FORALL';
        let result = wantAll;
        for (const x of dom.elems) {
          env.bound.set(e.binder.id, x);
          if (this.evalBool(e.body, env) !== wantAll) {
            result = !wantAll;
            break;
          }
        }
        env.bound.delete(e.binder.id);
        return result;
      }
      case 'ite':
        return this.evalBool(e.cond, env) ? this.eval(e.then, env) : this.eval(e.else, env);
      case 'known':
        if (e.collect === true) {
          if (env.knownStatements === undefined) throw new EvalError('MOM503', 'STATEMENTS outside a transition', e.span);
          return env.knownStatements(e.pattern, env);
        }
        if (env.known === undefined) throw new EvalError('MOM503', 'KNOWN outside a transition', e.span);
        return env.known(e.pattern, env);
    }
  }

  private int(e: A.Expr, env: EvalEnv): number {
    const v = this.eval(e, env);
    if (typeof v !== 'number') throw new EvalError('MOM503', 'an integer was expected', e.span);
    return v;
  }

  set(e: A.Expr, env: EvalEnv): SetValue {
    const v = this.eval(e, env);
    if (!isSet(v)) throw new EvalError('MOM503', 'a set was expected', e.span);
    return v;
  }

  private name(e: A.Expr & { kind: 'name' }, env: EvalEnv): Value {
    const s = this.program.resolution.get(e.id);
    switch (s?.k) {
      case 'principal':
      case 'enumValue':
        return s.name;
      case 'principalSet':
        return makeSet(this.program.principalSets.get(s.name) ?? []);
      case 'constant':
        return this.constant(s.name, e.span);
      case 'roleVar': {
        const i = env.varIndex?.get(s.name);
        const v = i === undefined ? undefined : env.vars?.[i];
        if (v === undefined) throw new EvalError('MOM503', `variable ${s.name} is not readable here`, e.span);
        return v;
      }
      case 'bound': {
        const v = env.bound.get(s.declId);
        if (v === undefined) throw new EvalError('MOM503', `${s.name} has no value here`, e.span);
        return v;
      }
      case 'type':
        return domainSet(s.domain, this, e.span);
      default:
        throw new EvalError('MOM503', `${e.name} has no value`, e.span);
    }
  }

  private binary(e: A.Expr & { kind: 'binary' }, env: EvalEnv): Value {
    switch (e.op) {
      case 'AND':
        return this.evalBool(e.left, env) && this.evalBool(e.right, env);
      case 'OR':
        return this.evalBool(e.left, env) || this.evalBool(e.right, env);
      case 'IMPLIES':
        return !this.evalBool(e.left, env) || this.evalBool(e.right, env);
      case '~>':
        throw new EvalError('MOM503', '~> is temporal; it is checked by the property checker', e.span);
      default:
        break;
    }
    const l = this.eval(e.left, env);
    const r = this.eval(e.right, env);
    const num = expectInt;
    const set = expectSet;
    switch (e.op) {
      case '+':
        return num(l, e.left) + num(r, e.right);
      case '-':
        return num(l, e.left) - num(r, e.right);
      case '*':
        return num(l, e.left) * num(r, e.right);
      case '/':
      case '%':
        return divide(e.op, l, num(r, e.right), () => num(l, e.left), (v) => this.show(v), e.span);
      case '<':
        return num(l, e.left) < num(r, e.right);
      case '<=':
        return num(l, e.left) <= num(r, e.right);
      case '>':
        return num(l, e.left) > num(r, e.right);
      case '>=':
        return num(l, e.left) >= num(r, e.right);
      case '==':
        return equalValues(l, r);
      case '!=':
        return !equalValues(l, r);
      case 'IN':
        return setHas(set(r, e.right), l);
      case 'NOTIN':
        return !setHas(set(r, e.right), l);
      case 'SUBSETEQ': {
        const rs = set(r, e.right);
        return set(l, e.left).elems.every((x) => setHas(rs, x));
      }
      case 'UNION':
        return makeSet([...set(l, e.left).elems, ...set(r, e.right).elems]);
      case 'INTER': {
        const rs = set(r, e.right);
        return makeSet(set(l, e.left).elems.filter((x) => setHas(rs, x)));
      }
      case 'MINUS': {
        const rs = set(r, e.right);
        return makeSet(set(l, e.left).elems.filter((x) => !setHas(rs, x)));
      }
      case '..': {
        const lo = num(l, e.left);
        const hi = num(r, e.right);
        if (hi - lo > 1_000_000) throw new EvalError('MOM502', `the range ${lo}..${hi} is too large`, e.span);
        const out: number[] = [];
        for (let i = lo; i <= hi; i++) out.push(i);
        return makeSet(out);
      }
      default:
        throw new EvalError('MOM503', `operator ${e.op} cannot be evaluated here`, e.span);
    }
  }

  private call(e: A.Expr & { kind: 'call' }, env: EvalEnv): Value {
    const s = this.program.resolution.get(e.callee.id);
    if (s === undefined && e.callee.name === 'size') {
      return this.set(e.args[0]!.value, env).elems.length;
    }
    if (s?.k === 'record') return this.construct(s.name, e.args, env, e.span);
    if (s?.k === 'function') {
      const f = this.program.functions.get(s.name)!;
      const args = f.params.map((_, i) => e.args[i]).filter((a) => a !== undefined).map((a) => this.eval(a.value, env));
      return this.apply(f, args, f.params.map((_, i) => e.args[i]?.value.span ?? e.span), e.span);
    }
    throw new EvalError('MOM503', `${e.callee.name} cannot be called`, e.callee.span);
  }

  /**
   * Calls a program function on values, as a call in the program would: body
   * programs call through this, so their calls are checked and logged alike.
   */
  callFunction(name: string, args: readonly Value[], at: Span): Value {
    const f = this.program.functions.get(name);
    if (f === undefined) throw new EvalError('MOM503', `the program declares no function ${name}`, at);
    return this.apply(f, args, f.params.map(() => at), at);
  }

  /** Applies a program function to evaluated arguments (the compiled core calls functions through this too). */
  apply(f: A.Decl & { kind: 'function' }, args: readonly Value[], argSpans: readonly Span[], at: Span): Value {
    const name = f.name.name;
    const inner: EvalEnv = { bound: new Map() };
    f.params.forEach((p, i) => {
      const v = args[i];
      if (v === undefined) return;
      const dom = this.program.domainOf.get(p.id);
      if (dom !== undefined) this.checkDomain(v, dom, `argument ${p.name.name} of ${name}`, argSpans[i] ?? at);
      inner.bound.set(p.name.id, v);
    });
    const result = f.body !== undefined ? this.eval(f.body, inner) : this.callSupplied(f, args);
    const dom = this.program.domainOf.get(f.id);
    if (dom !== undefined) this.checkDomain(result, dom, `the result of ${name}`, at);
    if (f.body === undefined) this.onSuppliedCall?.({ name, args, result });
    return result;
  }

  /** Whether the host supplies this function (otherwise a model's definition, evaluated here, does). */
  hostSupplies(name: string): boolean {
    return this.supplied.host?.has(name) === true;
  }

  /** The functions the program leaves to its implementation that nothing supplies here. */
  unsupplied(): (A.Decl & { kind: 'function' })[] {
    return [...this.program.functions.values()].filter((f) => f.body === undefined && !this.supplied.host?.has(f.name.name) && !this.supplied.definitions?.has(f.name.name));
  }

  private callSupplied(f: A.Decl & { kind: 'function' }, args: readonly Value[]): Value {
    const host = this.supplied.host?.get(f.name.name);
    if (host !== undefined) return host(args);
    const def = this.supplied.definitions?.get(f.name.name);
    // instantiate refuses a model or run that leaves one unsupplied (MOM505), so this is a guard.
    if (def === undefined) throw new EvalError('MOM505', `function ${f.name.name} is left to the program, and nothing supplies it in this run`, f.name.span);
    const inner: EvalEnv = { bound: new Map() };
    def.params.forEach((p, i) => {
      const v = args[i];
      if (v !== undefined) inner.bound.set(p.id, v);
    });
    return this.eval(def.body, inner);
  }

  /** Builds a record, checking every field against its declared domain. */
  construct(type: string, args: readonly A.Arg[], env: EvalEnv, at: Span): Value {
    const r = this.program.records.get(type);
    if (r === undefined) throw new EvalError('MOM503', `unknown record type ${type}`, at);
    const values: Value[] = new Array<Value>(r.fields.length);
    args.forEach((a, i) => {
      const idx = a.name === undefined ? i : (this.fieldIndex.get(type)?.get(a.name.name) ?? -1);
      const f = r.fields[idx];
      if (f === undefined) throw new EvalError('MOM503', `record ${type} has no such field`, a.span);
      values[idx] = this.checkDomain(this.eval(a.value, env), f.domain, `field ${f.name} of ${type}`, a.value.span);
    });
    return makeRecord(type, values);
  }
}
