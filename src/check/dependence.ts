// Which steps of one node commute (issue 27 item 1): the static part of the
// reduction over a node's own fires (docs/checker.md, "Reduction over fires").
//
// Read/write sets make any two fires of one node dependent (both write the
// node's variables). What makes most of them commute is how they touch those
// variables: add-only updates (`v <- v UNION e`, `v <- TRUE`, `v <- v + k`)
// that no one reads except through guards that growth can only make true
// (`x IN v`, `v`, `EXISTS y IN v : P`, `k <= v`). An update that another
// fire's guard reads the other way (`NOT readied`, `NOT EXISTS s IN accepted
// : ...`, `nextSeq <= MaxSeq`) can disable it: those two are dependent, and
// so are two instances of one transition that does both (Bracha's
// ReadyOnEchoes and ReadyOnReadies; PBFT's SendPrepare).
//
// The same shape gives conditions that stay false for ever: a guard conjunct
// over role variables and constants alone, which growth can only make false,
// over variables every transition of the role only grows. A transition with
// such a conjunct false is dead at that node: it never fires again, and the
// dependencies it had no longer count.

import type { CheckedProgram, RoleInfo, TransitionInfo } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import type { Symbol } from '../analysis/symbols.js';
import { children, exprText } from '../analysis/walk.js';
import type * as A from '../syntax/ast.js';

/** How an update changes a role variable: the first three only grow it (a set gains members, a boolean turns TRUE, an integer rises). */
export type WriteKind = 'union' | 'setTrue' | 'incr' | 'other';

/** How a guard reads a variable: 'up' where growth can only turn it from false to true, 'down' where only from true to false. */
type Polarity = 'up' | 'down' | 'any';

export interface Footprint {
  readonly transition: TransitionInfo;
  /** Role variables the guard and the patterns read, with the polarity of every reading. */
  readonly enableReads: ReadonlyMap<string, Polarity>;
  /** Role variables the body reads, except a variable in its own add-only update. */
  readonly bodyReads: ReadonlySet<string>;
  readonly writes: ReadonlyMap<string, WriteKind>;
  /**
   * Record types the transition reads in a way a new known statement can
   * change other than by adding matches: UNLESS, KNOWN and STATEMENTS, a
   * quorum's issuer set other than as `x IN Q` in the guard, `AS`.
   */
  readonly knownReads: ReadonlySet<string>;
  /** Record types it may add to its own node's knowledge (what it publishes, and what that carries). */
  readonly learns: ReadonlySet<string>;
  /** Guard conjuncts that, once false, stay false (see above). */
  readonly deathConjuncts: readonly A.Expr[];
  /** Guard conjuncts over ME and constants only: they decide once per node whether the transition can ever fire there. */
  readonly nodeConjuncts: readonly A.Expr[];
  /** Why the analysis cannot bound what the transition depends on; such a transition is never reduced. */
  readonly unbounded?: string;
  /**
   * Its body only sets booleans TRUE and its guard cannot fail (no division,
   * no call): with nothing else reading those booleans, its fires change
   * nothing any other step or property sees (see RoleDependence.unread).
   */
  readonly onlyFlags: boolean;
}

/** Why one transition's fires may not commute with another's (undefined: they commute). */
export type Conflict = string | undefined;

export class RoleDependence {
  readonly footprints: ReadonlyMap<string, Footprint>;
  /** Variables every transition of the role only grows. */
  private readonly growing: ReadonlySet<string>;
  private readonly conflicts = new Map<string, Conflict>();

  constructor(
    readonly role: RoleInfo,
    private readonly program: CheckedProgram,
    carrierTypes: ReadonlySet<string>,
  ) {
    const resolution = program.resolution;
    const fps = new Map<string, Footprint>();
    for (const t of role.transitions) fps.set(t.name, footprint(t, resolution, carrierTypes));
    const growing = new Set(role.vars.map((v) => v.name));
    for (const fp of fps.values()) for (const [v, k] of fp.writes) if (k === 'other') growing.delete(v);
    this.growing = growing;
    // A death conjunct needs its variables grown by every writer; decided now that all are known.
    this.footprints = new Map([...fps].map(([name, fp]) => [name, { ...fp, deathConjuncts: fp.deathConjuncts.filter((c) => [...varsRead(c, resolution)].every((v) => growing.has(v))) }]));
  }

