// MOMMIE expressions compiled once into closures over a Frame. Each closure
// does what Evaluator.eval does for its node, in the same order, with the
// same errors (code, message, location): the interpreter is the reference and
// the differential tests hold the two equal. What the compiler saves is the
// walk: names resolve to slots, role variables to indices, record fields to
// positions, closed expressions are computed once.

import type { CheckedProgram } from '../../analysis/program.js';
import type * as A from '../../syntax/ast.js';
import { statementPart } from '../certificates.js';
import { domainSet } from '../domain.js';
import { EvalError } from '../errors.js';
import { divide, expectInt, expectSet, type Evaluator } from '../eval.js';
import { EMPTY_SET, equalValues, isRecord, isSet, isStatement, makeRecord, makeSet, setHas, type SetValue, type Value } from '../value.js';
import { Slots, type Code, type Frame, type Test } from './frame.js';

/** How KNOWN patterns are compiled (by the join compiler, which compiles expressions through this one). */
export type KnownCompiler = (p: A.Pattern, slots: Slots, vars: ReadonlyMap<string, number> | undefined) => Test;

type FunctionDecl = A.Decl & { kind: 'function' };

export class ExprCompiler {
  private readonly fieldIndex = new Map<string, Map<string, number>>();
  private readonly functions = new Map<string, (args: readonly Value[]) => Value>();
  /** Calls handed to the interpreter (see CompiledCore.fallbacks). */
  fallbacks = 0;

  constructor(
    readonly program: CheckedProgram,
    readonly ev: Evaluator,
    private readonly compileKnown: KnownCompiler,
    /** `STATEMENTS p` (issue 25): the known statements matching p, as the interpreter's Matcher.statementsOf. */
    private readonly compileStatements: (p: A.Pattern, slots: Slots, vars: ReadonlyMap<string, number> | undefined) => Code,
  ) {
    for (const [name, r] of program.records) this.fieldIndex.set(name, new Map(r.fields.map((f, i) => [f.name, i])));
  }

