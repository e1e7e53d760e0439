// The reachable graph of a model with and without partial-order reduction,
// as the evidence of docs/checker.md compares it: the valuations of the
// variables the checked invariants and properties read, the fair ends, the
// invariants violated (test/por.test.ts, test/por-dead.test.ts).

import { isAbsolute, join } from 'node:path';
import { expect } from 'vitest';
import { checkFile } from '../../src/analysis/frontend.js';
import type { CheckedProgram } from '../../src/analysis/program.js';
import { children } from '../../src/analysis/walk.js';
import { StateEvaluator } from '../../src/check/properties.js';
import { PartialOrder, type ReductionOptions } from '../../src/check/por.js';
import { explore } from '../../src/check/search.js';
import { instantiate } from '../../src/semantics/model.js';
import type { State } from '../../src/semantics/state.js';
import { System } from '../../src/semantics/system.js';
import { keyOf, type Value } from '../../src/semantics/value.js';
import type * as A from '../../src/syntax/ast.js';
import { ROOT } from './cli.js';

export function checked(file: string): CheckedProgram {
  const fe = checkFile(isAbsolute(file) ? file : join(ROOT, file));
  if (fe.program === undefined) throw new Error(`${file} does not check`);
  return fe.program;
}

export function systemOf(program: CheckedProgram, model: string): System {
  const inst = instantiate(program, model);
  if (!inst.ok) throw new Error(inst.error.message);
  return new System(inst.instance);
}

/** `role.variable` for each role variable a checked invariant or property of the model reads (through `p.var`). */
function checkedVariables(program: CheckedProgram, system: System): Set<string> {
  const out = new Set<string>();
  const visit = (e: A.Expr): void => {
    if (e.kind === 'field') {
      const sym = program.resolution.get(e.field.id);
      if (sym?.k === 'roleVar') out.add(`${sym.role}.${sym.name}`);
    }
    children(e).forEach(visit);
  };
  for (const name of system.model.invariants) visit(program.invariants.get(name)!.body);
  for (const name of system.model.properties) visit(program.properties.get(name)!.body);
  for (const d of program.ast.decls) if (d.kind === 'function' && d.body !== undefined) visit(d.body);
  return out;
}

/** Records each distinct state the search visits, in visiting order (its index), and the valuation of the checked variables in it. */
class Recorder extends StateEvaluator {
  readonly states: string[] = [];
  readonly valuations: string[] = [];

  constructor(
    private readonly sys: System,
    /** Per node, the indices of its role variables that are recorded. */
    private readonly shown: readonly (readonly number[])[],
    /** Per node, the indices of its role variables that states are compared without (those only unread transitions write). */
    private readonly unreadVars: readonly (readonly number[])[],
    /** Transitions whose handled instances states are compared without. */
    private readonly unreadTransitions: ReadonlySet<string>,
  ) {
    super(sys);
  }

  override holds(e: A.Expr, s: State, bound?: ReadonlyMap<number, Value>): boolean {
    if (bound !== undefined && bound.size === 0 && e.id === -1) {
      const vars = s.vars.map((vs, n) => vs.map((v, i) => (this.unreadVars[n]!.includes(i) ? '_' : keyOf(v))).join(',')).join(';');
      const stmts = (ids: readonly number[]): string => ids.map((id) => this.sys.interner.stmt(id).key).sort().join(' ');
      const role = (n: number): string => this.sys.model.nodes[n]!.role?.name ?? '';
      const handled = s.handled.map((hs, n) => hs.map((h) => this.sys.interner.inst(h)).filter((i) => !this.unreadTransitions.has(`${role(n)}.${i.transition}`)).map((i) => i.key).sort().join(' '));
      this.valuations.push(s.vars.map((vs, n) => this.shown[n]!.map((i) => keyOf(vs[i]!)).join(',')).join(';'));
      this.states.push(`${vars}|${stmts(s.pool)}|${s.known.map(stmts).join('/')}|${handled.join('/')}`);
      return true;
    }
    return super.holds(e, s, bound);
  }
}

/** Marks a predicate that only records the state (see Recorder). */
const RECORD: A.Expr = { kind: 'bool', value: true, id: -1, span: { start: 0, end: 0 } };

export type Reduction = 'none' | 'deliveries' | 'fires' | 'both';

export async function graphOf(program: CheckedProgram, model: string, reduction: Reduction, options: ReductionOptions = {}) {
  const system = systemOf(program, model);
  const checkedVars = checkedVariables(program, system);
  const shown = system.model.nodes.map((n) => (n.role === undefined ? [] : n.role.vars.flatMap((v, i) => (checkedVars.has(`${n.role!.name}.${v.name}`) ? [i] : []))));
  const invariants = system.model.invariants.map((name) => ({ name, body: program.invariants.get(name)!.body }));
  const checkedExprs = [...invariants.map((i) => i.body), ...system.model.properties.map((name) => program.properties.get(name)!.body)];
  // Fires nothing reads are postponed by the reduction: fair ends are compared without what they write, in every run alike.
  const unread = new Set(new PartialOrder(system, checkedExprs).unreadTransitions());
  const unreadVars = system.model.nodes.map((n) => (n.role === undefined ? [] : n.role.vars.flatMap((v, i) => (n.role!.transitions.every((t) => unread.has(`${n.role!.name}.${t.name}`) || !assigns(t.decl.body, v.name)) && n.role!.transitions.some((t) => assigns(t.decl.body, v.name)) ? [i] : []))));
  const rec = new Recorder(system, shown, unreadVars, unread);
  const outcome = await explore(system, rec, {
    deadlock: false,
    symmetry: false,
    continueAfterViolation: true,
    invariants,
    predicates: [{ expr: RECORD, bound: new Map() }],
    recordGraph: false,
    // 'deliveries': the reduction over deliveries alone (dead transitions' UNLESS and KNOWN no longer count), without postponing unread fires.
    ...(reduction !== 'none' ? { partialOrder: new PartialOrder(system, checkedExprs, false, { deliveries: reduction !== 'fires', fires: reduction !== 'deliveries', unread: reduction !== 'deliveries', ...options }) } : {}),
  });
  expect(outcome.status === 'complete' || outcome.status === 'violation').toBe(true);
  const fairEnds = new Set(rec.states.filter((_, i) => outcome.graph.stutterFair[i] === 1));
  return { distinct: outcome.distinct, valuations: new Set(rec.valuations), fairEnds, violated: [...outcome.invariantViolations.keys()].sort(), unread: [...unread] };
}

function assigns(body: readonly A.Stmt[], v: string): boolean {
  return body.some((st) => (st.kind === 'assign' && st.target.name === v) || (st.kind === 'if' && (assigns(st.then, v) || assigns(st.else, v))));
}

export type Graph = Awaited<ReturnType<typeof graphOf>>;

/** Whether two graphs have the same reachable valuations of the checked variables and the same fair ends (as full states). */
export function sameObservations(a: Graph, b: Graph): boolean {
  const same = (x: ReadonlySet<string>, y: ReadonlySet<string>): boolean => x.size === y.size && [...x].every((v) => y.has(v));
  return same(a.valuations, b.valuations) && same(a.fairEnds, b.fairEnds) && a.violated.join() === b.violated.join();
}