  /**
   * Whether a fire of `a` and a fire of `b` at one node (two instances of one
   * transition when a === b) may fail to commute: one may disable the other
   * or change what it does. Symmetric.
   */
  conflict(a: string, b: string): Conflict {
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (this.conflicts.has(key)) return this.conflicts.get(key);
    const fa = this.footprints.get(a)!;
    const fb = this.footprints.get(b)!;
    const c = oneWay(fa, fb) ?? oneWay(fb, fa);
    this.conflicts.set(key, c);
    return c;
  }

  describe(name: string): Footprint {
    return this.footprints.get(name)!;
  }

  /**
   * The transitions whose fires nothing observes: their body only sets
   * booleans TRUE (no PUBLISH, no computation that can fail) that no other
   * transition of the role reads. PrimaryBackup's SuspectPrimary is one: the
   * paper stops at suspicion. Whether a checked property reads those
   * booleans is the caller's to add.
   */
  unread(): string[] {
    const out: string[] = [];
    for (const fp of this.footprints.values()) {
      if (!fp.onlyFlags || fp.unbounded !== undefined) continue;
      const others = [...this.footprints.values()].filter((o) => o !== fp);
      if ([...fp.writes.keys()].every((v) => others.every((o) => !o.enableReads.has(v) && !o.bodyReads.has(v)))) out.push(fp.transition.name);
    }
    return out;
  }

  /** The growing variables, for tests and reports. */
  growingVars(): ReadonlySet<string> {
    return this.growing;
  }

  get programName(): string {
    return this.program.name;
  }
}

/** Whether `g` firing first may disable `f` or change what it does. */
function oneWay(f: Footprint, g: Footprint): Conflict {
  const fn = f.transition.name;
  const gn = g.transition.name;
  const who = fn === gn ? `two fires of ${fn}` : `${gn} and ${fn}`;
  for (const [v, kind] of g.writes) {
    const read = f.enableReads.get(v);
    if (read !== undefined && (kind === 'other' || read !== 'up')) {
      return `${who}: ${gn} ${kind === 'other' ? 'sets' : 'grows'} ${v}, which the guard of ${fn} reads${kind === 'other' ? '' : ' where growth can turn it false'}`;
    }
    if (f.bodyReads.has(v)) return `${who}: ${gn} writes ${v}, which the body of ${fn} reads`;
    const other = f.writes.get(v);
    if (other !== undefined && (other !== kind || kind === 'other')) return `${who}: both write ${v}, not both by the same add-only update`;
  }
  for (const t of g.learns) if (f.knownReads.has(t)) return `${who}: ${gn} publishes ${t} to itself, which ${fn} reads through KNOWN, UNLESS or a quorum's issuers`;
  return undefined;
}

