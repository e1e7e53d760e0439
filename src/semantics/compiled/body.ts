// A body spec compiled into one closure over a frame: what BodyRunner.run
// does, statement by statement, in the same order and with the same errors.
// Role variables are written to the frame's `vars` (the step's own copy), locals
// to their slots.

import type * as A from '../../syntax/ast.js';
import type { RoleVars, StatementDraft } from '../body.js';
import { EvalError } from '../errors.js';
import { isSet, type RecordValue, type Value } from '../value.js';
import type { ExprCompiler } from './expr.js';
import type { Frame, Slots } from './frame.js';

export type CompiledBody = (f: Frame, vars: RoleVars, published: StatementDraft[]) => void;

type Principals = (f: Frame) => readonly string[];

export function compileBody(stmts: readonly A.Stmt[], slots: Slots, vars: ReadonlyMap<string, number>, x: ExprCompiler, everyone: readonly string[]): CompiledBody {
  const steps = stmts.map((st) => compileStmt(st, slots, vars, x, everyone));
  return (f, rv, published) => {
    for (const step of steps) step(f, rv, published);
  };
}

function compileStmt(st: A.Stmt, slots: Slots, vars: ReadonlyMap<string, number>, x: ExprCompiler, everyone: readonly string[]): CompiledBody {
  const program = x.program;
  const ev = x.ev;
  switch (st.kind) {
    case 'local': {
      const value = x.expr(st.value, slots, vars);
      const dom = program.domainOf.get(st.id);
      const slot = slots.slotOf(st.name.id);
      const name = st.name.name;
      return (f) => {
        const v = value(f);
        f.slots[slot] = dom === undefined ? v : ev.checkDomain(v, dom, name, st.value.span);
      };
    }
    case 'assign': {
      const value = x.expr(st.value, slots, vars);
      const target = program.resolution.get(st.target.id);
      if (target?.k === 'roleVar') {
        const i = vars.get(target.name)!;
        return (f, rv) => {
          const v = value(f);
          f.vars![i] = ev.checkDomain(v, rv.domains[i]!, rv.names[i]!, st.value.span);
        };
      }
      if (target?.k === 'bound') {
        const slot = slots.slotOf(target.declId);
        return (f) => {
          f.slots[slot] = value(f);
        };
      }
      return (f) => {
        value(f);
      };
    }
    case 'if': {
      const cond = x.bool(st.cond, slots, vars);
      const then = compileBody(st.then, slots, vars, x, everyone);
      const otherwise = compileBody(st.else, slots, vars, x, everyone);
      return (f, rv, published) => (cond(f) ? then(f, rv, published) : otherwise(f, rv, published));
    }
    case 'publish': {
      const record = x.construct(st.recordType.name, st.args, slots, vars, st.span);
      const verifiers = principals(st.verifier, slots, vars, x, everyone);
      const auditors = principals(st.auditor, slots, vars, x, everyone);
      return (f, _rv, published) => {
        const r = record(f) as RecordValue;
        published.push({ issuer: f.me!, verifiers: verifiers(f), auditors: auditors(f), record: r, site: st });
      };
    }
  }
}

/** As BodyRunner.principals. */
function principals(p: A.PrincipalsPattern, slots: Slots, vars: ReadonlyMap<string, number>, x: ExprCompiler, everyone: readonly string[]): Principals {
  switch (p.kind) {
    case 'everyone':
      return () => [...everyone];
    case 'noone':
    case 'none':
      return () => [];
    case 'expr': {
      const code = x.expr(p.expr, slots, vars);
      // The verifier set is nearly always the same value (`R`, values are
      // immutable): its sorted names are kept, not rebuilt and sorted at
      // every publication. Statements never modify their principal lists.
      let lastSet: Value | undefined;
      let lastNames: string[] = [];
      return (f) => {
        const v = code(f);
        if (typeof v === 'string') return [v];
        if (isSet(v)) {
          if (v !== lastSet) {
            lastNames = v.elems.map(String).sort();
            lastSet = v;
          }
          return lastNames;
        }
        throw new EvalError('MOM503', 'a principal or a set of principals was expected', p.span);
      };
    }
  }
}
