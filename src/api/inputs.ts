// The calls a node offers the application: its role's input transitions that
// declare an ANSWER, each parameter either the application's argument or a
// request id the API fills in.
//
// A parameter is a request id when the input's guard pins it to the node's
// state: a top-level conjunct `p == e` (or `e == p`) with `e` reading no
// parameter, as PBCounter's `IF id == nextId AND ...`. The application cannot
// know the value the node expects, so the API chooses it as the workload
// driver does (runtime/workload.ts): the first value, in the type's order,
// whose instance has not fired and whose guard holds.

import type { CheckedProgram, RoleInfo, TransitionInfo } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import { children } from '../analysis/walk.js';
import { isInputTransition } from '../semantics/model.js';
import type * as A from '../syntax/ast.js';

export interface CallParam {
  readonly name: string;
  readonly index: number;
  readonly domain: Domain;
  readonly decl: A.Param;
  /** Filled by the API (a request id), not given by the application. */
  readonly requestId: boolean;
}

export interface CallableInput {
  readonly name: string;
  readonly transition: TransitionInfo;
  readonly params: readonly CallParam[];
}

/** The input transitions of `role`, by name, with their parameters classified; those without ANSWER included (submit refuses them). */
export function callableInputs(program: CheckedProgram, role: RoleInfo): ReadonlyMap<string, CallableInput> {
  const out = new Map<string, CallableInput>();
  for (const t of role.transitions) {
    if (!isInputTransition(t.decl)) continue;
    const ids = requestIdParams(program, t.decl);
    out.set(t.name, {
      name: t.name, transition: t,
      params: t.decl.params.map((p, index) => ({ name: p.name.name, index, domain: program.domainOf.get(p.id)!, decl: p, requestId: ids.has(p.name.id) })),
    });
  }
  return out;
}

/** The declaration ids of the parameters the guard pins to the node's state (see above). */
export function requestIdParams(program: CheckedProgram, t: A.Transition): ReadonlySet<number> {
  const params = new Set(t.params.map((p) => p.name.id));
  const paramOf = (e: A.Expr): number | undefined => {
    if (e.kind !== 'name') return undefined;
    const s = program.resolution.get(e.id);
    return s?.k === 'bound' && params.has(s.declId) ? s.declId : undefined;
  };
  const readsParam = (e: A.Expr): boolean => paramOf(e) !== undefined || children(e).some(readsParam);
  const out = new Set<number>();
  const conjuncts = (e: A.Expr): void => {
    if (e.kind === 'binary' && e.op === 'AND') {
      conjuncts(e.left);
      conjuncts(e.right);
      return;
    }
    if (e.kind !== 'binary' || e.op !== '==') return;
    for (const [p, other] of [[e.left, e.right], [e.right, e.left]] as const) {
      const id = paramOf(p);
      if (id !== undefined && !readsParam(other)) out.add(id);
    }
  };
  if (t.guard !== undefined) conjuncts(t.guard);
  return out;
}