function footprint(t: TransitionInfo, resolution: ReadonlyMap<number, Symbol>, carrierTypes: ReadonlySet<string>): Footprint {
  const d = t.decl;
  const enableReads = new Map<string, Polarity>();
  const note = (v: string, p: Polarity): void => {
    const had = enableReads.get(v);
    enableReads.set(v, had === undefined || had === p ? p : 'any');
  };
  const patternSide: A.Expr[] = [];
  for (const p of d.patterns) patternSide.push(...patternExprs(p));
  if (d.unless !== undefined) patternSide.push(...patternExprs(d.unless));
  for (const e of patternSide) for (const v of varsRead(e, resolution)) note(v, 'any');
  if (d.guard !== undefined) polarities(d.guard, true, resolution, note);

  const writes = new Map<string, WriteKind>();
  const bodyReads = new Set<string>();
  const publishes = new Set<string>();
  walkBody(d.body, resolution, writes, bodyReads, publishes, firstValueGuarded(d, resolution));
  const learns = new Set(publishes);
  if ([...publishes].some((x) => carrierTypes.has(x))) carrierTypes.forEach((x) => learns.add(x));

  const knownReads = new Set(deliveryDependentTypes([t], resolution));
  const conjuncts = d.guard === undefined ? [] : topConjuncts(d.guard);
  const free = (e: A.Expr): boolean => !readsBoundOrKnown(e, resolution);
  const deathConjuncts = conjuncts.filter((c) => free(c) && varsRead(c, resolution).size > 0 && onlyPolarity(c, 'down', resolution));
  const nodeConjuncts = conjuncts.filter((c) => free(c) && varsRead(c, resolution).size === 0);
  const unbounded = unboundedReason(d, resolution);
  const triggers = [...d.patterns, ...(d.unless !== undefined ? [d.unless] : [])].flatMap(patternExprs);
  const onlyFlags = d.body.every((st) => st.kind === 'assign' && st.value.kind === 'bool' && st.value.value) && !triggers.some(canFail) && (d.guard === undefined || !canFail(d.guard));
  return { transition: t, enableReads, bodyReads, writes, knownReads, learns, deathConjuncts, nodeConjuncts, onlyFlags, ...(unbounded !== undefined ? { unbounded } : {}) };
}

/** A reading the analysis cannot place: another principal's variable, or a set of statements that grows with knowledge. */
function unboundedReason(d: A.Transition, resolution: ReadonlyMap<number, Symbol>): string | undefined {
  const all: A.Expr[] = [...d.patterns.flatMap(patternExprs), ...(d.unless !== undefined ? patternExprs(d.unless) : []), ...(d.guard !== undefined ? [d.guard] : []), ...bodyExprs(d.body)];
  let reason: string | undefined;
  const visit = (e: A.Expr): void => {
    if (reason !== undefined) return;
    if (e.kind === 'field' && resolution.get(e.field.id)?.k === 'roleVar') reason = `it reads another node's variable (${exprText(e)})`;
    if (e.kind === 'known' && e.collect === true) reason = `it reads a set of known statements (${exprText(e)}), which grows with every delivery`;
    if (e.kind === 'known') patternExprs(e.pattern).forEach(visit);
    children(e).forEach(visit);
  };
  all.forEach(visit);
  if (reason === undefined && d.patterns.some((p) => p.statements !== undefined)) reason = 'it binds a set of known statements (AS), which grows with every delivery';
  return reason;
}

/** Whether evaluating `e` may fail: a division or remainder (by zero), or a call (a function's body may fail). */
function canFail(e: A.Expr): boolean {
  if (e.kind === 'binary' && (e.op === '/' || e.op === '%')) return true;
  if (e.kind === 'call' && e.callee.name !== 'size') return true;
  if (e.kind === 'known') return patternExprs(e.pattern).some(canFail);
  return children(e).some(canFail);
}

/** Top-level AND operands. */
function topConjuncts(e: A.Expr): A.Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...topConjuncts(e.left), ...topConjuncts(e.right)] : [e];
}

function onlyPolarity(e: A.Expr, want: Polarity, resolution: ReadonlyMap<number, Symbol>): boolean {
  let ok = true;
  polarities(e, true, resolution, (_v, p) => {
    if (p !== want) ok = false;
  });
  return ok;
}

/**
 * Calls `note(v, p)` for each reading of a role variable v in `e` (as written
 * when `positive`, else under a negation): 'up' where e can only go from false
 * to true as v grows, 'down' where only from true to false, 'any' otherwise.
 */
