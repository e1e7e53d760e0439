// Folds the expressions the front end must know before any model runs:
// quorum thresholds, the sizes of principal sets, range bounds, initial values.
// Anything else evaluates to `undefined` ("not constant"); the full evaluator
// lives in the semantics stage.

import type { Expr } from '../syntax/ast.js';

export type ConstValue = number | boolean | string | { readonly set: readonly (number | string)[] };

export interface ConstEnv {
  /** The value of a constant, a principal (its own name) or a principal set. */
  lookup(name: string): ConstValue | undefined;
}

function asSet(v: ConstValue | undefined): readonly (number | string)[] | undefined {
  return typeof v === 'object' ? v.set : undefined;
}
function mkSet(items: Iterable<number | string>): ConstValue {
  return { set: [...new Set(items)].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)) };
}

export function constEval(e: Expr, env: ConstEnv, depth = 0): ConstValue | undefined {
  // The parser bounds trees at 200 levels (MOM112); this only guards recursion.
  if (depth > 1000) return undefined;
  const ev = (x: Expr): ConstValue | undefined => constEval(x, env, depth + 1);
  switch (e.kind) {
    case 'int':
    case 'bool':
      return e.value;
    case 'name':
      return env.lookup(e.name);
    case 'unary': {
      const v = ev(e.operand);
      if (e.op === '-' && typeof v === 'number') return -v;
      if (e.op === 'NOT' && typeof v === 'boolean') return !v;
      return undefined;
    }
    case 'setLit': {
      const items: (number | string)[] = [];
      for (const x of e.elems) {
        const v = ev(x);
        if (typeof v !== 'number' && typeof v !== 'string') return undefined;
        items.push(v);
      }
      return mkSet(items);
    }
    case 'call':
      if (e.callee.name === 'size' && e.args.length === 1 && e.args[0] !== undefined) {
        const s = asSet(ev(e.args[0].value));
        return s === undefined ? undefined : s.length;
      }
      return undefined;
    case 'ite': {
      const c = ev(e.cond);
      return typeof c === 'boolean' ? ev(c ? e.then : e.else) : undefined;
    }
    case 'binary': {
      const l = ev(e.left);
      const r = ev(e.right);
      if (l === undefined || r === undefined) return undefined;
      if (typeof l === 'number' && typeof r === 'number') {
        switch (e.op) {
          case '+': return l + r;
          case '-': return l - r;
          case '*': return l * r;
          case '/': return r <= 0 ? undefined : Math.floor(l / r);
          case '%': return r <= 0 ? undefined : ((l % r) + r) % r;
          case '<': return l < r;
          case '<=': return l <= r;
          case '>': return l > r;
          case '>=': return l >= r;
          case '==': return l === r;
          case '!=': return l !== r;
          case '..': {
            if (r - l > 100_000) return undefined;
            const items: number[] = [];
            for (let i = l; i <= r; i++) items.push(i);
            return { set: items };
          }
          default: return undefined;
        }
      }
      if (typeof l === 'boolean' && typeof r === 'boolean') {
        switch (e.op) {
          case 'AND': return l && r;
          case 'OR': return l || r;
          case 'IMPLIES': return !l || r;
          case '==': return l === r;
          case '!=': return l !== r;
          default: return undefined;
        }
      }
      const ls = asSet(l);
      const rs = asSet(r);
      if (ls !== undefined && rs !== undefined) {
        // A Set, not rs.includes: ranges hold up to 100000 values, and includes made this quadratic.
        const inR = new Set(rs);
        switch (e.op) {
          case 'UNION': return mkSet([...ls, ...rs]);
          case 'INTER': return mkSet(ls.filter((x) => inR.has(x)));
          case 'MINUS': return mkSet(ls.filter((x) => !inR.has(x)));
          case 'SUBSETEQ': return ls.every((x) => inR.has(x));
          case '==': return ls.length === rs.length && ls.every((x) => inR.has(x));
          default: return undefined;
        }
      }
      if (rs !== undefined && (typeof l === 'number' || typeof l === 'string')) {
        if (e.op === 'IN') return rs.includes(l);
        if (e.op === 'NOTIN') return !rs.includes(l);
      }
      if (typeof l === 'string' && typeof r === 'string') {
        if (e.op === '==') return l === r;
        if (e.op === '!=') return l !== r;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
