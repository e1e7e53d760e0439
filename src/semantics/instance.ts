// What identifies a trigger instance (fire-once) and how its binding is shown:
// shared by the checker's System, the runtime's NodeMachine and replay, so
// that all three agree on which instance fired.

import type * as A from '../syntax/ast.js';
import type { EvalEnv } from './eval.js';
import type { PatternMatch } from './match.js';
import { keyOf, type Value } from './value.js';

/** The fire-once identity: parameters, then per pattern its record (masked) and single issuer. */
export function instanceValues(params: readonly Value[], matches: readonly PatternMatch[]): Value[] {
  const out: Value[] = [...params];
  for (const m of matches) {
    out.push(m.identity);
    if (m.issuer !== undefined && m.issuers === undefined) out.push(m.issuer);
  }
  return out;
}

/**
 * instanceKey(transition, instanceValues(params, matches)), built in one
 * pass without the two arrays (the runtime asks it for every match it
 * considers).
 */
export function instanceKeyOf(transition: string, params: readonly Value[], matches: readonly PatternMatch[]): string {
  let out = `${transition}(`;
  let first = true;
  const add = (v: Value): void => {
    out += first ? keyOf(v) : `,${keyOf(v)}`;
    first = false;
  };
  for (const v of params) add(v);
  for (const m of matches) {
    add(m.identity);
    if (m.issuer !== undefined && m.issuers === undefined) add(m.issuer);
  }
  return `${out})`;
}

/** A node-local key of an instance: `Transition(v1,v2,...)`. */
export function instanceKey(transition: string, values: readonly Value[]): string {
  return `${transition}(${values.map(keyOf).join(',')})`;
}

/** Parameters and binders by name, in written order, for traces. */
export function describeBinding(decl: A.Transition, params: readonly Value[], env: EvalEnv): (readonly [string, Value])[] {
  const out: [string, Value][] = decl.params.map((p, i) => [p.name.name, params[i]!]);
  for (const p of decl.patterns) {
    if (p.issuer.kind === 'single') out.push([p.issuer.binder.name, env.bound.get(p.issuer.binder.id)!]);
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) {
      const v = env.bound.get(p.issuer.binder.id);
      if (v !== undefined) out.push([p.issuer.binder.name, v]);
    }
    if (p.binder !== undefined) out.push([p.binder.name, env.bound.get(p.binder.id)!]);
  }
  return out;
}