function polarities(e: A.Expr, positive: boolean, resolution: ReadonlyMap<number, Symbol>, note: (v: string, p: Polarity) => void): void {
  const reads = varsRead(e, resolution);
  if (reads.size === 0) return;
  const dir = (up: boolean): Polarity => (up === positive ? 'up' : 'down');
  const single = (x: A.Expr): string | undefined => {
    if (x.kind !== 'name') return undefined;
    const s = resolution.get(x.id);
    return s?.k === 'roleVar' ? s.name : undefined;
  };
  const clean = (x: A.Expr): boolean => varsRead(x, resolution).size === 0;
  if (e.kind === 'binary' && (e.op === 'AND' || e.op === 'OR')) {
    polarities(e.left, positive, resolution, note);
    polarities(e.right, positive, resolution, note);
    return;
  }
  if (e.kind === 'binary' && e.op === 'IMPLIES') {
    polarities(e.left, !positive, resolution, note);
    polarities(e.right, positive, resolution, note);
    return;
  }
  if (e.kind === 'unary' && e.op === 'NOT') return polarities(e.operand, !positive, resolution, note);
  const v = single(e);
  if (v !== undefined) return note(v, dir(true)); // a boolean variable
  if (e.kind === 'binary' && (e.op === 'IN' || e.op === 'NOTIN')) {
    const set = single(e.right);
    if (set !== undefined && clean(e.left)) return note(set, dir(e.op === 'IN'));
  }
  if (e.kind === 'quant') {
    const set = single(e.domain);
    if (set !== undefined && clean(e.body)) return note(set, dir(e.quantifier === 'EXISTS'));
  }
  const empty = (x: A.Expr): boolean => x.kind === 'setLit' && x.elems.length === 0;
  if (e.kind === 'binary' && (e.op === '==' || e.op === '!=')) {
    // `v == {}` falls as v grows, `v != {}` rises.
    const set = single(e.left) ?? single(e.right);
    if (set !== undefined && (empty(e.left) || empty(e.right))) return note(set, dir(e.op === '!='));
  }
  if (e.kind === 'binary' && ['<', '<=', '>', '>='].includes(e.op)) {
    // size(v) rises as the set v grows.
    const sized = (x: A.Expr): string | undefined => single(x) ?? (x.kind === 'call' && x.callee.name === 'size' && x.args.length === 1 ? single(x.args[0]!.value) : undefined);
    const l = sized(e.left);
    const r = sized(e.right);
    // `v >= k` and `k <= v` rise with v; `v <= k` and `k >= v` fall.
    if (l !== undefined && clean(e.right)) return note(l, dir(e.op === '>' || e.op === '>='));
    if (r !== undefined && clean(e.left)) return note(r, dir(e.op === '<' || e.op === '<='));
  }
  for (const x of reads) note(x, 'any');
}

/** Role variables `e` reads (KNOWN patterns included). */
export function varsRead(e: A.Expr, resolution: ReadonlyMap<number, Symbol>): Set<string> {
  const out = new Set<string>();
  const visit = (x: A.Expr): void => {
    if (x.kind === 'name') {
      const s = resolution.get(x.id);
      if (s?.k === 'roleVar') out.add(s.name);
    }
    if (x.kind === 'known') patternExprs(x.pattern).forEach(visit);
    children(x).forEach(visit);
  };
  visit(e);
  return out;
}

/** Whether `e` reads a name bound by the transition (parameter, binder, local, quantifier is fine only inside) or KNOWN. */
function readsBoundOrKnown(e: A.Expr, resolution: ReadonlyMap<number, Symbol>): boolean {
  const inner = new Set<number>();
  const visit = (x: A.Expr): boolean => {
    if (x.kind === 'known') return true;
    if (x.kind === 'quant' || x.kind === 'setFilter' || x.kind === 'setMap') inner.add(x.binder.id);
    if (x.kind === 'name') {
      const s = resolution.get(x.id);
      if (s?.k === 'bound' && !inner.has(s.declId)) return true;
    }
    return children(x).some(visit);
  };
  return visit(e);
}