  /** `e` as a closure; `vars` maps role variable names to indices in the frame's vars. */
  expr(e: A.Expr, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Code {
    const code = this.open(e, slots, vars);
    // Closed expressions are the same in every state: computed once, on first use
    // (never at compile time, where a failing one would fail a program that never evaluates it).
    if (e.id >= 0 && e.kind !== 'int' && e.kind !== 'bool' && this.isClosed(e)) {
      let memo: Value | undefined;
      return (f) => (memo !== undefined ? memo : (memo = code(f)));
    }
    return code;
  }

  bool(e: A.Expr, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Test {
    const code = this.expr(e, slots, vars);
    return (f) => {
      const v = code(f);
      if (typeof v !== 'boolean') throw new EvalError('MOM503', 'a condition did not evaluate to a boolean', e.span);
      return v;
    };
  }

  private int(e: A.Expr, slots: Slots, vars: ReadonlyMap<string, number> | undefined): (f: Frame) => number {
    const code = this.expr(e, slots, vars);
    return (f) => {
      const v = code(f);
      if (typeof v !== 'number') throw new EvalError('MOM503', 'an integer was expected', e.span);
      return v;
    };
  }

  set(e: A.Expr, slots: Slots, vars: ReadonlyMap<string, number> | undefined): (f: Frame) => SetValue {
    const code = this.expr(e, slots, vars);
    return (f) => {
      const v = code(f);
      if (!isSet(v)) throw new EvalError('MOM503', 'a set was expected', e.span);
      return v;
    };
  }

  private isClosed(e: A.Expr): boolean {
    switch (e.kind) {
      case 'int':
      case 'bool':
        return true;
      case 'name': {
        const k = this.program.resolution.get(e.id)?.k;
        return k === 'principal' || k === 'enumValue' || k === 'principalSet' || k === 'constant';
      }
      case 'unary':
        return (e.op === '-' || e.op === 'NOT') && this.isClosed(e.operand);
      case 'binary':
        return this.isClosed(e.left) && this.isClosed(e.right);
      case 'setLit':
        return e.elems.every((x) => this.isClosed(x));
      default:
        return false;
    }
  }

  private open(e: A.Expr, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Code {
    switch (e.kind) {
      case 'int':
      case 'bool': {
        const v = e.value;
        return () => v;
      }
      case 'error':
        return () => {
          throw new EvalError('MOM503', 'cannot evaluate an expression with syntax errors', e.span);
        };
      case 'me':
        return (f) => {
          if (f.me === undefined) throw new EvalError('MOM503', 'ME outside a transition', e.span);
          return f.me;
        };
      // Only state predicates see CORRECT and FAULTY; a transition reads them as empty, as the interpreter does without them.
      case 'correct':
        return (f) => f.state?.correct ?? EMPTY_SET;
      case 'faulty':
        return (f) => f.state?.faulty ?? EMPTY_SET;
      case 'name':
        return this.name(e, slots, vars);
      case 'unary': {
        if (e.op === '-') {
          const x = this.int(e.operand, slots, vars);
          return (f) => -x(f);
        }
        if (e.op === 'NOT') {
          const x = this.bool(e.operand, slots, vars);
          return (f) => !x(f);
        }
        return () => {
          throw new EvalError('MOM503', `${e.op} is temporal; it is checked by the property checker, not evaluated in a state`, e.span);
        };
      }
      case 'binary':
        return this.binary(e, slots, vars);
      case 'field': {
        const target = this.expr(e.target, slots, vars);
        const name = e.field.name;
        let lastType = '';
        let lastIdx: number | undefined;
        return (f) => {
          const r = target(f);
          // `p.v` of a principal in a state predicate: node p's variable v (as the interpreter's nodeVar).
          if (typeof r === 'string' && f.state !== undefined) return f.state.nodeVar(r, name, e.span);
          if (isStatement(r)) return statementPart(r, name, e.span);
          if (!isRecord(r)) throw new EvalError('MOM503', `.${name} of a value that is not a record`, e.span);
          if (r.type !== lastType) {
            lastType = r.type;
            lastIdx = this.fieldIndex.get(r.type)?.get(name);
          }
          const v = lastIdx === undefined ? undefined : r.fields[lastIdx];
          if (v === undefined) throw new EvalError('MOM503', `record ${r.type} has no field ${name}`, e.span);
          return v;
        };
      }
      case 'call':
        return this.call(e, slots, vars);
      case 'setLit': {
        const elems = e.elems.map((x) => this.expr(x, slots, vars));
        return (f) => makeSet(elems.map((x) => x(f)));
      }
      case 'setFilter': {
        const dom = this.set(e.domain, slots, vars);
        const slot = slots.slotOf(e.binder.id);
        const pred = this.bool(e.predicate, slots, vars);
        return (f) => {
          const d = dom(f);
          const out: Value[] = [];
          for (const x of d.elems) {
            f.slots[slot] = x;
            if (pred(f)) out.push(x);
          }
          f.slots[slot] = undefined;
          return makeSet(out);
        };
      }
      case 'setMap': {
        const dom = this.set(e.domain, slots, vars);
        const slot = slots.slotOf(e.binder.id);
        const elem = this.expr(e.element, slots, vars);
        return (f) => {
          const d = dom(f);
          const out: Value[] = [];
          for (const x of d.elems) {
            f.slots[slot] = x;
            out.push(elem(f));
          }
          f.slots[slot] = undefined;
          return makeSet(out);
        };
      }
      case 'quant': {
        const dom = this.set(e.domain, slots, vars);
        const slot = slots.slotOf(e.binder.id);
        const body = this.bool(e.body, slots, vars);
        const wantAll = e.quantifier === 'FORALL';
        return (f) => {
          const d = dom(f);
          let result = wantAll;
          for (const x of d.elems) {
            f.slots[slot] = x;
            if (body(f) !== wantAll) {
              result = !wantAll;
              break;
            }
          }
          f.slots[slot] = undefined;
          return result;
        };
      }
      case 'ite': {
        const c = this.bool(e.cond, slots, vars);
        const t = this.expr(e.then, slots, vars);
        const el = this.expr(e.else, slots, vars);
        return (f) => (c(f) ? t(f) : el(f));
      }
      case 'known': {
        if (e.collect === true) {
          const collect = this.compileStatements(e.pattern, slots, vars);
          return (f) => {
            if (f.world === undefined) throw new EvalError('MOM503', 'STATEMENTS outside a transition', e.span);
            return collect(f);
          };
        }
        const test = this.compileKnown(e.pattern, slots, vars);
        return (f) => {
          if (f.world === undefined) throw new EvalError('MOM503', 'KNOWN outside a transition', e.span);
          return test(f);
        };
      }
    }
  }

  private name(e: A.Expr & { kind: 'name' }, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Code {
    const s = this.program.resolution.get(e.id);
    switch (s?.k) {
      case 'principal':
      case 'enumValue': {
        const v = s.name;
        return () => v;
      }
      case 'principalSet': {
        const v = makeSet(this.program.principalSets.get(s.name) ?? []);
        return () => v;
      }
      case 'constant': {
        const name = s.name;
        return () => this.ev.constant(name, e.span);
      }
      case 'roleVar': {
        const i = vars?.get(s.name);
        const name = s.name;
        return (f) => {
          const v = i === undefined ? undefined : f.vars?.[i];
          if (v === undefined) throw new EvalError('MOM503', `variable ${name} is not readable here`, e.span);
          return v;
        };
      }
      case 'bound': {
        const slot = slots.slotOf(s.declId);
        const name = s.name;
        return (f) => {
          const v = f.slots[slot];
          if (v === undefined) throw new EvalError('MOM503', `${name} has no value here`, e.span);
          return v;
        };
      }
      case 'type': {
        const domain = s.domain;
        let memo: SetValue | undefined;
        return () => (memo !== undefined ? memo : (memo = domainSet(domain, this.ev, e.span)));
      }
      default:
        return () => {
          throw new EvalError('MOM503', `${e.name} has no value`, e.span);
        };
    }
  }

  private binary(e: A.Expr & { kind: 'binary' }, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Code {
    switch (e.op) {
      case 'AND': {
        const l = this.bool(e.left, slots, vars);
        const r = this.bool(e.right, slots, vars);
        return (f) => l(f) && r(f);
      }
      case 'OR': {
        const l = this.bool(e.left, slots, vars);
        const r = this.bool(e.right, slots, vars);
        return (f) => l(f) || r(f);
      }
      case 'IMPLIES': {
        const l = this.bool(e.left, slots, vars);
        const r = this.bool(e.right, slots, vars);
        return (f) => !l(f) || r(f);
      }
      case '~>':
        return () => {
          throw new EvalError('MOM503', '~> is temporal; it is checked by the property checker', e.span);
        };
      default:
        break;
    }
    // Both sides are evaluated before either is checked, as the interpreter does.
    const l = this.expr(e.left, slots, vars);
    const r = this.expr(e.right, slots, vars);
    const num = expectInt;
    const set = expectSet;
    const L = e.left;
    const R = e.right;
    switch (e.op) {
      case '+':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) + num(b, R); };
      case '-':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) - num(b, R); };
      case '*':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) * num(b, R); };
      case '/':
      case '%': {
        const op = e.op;
        const show = (v: Value): string => this.ev.show(v);
        return (f) => {
          const a = l(f);
          const b = r(f);
          return divide(op, a, num(b, R), () => num(a, L), show, e.span);
        };
      }
      case '<':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) < num(b, R); };
      case '<=':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) <= num(b, R); };
      case '>':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) > num(b, R); };
      case '>=':
        return (f) => { const a = l(f); const b = r(f); return num(a, L) >= num(b, R); };
      case '==':
        return (f) => equalValues(l(f), r(f));
      case '!=':
        return (f) => !equalValues(l(f), r(f));
      case 'IN':
        return (f) => { const a = l(f); const b = r(f); return setHas(set(b, R), a); };
      case 'NOTIN':
        return (f) => { const a = l(f); const b = r(f); return !setHas(set(b, R), a); };
      case 'SUBSETEQ':
        return (f) => {
          const a = l(f);
          const rs = set(r(f), R);
          return set(a, L).elems.every((x) => setHas(rs, x));
        };
      case 'UNION':
        return (f) => { const a = l(f); const b = r(f); return makeSet([...set(a, L).elems, ...set(b, R).elems]); };
      case 'INTER':
        return (f) => {
          const a = l(f);
          const rs = set(r(f), R);
          return makeSet(set(a, L).elems.filter((x) => setHas(rs, x)));
        };
      case 'MINUS':
        return (f) => {
          const a = l(f);
          const rs = set(r(f), R);
          return makeSet(set(a, L).elems.filter((x) => !setHas(rs, x)));
        };
      case '..':
        return (f) => {
          const a = l(f);
          const b = r(f);
          const lo = num(a, L);
          const hi = num(b, R);
          if (hi - lo > 1_000_000) throw new EvalError('MOM502', `the range ${lo}..${hi} is too large`, e.span);
          const out: number[] = [];
          for (let i = lo; i <= hi; i++) out.push(i);
          return makeSet(out);
        };
      default:
        return () => {
          throw new EvalError('MOM503', `operator ${e.op} cannot be evaluated here`, e.span);
        };
    }
  }

  private call(e: A.Expr & { kind: 'call' }, slots: Slots, vars: ReadonlyMap<string, number> | undefined): Code {
    const s = this.program.resolution.get(e.callee.id);
    if (s === undefined && e.callee.name === 'size') {
      const arg = this.set(e.args[0]!.value, slots, vars);
      return (f) => arg(f).elems.length;
    }
    if (s?.k === 'record') return this.construct(s.name, e.args, slots, vars, e.span);
    if (s?.k === 'function') {
      const decl = this.program.functions.get(s.name)!;
      const args = decl.params.map((_, i) => e.args[i]).filter((a) => a !== undefined).map((a) => this.expr(a.value, slots, vars));
      const argSpans = decl.params.map((_, i) => e.args[i]?.value.span ?? e.span);
      if (decl.body === undefined) {
        // Left to the implementation: the evaluator supplies it, checks it and
        // logs the call; a model's definition is evaluated by the interpreter.
        const interpreted = !this.ev.hostSupplies(decl.name.name);
        return (f) => {
          const values = args.map((a) => a(f));
          if (interpreted) this.fallbacks++;
          return this.ev.apply(decl, values, argSpans, e.span);
        };
      }
      const fn = this.functionBody(decl);
      return (f) => {
        const values = args.map((a) => a(f));
        return this.checkedCall(decl, fn, values, argSpans, e.span);
      };
    }
    return () => {
      throw new EvalError('MOM503', `${e.callee.name} cannot be called`, e.callee.span);
    };
  }

  /** A program function with a body, as Evaluator.apply runs it: arguments checked, body, result checked. */
  private checkedCall(decl: FunctionDecl, body: (args: readonly Value[]) => Value, args: readonly Value[], argSpans: readonly A.Node['span'][], at: A.Node['span']): Value {
    const name = decl.name.name;
    decl.params.forEach((p, i) => {
      const v = args[i];
      if (v === undefined) return;
      const dom = this.program.domainOf.get(p.id);
      if (dom !== undefined) this.ev.checkDomain(v, dom, `argument ${p.name.name} of ${name}`, argSpans[i] ?? at);
    });
    const result = body(args);
    const dom = this.program.domainOf.get(decl.id);
    if (dom !== undefined) this.ev.checkDomain(result, dom, `the result of ${name}`, at);
    return result;
  }

  /** A function's body, compiled once into its own unit (recursion reaches the same closure). */
  private functionBody(decl: FunctionDecl): (args: readonly Value[]) => Value {
    const name = decl.name.name;
    const known = this.functions.get(name);
    if (known !== undefined) return known;
    let code: Code | undefined;
    let unit: Slots | undefined;
    const paramSlots: number[] = [];
    const fn = (args: readonly Value[]): Value => {
      const frame = unit!.newFrame(undefined, undefined, undefined);
      args.forEach((v, i) => {
        if (v !== undefined && paramSlots[i] !== undefined) frame.slots[paramSlots[i]!] = v;
      });
      return code!(frame);
    };
    this.functions.set(name, fn);
    unit = new Slots();
    for (const p of decl.params) paramSlots.push(unit.slotOf(p.name.id));
    code = this.expr(decl.body!, unit, undefined);
    return fn;
  }

  /** Builds a record, checking every field against its declared type, in written order. */
  construct(type: string, args: readonly A.Arg[], slots: Slots, vars: ReadonlyMap<string, number> | undefined, at: A.Node['span']): Code {
    const r = this.program.records.get(type);
    if (r === undefined) {
      return () => {
        throw new EvalError('MOM503', `unknown record type ${type}`, at);
      };
    }
    const n = r.fields.length;
    const parts = args.map((a, i) => {
      const idx = a.name === undefined ? i : (this.fieldIndex.get(type)?.get(a.name.name) ?? -1);
      const field = r.fields[idx];
      const value = this.expr(a.value, slots, vars);
      return { idx, field, value, span: a.value.span, argSpan: a.span };
    });
    return (f) => {
      const values: Value[] = new Array<Value>(n);
      for (const p of parts) {
        if (p.field === undefined) throw new EvalError('MOM503', `record ${type} has no such field`, p.argSpan);
        values[p.idx] = this.ev.checkDomain(p.value(f), p.field.domain, `field ${p.field.name} of ${type}`, p.span);
      }
      return makeRecord(type, values);
    };
  }
}