/** How an assignment to `v` changes it, and what else it reads. */
function addOnly(st: A.Stmt & { kind: 'assign' }, v: string, resolution: ReadonlyMap<number, Symbol>, wasEmpty: boolean): { kind: WriteKind; rest: A.Expr[] } {
  const e = st.value;
  if (wasEmpty && e.kind === 'setLit') return { kind: 'union', rest: [...e.elems] };
  const isV = (x: A.Expr): boolean => x.kind === 'name' && resolution.get(x.id)?.k === 'roleVar' && (resolution.get(x.id) as { name: string }).name === v;
  if (e.kind === 'binary' && e.op === 'UNION') {
    if (isV(e.left)) return { kind: 'union', rest: [e.right] };
    if (isV(e.right)) return { kind: 'union', rest: [e.left] };
  }
  if (e.kind === 'bool' && e.value) return { kind: 'setTrue', rest: [] };
  if (e.kind === 'binary' && e.op === '+' && isV(e.left) && e.right.kind === 'int' && e.right.value > 0) return { kind: 'incr', rest: [] };
  return { kind: 'other', rest: [e] };
}

/**
 * The set variables the guard requires empty (a top-level conjunct `v == {}`):
 * an assignment `v <- {e}` in the body then only grows v, from nothing to a
 * first value (Bracha's `delivered`, `proposed`).
 */
function firstValueGuarded(d: A.Transition, resolution: ReadonlyMap<number, Symbol>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const c of d.guard === undefined ? [] : topConjuncts(d.guard)) {
    if (c.kind !== 'binary' || c.op !== '==') continue;
    const [v, other] = c.right.kind === 'setLit' ? [c.left, c.right] : [c.right, c.left];
    if (other.kind !== 'setLit' || other.elems.length > 0 || v.kind !== 'name') continue;
    const sym = resolution.get(v.id);
    if (sym?.k === 'roleVar') out.add(sym.name);
  }
  return out;
}

function walkBody(stmts: readonly A.Stmt[], resolution: ReadonlyMap<number, Symbol>, writes: Map<string, WriteKind>, reads: Set<string>, publishes: Set<string>, firstValue: ReadonlySet<string>): void {
  const read = (e: A.Expr): void => varsRead(e, resolution).forEach((v) => reads.add(v));
  for (const st of stmts) {
    switch (st.kind) {
      case 'local':
        read(st.value);
        break;
      case 'assign': {
        const s = resolution.get(st.target.id);
        if (s?.k !== 'roleVar') {
          read(st.value);
          break;
        }
        const { kind, rest } = addOnly(st, s.name, resolution, firstValue.has(s.name) && !writes.has(s.name));
        rest.forEach(read);
        const had = writes.get(s.name);
        writes.set(s.name, had === undefined || had === kind ? kind : 'other');
        break;
      }
      case 'if':
        read(st.cond);
        walkBody(st.then, resolution, writes, reads, publishes, firstValue);
        walkBody(st.else, resolution, writes, reads, publishes, firstValue);
        break;
      case 'publish':
        bodyExprs([st]).forEach(read);
        publishes.add(st.recordType.name);
        break;
    }
  }
}

/**
 * The record types that the given transitions read in a way a new statement
 * can change other than by enabling more matches: UNLESS patterns, KNOWN
 * anywhere in a trigger or body, quorum patterns whose issuer set is read
 * anywhere but in a guard that only grows true as the set grows (`ME IN Q`),
 * and `AS`. A delivery of one of these types does not commute with their fires.
 */
export function deliveryDependentTypes(transitions: readonly TransitionInfo[], resolution: ReadonlyMap<number, Symbol>): Set<string> {
  const out = new Set<string>();
  const inExpr = (e: A.Expr): void => {
    if (e.kind === 'known') {
      out.add(e.pattern.recordType.name);
      patternExprs(e.pattern).forEach(inExpr);
    }
    children(e).forEach(inExpr);
  };
  for (const t of transitions) {
    const d = t.decl;
    const exprs: A.Expr[] = [];
    for (const p of d.patterns) exprs.push(...patternExprs(p));
    if (d.unless !== undefined) {
      out.add(d.unless.recordType.name);
      exprs.push(...patternExprs(d.unless));
    }
    const body = bodyExprs(d.body);
    [...exprs, ...body, ...(d.guard !== undefined ? [d.guard] : [])].forEach(inExpr);
    for (const p of d.patterns) {
      // `AS s` binds every matching known statement: a later delivery changes the set (issue 25).
      if (p.statements !== undefined) out.add(p.recordType.name);
      if (p.issuer.kind !== 'quorum' || p.issuer.binder === undefined) continue;
      const q = p.issuer.binder.id;
      const reads = (e: A.Expr): boolean => readsBinder(e, q, resolution);
      const monotone = !exprs.some(reads) && !body.some(reads) && (d.guard === undefined || growsTrue(d.guard, reads, true));
      if (!monotone) out.add(p.recordType.name);
    }
  }
  return out;
}

function readsBinder(e: A.Expr, id: number, resolution: ReadonlyMap<number, Symbol>): boolean {
  if (e.kind === 'name') {
    const sym = resolution.get(e.id);
    if (sym?.k === 'bound' && sym.declId === id) return true;
  }
  return children(e).some((c) => readsBinder(c, id, resolution));
}

/**
 * Whether `e` (positive: as written; else under a negation) can only go from
 * false to true as the set the binder names gains members: it reads the set
 * only as `x IN Q`, under AND, OR and the right of IMPLIES, not negated.
 */
function growsTrue(e: A.Expr, reads: (e: A.Expr) => boolean, positive: boolean): boolean {
  if (!reads(e)) return true;
  if (e.kind === 'binary' && (e.op === 'AND' || e.op === 'OR')) return growsTrue(e.left, reads, positive) && growsTrue(e.right, reads, positive);
  if (e.kind === 'binary' && e.op === 'IMPLIES') return growsTrue(e.left, reads, !positive) && growsTrue(e.right, reads, positive);
  if (e.kind === 'unary' && e.op === 'NOT') return growsTrue(e.operand, reads, !positive);
  if (e.kind === 'binary' && e.op === 'IN' && !reads(e.left) && e.right.kind === 'name') return positive;
  return false;
}

/** Every expression a body evaluates. A PROGRESS pattern guides dissemination only; the abstract pool never reads it. */
export function bodyExprs(stmts: readonly A.Stmt[]): A.Expr[] {
  const out: A.Expr[] = [];
  for (const st of stmts) {
    switch (st.kind) {
      case 'local':
      case 'assign':
        out.push(st.value);
        break;
      case 'if':
        out.push(st.cond, ...bodyExprs(st.then), ...bodyExprs(st.else));
        break;
      case 'publish':
        out.push(st.issuer, ...st.args.map((a) => a.value));
        for (const pp of [st.verifier, st.auditor]) if (pp.kind === 'expr') out.push(pp.expr);
        break;
    }
  }
  return out;
}

export function patternExprs(p: A.Pattern): A.Expr[] {
  const out: A.Expr[] = [];
  if (p.issuer.kind === 'principal') out.push(p.issuer.expr);
  else if (p.issuer.kind === 'single') out.push(p.issuer.set, p.issuer.count);
  else out.push(p.issuer.set, p.issuer.threshold);
  if (p.verifier.kind === 'expr') out.push(p.verifier.expr);
  if (p.auditor.kind === 'expr') out.push(p.auditor.expr);
  for (const c of p.constraints) if (c.kind === 'eq') out.push(c.value);
  return out;
}

/** Record types that carry statements or can be carried (issue 25). */
export function carrierTypes(program: CheckedProgram): ReadonlySet<string> {
  const out = new Set<string>();
  for (const r of program.records.values()) {
    for (const f of r.fields) {
      const visit = (d: Domain): void => {
        if (d.k === 'statement') {
          out.add(r.name);
          out.add(d.record);
        } else if (d.k === 'set') visit(d.elem);
      };
      visit(f.domain);
    }
  }
  // A record holding a carrier (a record field) carries too.
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of program.records.values()) {
      if (out.has(r.name)) continue;
      if (r.fields.some((f) => recordTypesIn(f.domain).some((x) => out.has(x)))) {
        out.add(r.name);
        grew = true;
      }
    }
  }
  return out;
}

function recordTypesIn(d: Domain): string[] {
  return d.k === 'record' ? [d.name] : d.k === 'set' ? recordTypesIn(d.elem) : [];
}
