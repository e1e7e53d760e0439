import { diag, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import type { Code } from '../diagnostics/codes.js';
import type * as A from '../syntax/ast.js';
import { constEval, type ConstValue } from './consteval.js';
import type { CheckedProgram, RecordInfo, RoleInfo, TransitionInfo } from './program.js';
import { describeSymbol, Scope, type BoundOrigin, type Symbol } from './symbols.js';
import { ANY, BOOL, INT, isFinite, principal, setOf, showTy, tyOfDomain, unify, type Domain, type Ty } from './types.js';

/** Where an expression stands decides what it may read. */
type Where = 'constant' | 'function' | 'init' | 'trigger' | 'body' | 'invariant' | 'property' | 'model';

interface Ctx {
  readonly where: Where;
  readonly role?: { readonly name: string; readonly set: string };
}

export interface AnalysisResult {
  readonly program: CheckedProgram;
  readonly diagnostics: Diagnostic[];
}

const BUILTINS = new Set(['size']);

/** `lineAt` turns an offset into a 1-based line, for naming unnamed transitions. */
export function analyze(ast: A.Program, lineAt: (offset: number) => number): AnalysisResult {
  return new Checker(ast, lineAt).run();
}

class Checker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly global = new Scope();
  private readonly resolution = new Map<number, Symbol>();
  private readonly typeOf = new Map<number, Ty>();
  private readonly domainOf = new Map<number, Domain>();

  private readonly principalSets = new Map<string, string[]>();
  private readonly constants = new Map<string, A.Decl & { kind: 'constant' }>();
  private readonly constantTy = new Map<string, Ty | 'pending'>();
  private readonly types = new Map<string, Domain>();
  private readonly records = new Map<string, RecordInfo>();
  private readonly functions = new Map<string, A.Decl & { kind: 'function' }>();
  private readonly roles = new Map<string, RoleInfo>();
  private readonly invariants = new Map<string, A.Decl & { kind: 'invariant' }>();
  private readonly properties = new Map<string, A.Decl & { kind: 'property' }>();
  private readonly models = new Map<string, A.Decl & { kind: 'model' }>();
  /** Role name by principal set, to resolve `p.var` in properties. */
  private readonly roleOfSet = new Map<string, string>();
  /** Multivalent fields of each quorum pattern's record binder (by binder id). */
  private readonly multivalent = new Map<number, Set<string>>();
  /** Calls between functions, for the recursion check. */
  private readonly calls = new Map<string, Set<string>>();
  private currentFunction: string | undefined;
  /** Principal names the program mentions outside PRINCIPALS and models (symmetry soundness). */
  private readonly namedPrincipals = new Set<string>();
  private inModel = false;

  constructor(
    private readonly ast: A.Program,
    private readonly lineAt: (offset: number) => number,
  ) {}

  run(): AnalysisResult {
    this.declareGlobals();
    this.checkDeclarations();
    this.checkRecursion();
    if (this.models.size === 0) {
      this.err('MOM419', `program ${this.ast.name.name} declares no MODEL, so nothing can be model-checked`, this.ast.name.span);
    }
    const program: CheckedProgram = {
      name: this.ast.name.name,
      file: this.ast.file,
      ast: this.ast,
      principalSets: this.principalSets,
      constants: this.constants,
      types: this.types,
      records: this.records,
      functions: this.functions,
      roles: this.roles,
      invariants: this.invariants,
      properties: this.properties,
      models: this.models,
      resolution: this.resolution,
      typeOf: this.typeOf,
      domainOf: this.domainOf,
    };
    return { program, diagnostics: this.diagnostics };
  }

  private err(code: Code, message: string, span: Span): void {
    this.diagnostics.push(diag(code, this.ast.file, message, span));
  }

  // ---------- pass 1: every global name ----------

  private defineGlobal(name: A.Ident, s: Symbol): void {
    const prev = this.global.own(name.name);
    if (prev !== undefined) {
      this.err('MOM201', `${name.name} is already declared as ${describeSymbol(prev)}`, name.span);
      return;
    }
    this.global.define(name.name, s);
    this.resolution.set(name.id, s);
  }

  private declareGlobals(): void {
    const principalHome = new Map<string, string>();
    for (const d of this.ast.decls) {
      switch (d.kind) {
        case 'principals': {
          this.defineGlobal(d.name, { k: 'principalSet', name: d.name.name });
          const members: string[] = [];
          if (d.members.length === 0) this.err('MOM418', `principal set ${d.name.name} is empty`, d.name.span);
          for (const m of d.members) {
            const home = principalHome.get(m.name);
            if (home !== undefined) {
              this.err('MOM207', `principal ${m.name} is already a member of ${home}; each principal belongs to one PRINCIPALS set`, m.span);
              continue;
            }
            principalHome.set(m.name, d.name.name);
            members.push(m.name);
            this.defineGlobal(m, { k: 'principal', name: m.name, set: d.name.name });
          }
          this.principalSets.set(d.name.name, members);
          break;
        }
        case 'constant':
          this.defineGlobal(d.name, { k: 'constant', name: d.name.name, declId: d.id });
          this.constants.set(d.name.name, d);
          break;
        case 'type': {
          // The domain is resolved in pass 2; enum values are global names now.
          if (d.type.kind === 'enumType') this.declareEnum(d.name.name, d.type);
          this.defineGlobal(d.name, { k: 'type', name: d.name.name, domain: { k: 'error' } });
          break;
        }
        case 'record':
          this.defineGlobal(d.name, { k: 'record', name: d.name.name });
          break;
        case 'function':
          this.defineGlobal(d.name, { k: 'function', name: d.name.name });
          this.functions.set(d.name.name, d);
          break;
        case 'role':
          this.defineGlobal(d.name, { k: 'role', name: d.name.name });
          break;
        case 'invariant':
        case 'property':
        case 'model': {
          const table = d.kind === 'invariant' ? this.invariants : d.kind === 'property' ? this.properties : this.models;
          const clash = d.kind === 'model' ? this.models.has(d.name.name) : this.invariants.has(d.name.name) || this.properties.has(d.name.name);
          if (clash) this.err('MOM201', `${d.kind === 'model' ? 'model' : 'property'} ${d.name.name} is declared twice`, d.name.span);
          else (table as Map<string, typeof d>).set(d.name.name, d);
          break;
        }
      }
    }
    // Type aliases, in order, so that a type can use one declared before it.
    for (const d of this.ast.decls) {
      if (d.kind === 'type') {
        const dom = this.domain(d.type, this.global, d.name.name);
        this.types.set(d.name.name, dom);
        this.global.define(d.name.name, { k: 'type', name: d.name.name, domain: dom });
      }
    }
    for (const d of this.ast.decls) {
      if (d.kind === 'record') {
        const fields: { name: string; domain: Domain }[] = [];
        const seen = new Set<string>();
        for (const f of d.fields) {
          if (seen.has(f.name.name)) this.err('MOM201', `field ${f.name.name} is declared twice in record ${d.name.name}`, f.name.span);
          seen.add(f.name.name);
          const dom = this.domain(f.type, this.global, `${d.name.name}.${f.name.name}`);
          this.requireFinite(dom, f.type.span, `field ${f.name.name} of record ${d.name.name}`);
          this.domainOf.set(f.id, dom);
          fields.push({ name: f.name.name, domain: dom });
        }
        this.records.set(d.name.name, { name: d.name.name, fields, decl: d });
      }
    }
    this.checkRecordCycles();
  }

  private declareEnum(name: string, t: A.TypeExpr & { kind: 'enumType' }): void {
    const seen = new Set<string>();
    for (const v of t.values) {
      if (seen.has(v.name)) {
        this.err('MOM201', `value ${v.name} appears twice in ${name}`, v.span);
        continue;
      }
      seen.add(v.name);
      this.defineGlobal(v, { k: 'enumValue', name: v.name, enumName: name });
    }
  }

  /** A record that contains itself, directly or not, has no finite domain. */
  private checkRecordCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, via: A.Ident): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        this.err('MOM403', `record ${name} contains itself, so its values are not finite`, via.span);
        return;
      }
      state.set(name, 'visiting');
      const r = this.records.get(name);
      for (const f of r?.decl.fields ?? []) {
        const inner = recordsIn(this.records.get(name)?.fields.find((x) => x.name === f.name.name)?.domain);
        for (const target of inner) visit(target, f.name);
      }
      state.set(name, 'done');
    };
    for (const name of this.records.keys()) visit(name, this.records.get(name)!.decl.name);
  }

  // ---------- types written in the program ----------

  private domain(t: A.TypeExpr, scope: Scope, enumName: string): Domain {
    switch (t.kind) {
      case 'boolType':
        return { k: 'bool' };
      case 'intType':
        return { k: 'int' };
      case 'rangeType': {
        const ctx: Ctx = { where: 'constant' };
        this.expect(this.expr(t.lo, scope, ctx), INT, t.lo, 'MOM307', 'the lower bound of a range');
        this.expect(this.expr(t.hi, scope, ctx), INT, t.hi, 'MOM307', 'the upper bound of a range');
        const lo = this.constant(t.lo);
        const hi = this.constant(t.hi);
        if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
          this.err('MOM404', `range ${lo}..${hi} is empty`, t.span);
        }
        return { k: 'range', lo: t.lo, hi: t.hi };
      }
      case 'enumType': {
        const anonymous = !this.types.has(enumName) && this.global.lookup(t.values[0]?.name ?? '') === undefined;
        if (anonymous) this.declareEnum(enumName, t);
        return { k: 'enum', name: enumName, values: t.values.map((v) => v.name) };
      }
      case 'setType':
        return { k: 'set', elem: this.domain(t.elem, scope, enumName) };
      case 'namedType': {
        const s = scope.lookup(t.name.name);
        if (s === undefined) {
          this.err('MOM200', `type ${t.name.name} is not declared`, t.span);
          return { k: 'error' };
        }
        this.resolution.set(t.name.id, s);
        switch (s.k) {
          case 'type':
            return s.domain;
          case 'record':
            return { k: 'record', name: s.name };
          case 'principalSet':
            return { k: 'principals', set: s.name };
          default:
            this.err('MOM208', `${describeSymbol(s)} is not a type`, t.span);
            return { k: 'error' };
        }
      }
    }
  }

  private requireFinite(d: Domain, span: Span, what: string): void {
    if (!isFinite(d)) {
      this.err('MOM403', `${what} must have a finite type for the model checker; use a range lo..hi instead of INT`, span);
    }
  }

  // ---------- constants ----------

  private constant(e: A.Expr, overrides?: ReadonlyMap<string, ConstValue>): ConstValue | undefined {
    const visiting = new Set<string>();
    // Each constant is evaluated once per call: without this, `D1 = D0 + D0`, `D2 = D1 + D1`, ...
    // takes time exponential in the chain. A value computed across a cut cycle is not kept.
    const memo = new Map<string, ConstValue | undefined>();
    let cycleCuts = 0;
    const lookup = (name: string): ConstValue | undefined => {
      if (overrides?.has(name)) return overrides.get(name);
      const s = this.global.lookup(name);
      if (s === undefined) return undefined;
      switch (s.k) {
        case 'principal':
          return s.name;
        case 'principalSet':
          return { set: [...(this.principalSets.get(s.name) ?? [])].sort() };
        case 'constant': {
          if (memo.has(name)) return memo.get(name);
          if (visiting.has(name)) {
            cycleCuts++;
            return undefined;
          }
          visiting.add(name);
          const cutsBefore = cycleCuts;
          const d = this.constants.get(name);
          const v = d === undefined ? undefined : constEval(d.value, { lookup });
          visiting.delete(name);
          if (cycleCuts === cutsBefore) memo.set(name, v);
          return v;
        }
        case 'type': {
          const dom = s.domain;
          if (dom.k === 'range') {
            // `TYPE Seq = 0..Seq` names itself: no value, and no endless recursion.
            const key = `type ${name}`;
            if (visiting.has(key)) return undefined;
            visiting.add(key);
            const lo = constEval(dom.lo, { lookup });
            const hi = constEval(dom.hi, { lookup });
            visiting.delete(key);
            return typeof lo === 'number' && typeof hi === 'number' && hi - lo <= 100_000
              ? { set: Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i) }
              : undefined;
          }
          if (dom.k === 'principals') return { set: [...(this.principalSets.get(dom.set) ?? [])].sort() };
          return undefined;
        }
        default:
          return undefined;
      }
    };
    return constEval(e, { lookup });
  }

  private constantTypeOf(name: string, at: A.Node): Ty {
    const known = this.constantTy.get(name);
    if (known === 'pending') {
      this.err('MOM201', `constant ${name} is defined in terms of itself`, at.span);
      return ANY;
    }
    if (known !== undefined) return known;
    const d = this.constants.get(name);
    if (d === undefined) return ANY;
    this.constantTy.set(name, 'pending');
    const ty = this.checkConstantDecl(d);
    this.constantTy.set(name, ty);
    return ty;
  }

  private checkConstantDecl(d: A.Decl & { kind: 'constant' }): Ty {
    const ctx: Ctx = { where: 'constant' };
    const errorsBefore = this.diagnostics.length;
    const valueTy = this.expr(d.value, this.global, ctx);
    let ty = valueTy;
    if (d.type !== undefined) {
      const dom = this.domain(d.type, this.global, d.name.name);
      this.domainOf.set(d.id, dom);
      ty = tyOfDomain(dom);
      this.expect(valueTy, ty, d.value, 'MOM300', `the value of constant ${d.name.name}`);
    }
    // A value already reported as ill-typed is not also "not computable".
    if (this.constant(d.value) === undefined && !containsError(d.value) && this.diagnostics.length === errorsBefore) {
      this.err('MOM309', `the value of constant ${d.name.name} must be computable before the model runs (numbers, booleans, principals, sets of them)`, d.value.span);
    }
    return ty;
  }

  // ---------- pass 2: declarations ----------

  private checkDeclarations(): void {
    for (const d of this.ast.decls) {
      switch (d.kind) {
        case 'constant':
          this.constantTypeOf(d.name.name, d);
          break;
        case 'function':
          this.checkFunction(d);
          break;
        case 'role':
          this.checkRole(d);
          break;
        case 'invariant':
        case 'property': {
          const ctx: Ctx = { where: d.kind };
          const ty = this.expr(d.body, this.global, ctx);
          this.expect(ty, BOOL, d.body, 'MOM303', `${d.kind} ${d.name.name}`);
          break;
        }
        default:
          break;
      }
    }
    // Models last: they refer to properties, constants and principals.
    this.inModel = true;
    for (const d of this.ast.decls) if (d.kind === 'model') this.checkModel(d);
  }

  private checkFunction(d: A.Decl & { kind: 'function' }): void {
    const scope = this.global.child();
    for (const p of d.params) this.bindParam(p, scope, 'function-param');
    const result = this.domain(d.result, this.global, `${d.name.name}.result`);
    this.domainOf.set(d.id, result);
    this.currentFunction = d.name.name;
    this.calls.set(d.name.name, new Set());
    const ty = this.expr(d.body, scope, { where: 'function' });
    this.currentFunction = undefined;
    this.expect(ty, tyOfDomain(result), d.body, 'MOM300', `the result of function ${d.name.name}`);
  }

  private checkRecursion(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (f: string): boolean => {
      if (state.get(f) === 'done') return false;
      if (state.get(f) === 'visiting') return true;
      state.set(f, 'visiting');
      for (const g of this.calls.get(f) ?? []) {
        if (visit(g)) {
          state.set(f, 'done');
          const d = this.functions.get(f);
          if (d !== undefined) this.err('MOM405', `function ${f} calls itself (through ${g}); MOMMIE functions are not recursive, so that every evaluation ends`, d.name.span);
          return false;
        }
      }
      state.set(f, 'done');
      return false;
    };
    for (const f of this.calls.keys()) visit(f);
  }

  private bindParam(p: A.Param, scope: Scope, origin: BoundOrigin): void {
    const dom = this.domain(p.type, this.global, `${p.name.name}`);
    this.domainOf.set(p.id, dom);
    this.bind(p.name, scope, tyOfDomain(dom), origin);
    if (origin === 'param') this.requireFinite(dom, p.type.span, `transition parameter ${p.name.name}`);
  }

  /** Introduces a bound name; a name may not hide another that is in scope. */
  private bind(name: A.Ident, scope: Scope, ty: Ty, origin: BoundOrigin): void {
    const prev = scope.lookup(name.name);
    if (prev !== undefined) {
      const code: Code = prev.k === 'bound' && (origin === 'issuer' || origin === 'record-binder' || origin === 'quorum-issuers') && (prev.origin === 'issuer' || prev.origin === 'record-binder' || prev.origin === 'quorum-issuers') ? 'MOM205' : 'MOM201';
      this.err(code, `${name.name} is already ${code === 'MOM205' ? 'bound in this trigger' : 'declared'} as ${describeSymbol(prev)}; choose another name`, name.span);
    }
    const s: Symbol = { k: 'bound', name: name.name, declId: name.id, ty, origin };
    scope.define(name.name, s);
    this.resolution.set(name.id, s);
    this.typeOf.set(name.id, ty);
  }

  private checkRole(d: A.Decl & { kind: 'role' }): void {
    const at = d.at;
    let set = '';
    const s = at.kind === 'name' ? this.global.lookup(at.name) : undefined;
    if (s?.k === 'principalSet') {
      set = s.name;
      this.resolution.set(at.id, s);
      this.typeOf.set(at.id, setOf(principal(set)));
      const other = this.roleOfSet.get(set);
      if (other !== undefined) this.err('MOM407', `the principals of ${set} already run role ${other}; a principal runs one role`, at.span);
      else this.roleOfSet.set(set, d.name.name);
      if ((this.principalSets.get(set) ?? []).length === 0) this.err('MOM418', `role ${d.name.name} runs on ${set}, which is empty`, at.span);
    } else {
      this.err('MOM304', 'a role runs AT the name of a PRINCIPALS set', at.span);
    }
    const roleScope = this.global.child();
    const ctxRole = { name: d.name.name, set };
    const vars: { name: string; domain: Domain; decl: A.VarDecl }[] = [];
    for (const v of d.vars) {
      const dom = this.domain(v.type, this.global, `${d.name.name}.${v.name.name}`);
      this.domainOf.set(v.id, dom);
      this.requireFinite(dom, v.type.span, `variable ${v.name.name}`);
      const ty = tyOfDomain(dom);
      const initTy = this.expr(v.init, this.global, { where: 'init', role: ctxRole });
      this.expect(initTy, ty, v.init, 'MOM300', `the initial value of ${v.name.name}`);
      this.checkInDomain(v.init, dom, `initial value of ${v.name.name}`);
      if (roleScope.own(v.name.name) !== undefined) {
        this.err('MOM201', `variable ${v.name.name} is declared twice in role ${d.name.name}`, v.name.span);
        continue;
      }
      if (this.global.lookup(v.name.name) !== undefined) {
        this.err('MOM201', `variable ${v.name.name} hides ${describeSymbol(this.global.lookup(v.name.name)!)}; choose another name`, v.name.span);
      }
      const sym: Symbol = { k: 'roleVar', role: d.name.name, name: v.name.name, ty };
      roleScope.define(v.name.name, sym);
      this.resolution.set(v.name.id, sym);
      vars.push({ name: v.name.name, domain: dom, decl: v });
    }
    const transitions: TransitionInfo[] = [];
    const names = new Set<string>();
    for (const t of d.transitions) {
      const name = t.name?.name ?? `${d.name.name}_L${this.lineAt(t.span.start)}`;
      if (names.has(name)) this.err('MOM201', `transition ${name} is declared twice in role ${d.name.name}`, (t.name ?? t).span);
      names.add(name);
      transitions.push({ name, role: d.name.name, decl: t });
    }
    this.roles.set(d.name.name, { name: d.name.name, set, vars, transitions, decl: d });
    for (const t of d.transitions) this.checkTransition(t, roleScope, ctxRole);
  }

  private checkInDomain(e: A.Expr, dom: Domain, what: string): void {
    if (dom.k !== 'range') return;
    const v = this.constant(e);
    const lo = this.constant(dom.lo);
    const hi = this.constant(dom.hi);
    if (typeof v === 'number' && typeof lo === 'number' && typeof hi === 'number' && (v < lo || v > hi)) {
      this.err('MOM414', `${what} is ${v}, outside ${lo}..${hi}`, e.span);
    }
  }

  private checkTransition(t: A.Transition, roleScope: Scope, role: { name: string; set: string }): void {
    const scope = roleScope.child();
    for (const p of t.params) this.bindParam(p, scope, 'param');
    const trigger: Ctx = { where: 'trigger', role };
    // All binders of a trigger are in scope in every pattern (the paper's
    // `m==req` refers to a binder of the next pattern), so bind first, then check.
    for (const p of t.patterns) this.bindPattern(p, scope);
    for (const p of t.patterns) this.checkPatternBody(p, scope, trigger);
    if (t.guard !== undefined) {
      this.expect(this.expr(t.guard, scope, trigger), BOOL, t.guard, 'MOM303', 'the guard');
    }
    if (t.kind === 'timeout' && t.unless === undefined) {
      this.err('MOM410', `TIMEOUT ${t.name?.name ?? ''} needs an UNLESS pattern: the event whose absence the timeout detects`, (t.name ?? t).span);
    }
    if (t.kind === 'transition' && t.unless !== undefined) {
      this.err('MOM410', 'UNLESS belongs to TIMEOUT transitions; write TIMEOUT Name instead of TRANSITION', t.unless.span);
    }
    if (t.unless !== undefined) {
      const inner = scope.child();
      this.bindPattern(t.unless, inner);
      this.checkPatternBody(t.unless, inner, trigger);
    }
    this.checkStmts(t.body, scope.child(), { where: 'body', role });
  }

  // ---------- patterns ----------

  private bindPattern(p: A.Pattern, scope: Scope): void {
    const rec = this.recordNamed(p.recordType);
    const iss = p.issuer;
    if (iss.kind === 'single') this.bind(iss.binder, scope, principal(this.homeSet(iss.set, scope)), 'issuer');
    if (iss.kind === 'quorum' && iss.binder !== undefined) this.bind(iss.binder, scope, setOf(principal(this.homeSet(iss.set, scope))), 'quorum-issuers');
    if (p.binder !== undefined) {
      this.bind(p.binder, scope, rec === undefined ? ANY : { k: 'record', name: rec.name }, 'record-binder');
      if (iss.kind === 'quorum') {
        this.multivalent.set(p.binder.id, new Set(p.constraints.filter((c) => c.kind === 'multivalent').map((c) => c.field.name)));
      }
    }
  }

  /** The PRINCIPALS set an issuer set expression is drawn from, when it is one name. */
  private homeSet(e: A.Expr, scope: Scope): string | undefined {
    if (e.kind !== 'name') return undefined;
    const s = scope.lookup(e.name);
    return s?.k === 'principalSet' ? s.name : undefined;
  }

  private checkPatternBody(p: A.Pattern, scope: Scope, ctx: Ctx): void {
    // bindPattern, always called first, has reported an unknown record type.
    const recSym = this.global.lookup(p.recordType.name);
    const rec = recSym?.k === 'record' ? this.records.get(recSym.name) : undefined;
    const iss = p.issuer;
    switch (iss.kind) {
      case 'principal':
        this.principalExpr(iss.expr, scope, ctx, 'the issuer', false);
        break;
      case 'single': {
        this.principalExpr(iss.set, scope, ctx, 'the issuer set', true);
        this.expect(this.expr(iss.count, scope, ctx), INT, iss.count, 'MOM307', 'the issuer count');
        const k = this.constant(iss.count);
        if (k === undefined) this.err('MOM309', 'the issuer count must be a constant', iss.count.span);
        else if (k !== 1) this.err('MOM409', `${iss.binder.name} ${exprText(iss.set)} == ${String(k)} binds one issuer only when the count is 1; for a set of issuers write ${iss.binder.name} ${exprText(iss.set)} >= ${String(k)}`, iss.count.span);
        break;
      }
      case 'quorum': {
        this.principalExpr(iss.set, scope, ctx, 'the quorum set', true);
        this.expect(this.expr(iss.threshold, scope, ctx), INT, iss.threshold, 'MOM307', 'the quorum threshold');
        this.checkThreshold(iss.set, iss.threshold);
        break;
      }
    }
    this.principalsPosition(p.verifier, scope, ctx, 'verifier');
    this.principalsPosition(p.auditor, scope, ctx, 'auditor');
    if (rec === undefined) return;
    const seen = new Set<string>();
    for (const c of p.constraints) {
      const f = rec.fields.find((x) => x.name === c.field.name);
      if (f === undefined) {
        this.err('MOM203', `record ${rec.name} has no field ${c.field.name} (fields: ${rec.fields.map((x) => x.name).join(', ') || 'none'})`, c.field.span);
        if (c.kind === 'eq') this.expr(c.value, scope, ctx);
        continue;
      }
      if (seen.has(c.field.name)) this.err('MOM201', `field ${c.field.name} is constrained twice in this pattern`, c.field.span);
      seen.add(c.field.name);
      if (c.kind === 'multivalent' && iss.kind !== 'quorum') {
        this.err('MOM417', `${c.field.name} == * only differs from ${c.field.name} == _ in a quorum pattern`, c.span);
      }
      if (c.kind !== 'eq') continue;
      const want = tyOfDomain(f.domain);
      const got = this.expr(c.value, scope, ctx);
      if (unify(want, got) === undefined) {
        const ref = c.value.kind === 'name' ? scope.lookup(c.value.name) : undefined;
        if (ref?.k === 'bound' && ref.origin === 'record-binder') {
          this.err('MOM305', `${c.field.name} refers to a ${showTy(want)}, but ${c.value.kind === 'name' ? c.value.name : ''} matches a ${showTy(got)}`, c.span);
        } else {
          this.err('MOM300', `field ${c.field.name} of ${rec.name} is ${showTy(want)}, but the constraint gives ${showTy(got)}`, c.value.span);
        }
      }
    }
  }

  private checkThreshold(setExpr: A.Expr, threshold: A.Expr): void {
    const k = this.constant(threshold);
    const s = this.constant(setExpr);
    if (k === undefined) {
      if (!containsError(threshold)) this.err('MOM309', 'a quorum threshold must be a constant (numbers and constants only)', threshold.span);
      return;
    }
    if (typeof k !== 'number') return;
    const size = typeof s === 'object' ? s.set.length : undefined;
    if (k < 1) this.err('MOM400', `quorum threshold ${k} is below 1`, threshold.span);
    else if (size !== undefined && k > size) this.err('MOM400', `quorum threshold ${k} exceeds the ${size} members of ${exprText(setExpr)}: the pattern can never match`, threshold.span);
  }

  private principalsPosition(p: A.PrincipalsPattern, scope: Scope, ctx: Ctx, what: 'verifier' | 'auditor'): void {
    if (p.kind === 'expr') this.principalExpr(p.expr, scope, ctx, `the ${what}`, 'either');
    if (what === 'verifier' && (p.kind === 'noone' || p.kind === 'none')) {
      this.err('MOM304', `${p.kind === 'noone' ? 'NOONE' : 'NONE'} is an auditor; a verifier is a principal, a set or *`, p.span);
    }
  }

  /** Checks a principal (set=false), a set of principals (true) or either. */
  private principalExpr(e: A.Expr, scope: Scope, ctx: Ctx, what: string, set: boolean | 'either'): void {
    const ty = this.expr(e, scope, ctx);
    if (ty.k === 'any') return;
    const isP = ty.k === 'principal';
    const isSet = ty.k === 'set' && (ty.elem.k === 'principal' || ty.elem.k === 'any');
    const ok = set === 'either' ? isP || isSet : set ? isSet : isP;
    if (!ok) {
      const want = set === 'either' ? 'a principal or a set of principals' : set ? 'a set of principals' : 'a principal';
      this.err('MOM304', `${what} must be ${want}, not ${showTy(ty)}`, e.span);
    }
  }

  private recordNamed(id: A.Ident): RecordInfo | undefined {
    const s = this.global.lookup(id.name);
    if (s === undefined) {
      this.err('MOM200', `record type ${id.name} is not declared`, id.span);
      return undefined;
    }
    this.resolution.set(id.id, s);
    if (s.k !== 'record') {
      this.err('MOM202', `${describeSymbol(s)} is not a record type`, id.span);
      return undefined;
    }
    return this.records.get(s.name);
  }

  // ---------- body specs ----------

  private checkStmts(stmts: readonly A.Stmt[], scope: Scope, ctx: Ctx): void {
    for (const s of stmts) this.checkStmt(s, scope, ctx);
  }

  private checkStmt(s: A.Stmt, scope: Scope, ctx: Ctx): void {
    switch (s.kind) {
      case 'local': {
        const dom = this.domain(s.type, this.global, s.name.name);
        this.domainOf.set(s.id, dom);
        const ty = tyOfDomain(dom);
        this.expect(this.expr(s.value, scope, ctx), ty, s.value, 'MOM300', `the value of ${s.name.name}`);
        this.bind(s.name, scope, ty, 'local');
        break;
      }
      case 'assign': {
        const target = scope.lookup(s.target.name);
        const valueTy = this.expr(s.value, scope, ctx);
        if (target === undefined) {
          const owner = [...this.roles.values()].find((r) => r.vars.some((v) => v.name === s.target.name));
          this.err('MOM402', owner !== undefined
            ? `${s.target.name} is a variable of role ${owner.name}; a role writes only its own variables`
            : `${s.target.name} is not a declared variable; declare it with VAR in the role, or as a local: Type ${s.target.name} <- ...;`, s.target.span);
          return;
        }
        this.resolution.set(s.target.id, target);
        const writable = target.k === 'roleVar' || (target.k === 'bound' && target.origin === 'local');
        if (!writable) {
          this.err('MOM402', `${describeSymbol(target)} cannot be assigned; only this role's variables and locals can`, s.target.span);
          return;
        }
        this.expect(valueTy, target.ty, s.value, 'MOM300', `the value assigned to ${s.target.name}`);
        break;
      }
      case 'if':
        this.expect(this.expr(s.cond, scope, ctx), BOOL, s.cond, 'MOM303', 'the IF condition');
        this.checkStmts(s.then, scope.child(), ctx);
        this.checkStmts(s.else, scope.child(), ctx);
        break;
      case 'publish': {
        if (s.issuer.kind !== 'me') this.err('MOM401', 'a node publishes only as itself: the issuer of PUBLISH is ME', s.issuer.span);
        else this.expr(s.issuer, scope, ctx);
        this.principalsPosition(s.verifier, scope, ctx, 'verifier');
        if (s.auditor.kind === 'none') this.err('MOM408', 'NONE in PUBLISH: write NOONE for a statement no third party can audit', s.auditor.span);
        this.principalsPosition(s.auditor, scope, ctx, 'auditor');
        const rec = this.recordNamed(s.recordType);
        if (rec !== undefined) this.checkConstructorArgs(rec, s.args, scope, ctx, s.recordType.span);
        else for (const a of s.args) this.expr(a.value, scope, ctx);
        if (s.progress !== undefined) {
          const inner = scope.child();
          this.bindPattern(s.progress, inner);
          this.checkPatternBody(s.progress, inner, ctx);
        }
        break;
      }
    }
  }

  private checkConstructorArgs(rec: RecordInfo, args: readonly A.Arg[], scope: Scope, ctx: Ctx, at: Span): void {
    const named = args.filter((a) => a.name !== undefined);
    if (named.length > 0 && named.length < args.length) {
      this.err('MOM204', `${rec.name}(...) mixes named and positional arguments; use one style`, at);
    }
    if (named.length === args.length && args.length > 0) {
      const given = new Set<string>();
      for (const a of args) {
        const n = a.name!;
        const f = rec.fields.find((x) => x.name === n.name);
        const ty = this.expr(a.value, scope, ctx);
        if (f === undefined) {
          this.err('MOM203', `record ${rec.name} has no field ${n.name}`, n.span);
          continue;
        }
        if (given.has(n.name)) this.err('MOM204', `field ${n.name} is given twice`, n.span);
        given.add(n.name);
        this.expect(ty, tyOfDomain(f.domain), a.value, 'MOM300', `field ${n.name} of ${rec.name}`);
      }
      const missing = rec.fields.filter((f) => !given.has(f.name)).map((f) => f.name);
      if (missing.length > 0) this.err('MOM204', `${rec.name}(...) leaves out ${missing.join(', ')}`, at);
      return;
    }
    args.forEach((a, i) => {
      const ty = this.expr(a.value, scope, ctx);
      const f = rec.fields[i];
      if (f !== undefined) this.expect(ty, tyOfDomain(f.domain), a.value, 'MOM300', `field ${f.name} of ${rec.name}`);
    });
    if (args.length !== rec.fields.length) {
      this.err('MOM204', `${rec.name} has ${rec.fields.length} field${rec.fields.length === 1 ? '' : 's'} (${rec.fields.map((f) => f.name).join(', ')}), but ${args.length} value${args.length === 1 ? ' is' : 's are'} given`, at);
    }
  }

  // ---------- models ----------

  private checkModel(d: A.Decl & { kind: 'model' }): void {
    const ctx: Ctx = { where: 'model' };
    const faulty = new Map<string, 'crash' | 'byzantine'>();
    const overrides = new Map<string, ConstValue>();
    for (const item of d.items) {
      switch (item.kind) {
        case 'constant': {
          const c = this.constants.get(item.name.name);
          if (c === undefined) {
            this.err('MOM206', `model ${d.name.name} sets ${item.name.name}, which is not a CONSTANT of the program`, item.name.span);
            this.expr(item.value, this.global, ctx);
            break;
          }
          this.resolution.set(item.name.id, { k: 'constant', name: c.name.name, declId: c.id });
          this.expect(this.expr(item.value, this.global, ctx), this.constantTypeOf(c.name.name, c), item.value, 'MOM300', `constant ${c.name.name}`);
          const v = this.constant(item.value);
          if (v === undefined) this.err('MOM309', `the model's value of ${c.name.name} must be a constant`, item.value.span);
          else overrides.set(c.name.name, v);
          break;
        }
        case 'crash':
        case 'byzantine': {
          this.principalExpr(item.who, this.global, ctx, `the ${item.kind === 'crash' ? 'crashed' : 'Byzantine'} principals`, 'either');
          const v = this.constant(item.who);
          const who = typeof v === 'string' ? [v] : typeof v === 'object' ? v.set.map(String) : [];
          for (const p of who) {
            const prev = faulty.get(p);
            if (prev !== undefined) this.err('MOM411', `${p} is already ${prev === 'crash' ? 'crashed' : 'Byzantine'} in model ${d.name.name}`, item.who.span);
            faulty.set(p, item.kind);
          }
          if (item.kind === 'byzantine') {
            for (const s of item.sends) {
              const rec = this.global.lookup(s.recordType.name);
              if (rec?.k !== 'record') {
                this.err('MOM415', `a Byzantine principal may send only declared record types; ${s.recordType.name} is ${rec === undefined ? 'not declared' : describeSymbol(rec)}`, s.recordType.span);
              } else this.resolution.set(s.recordType.id, rec);
              this.principalsPosition(s.to, this.global, ctx, 'verifier');
              if (s.audit.kind === 'none') this.err('MOM408', 'NONE as the auditor of what a Byzantine principal sends: write NOONE', s.audit.span);
              this.principalsPosition(s.audit, this.global, ctx, 'auditor');
            }
            if (item.budget !== undefined) {
              const budgetTy = this.expr(item.budget, this.global, ctx);
              this.expect(budgetTy, INT, item.budget, 'MOM307', 'the budget');
              const b = this.constant(item.budget);
              // An ill-typed budget is reported once, as MOM307.
              if (unify(budgetTy, INT) !== undefined && (typeof b !== 'number' || b < 0)) {
                this.err('MOM309', 'the budget must be a constant number of statements, 0 or more', item.budget.span);
              }
            }
          }
          break;
        }
        case 'symmetry': {
          const s = this.global.lookup(item.set.name);
          if (s?.k !== 'principalSet') {
            this.err('MOM304', `SYMMETRY takes the name of a PRINCIPALS set; ${item.set.name} is ${s === undefined ? 'not declared' : describeSymbol(s)}`, item.set.span);
            break;
          }
          this.resolution.set(item.set.id, s);
          const named = (this.principalSets.get(s.name) ?? []).filter((p) => this.namedPrincipals.has(p));
          if (named.length > 0) {
            this.err('MOM412', `SYMMETRY ${s.name} is unsound here: the program names ${named.join(', ')} individually, so the members of ${s.name} are not interchangeable`, item.set.span);
          }
          break;
        }
        case 'check':
          for (const p of item.properties) {
            if (!this.invariants.has(p.name) && !this.properties.has(p.name)) {
              this.err('MOM206', `model ${d.name.name} checks ${p.name}, which is not an INVARIANT or PROPERTY of the program`, p.span);
            }
          }
          break;
      }
    }
    // Thresholds and ranges must stay sound under the model's own constants.
    if (overrides.size > 0) this.recheckUnderModel(d, overrides);
  }

  private recheckUnderModel(d: A.Decl & { kind: 'model' }, overrides: ReadonlyMap<string, ConstValue>): void {
    for (const role of this.roles.values()) {
      for (const t of role.transitions) {
        for (const p of [...t.decl.patterns, ...(t.decl.unless ? [t.decl.unless] : [])]) {
          if (p.issuer.kind !== 'quorum') continue;
          const k = this.constant(p.issuer.threshold, overrides);
          const s = this.constant(p.issuer.set, overrides);
          if (typeof k === 'number' && typeof s === 'object' && (k < 1 || k > s.set.length)) {
            this.err('MOM400', `under model ${d.name.name}, quorum threshold ${k} of ${exprText(p.issuer.set)} (${s.set.length} members) can never match`, p.issuer.threshold.span);
          }
        }
      }
    }
    for (const [name, dom] of this.types) {
      if (dom.k !== 'range') continue;
      const lo = this.constant(dom.lo, overrides);
      const hi = this.constant(dom.hi, overrides);
      if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
        this.err('MOM404', `under model ${d.name.name}, type ${name} = ${lo}..${hi} is empty`, d.name.span);
      }
    }
  }

  // ---------- expressions ----------

  private expect(got: Ty, want: Ty, at: A.Node, code: Code, what: string): void {
    if (unify(got, want) === undefined) this.err(code, `${what} must be ${showTy(want)}, not ${showTy(got)}`, at.span);
  }

  private expr(e: A.Expr, scope: Scope, ctx: Ctx): Ty {
    const ty = this.exprInner(e, scope, ctx);
    this.typeOf.set(e.id, ty);
    return ty;
  }

  private exprInner(e: A.Expr, scope: Scope, ctx: Ctx): Ty {
    switch (e.kind) {
      case 'int':
        return INT;
      case 'bool':
        return BOOL;
      case 'error':
        return ANY;
      case 'me':
        if (ctx.role === undefined) {
          this.err('MOM406', 'ME is the node running a transition; it has no meaning outside a role', e.span);
          return principal();
        }
        return principal(ctx.role.set || undefined);
      case 'correct':
      case 'faulty':
        if (ctx.where !== 'invariant' && ctx.where !== 'property') {
          this.err('MOM406', `${e.kind === 'correct' ? 'CORRECT' : 'FAULTY'} is known to properties only: a node cannot tell which principals are faulty`, e.span);
        }
        return setOf(principal());
      case 'name':
        return this.nameTy(e, scope, ctx);
      case 'unary': {
        const t = this.expr(e.operand, scope, ctx);
        if (e.op === '-') {
          this.expect(t, INT, e.operand, 'MOM307', "the operand of '-'");
          return INT;
        }
        if ((e.op === '[]' || e.op === '<>') && ctx.where !== 'property') {
          this.err('MOM306', `${e.op} is a temporal operator; it belongs in a PROPERTY`, e.span);
        }
        this.expect(t, BOOL, e.operand, 'MOM303', `the operand of ${e.op}`);
        return BOOL;
      }
      case 'binary':
        return this.binaryTy(e, scope, ctx);
      case 'field':
        return this.fieldTy(e, scope, ctx);
      case 'call':
        return this.callTy(e, scope, ctx);
      case 'setLit': {
        let elem: Ty = ANY;
        for (const x of e.elems) {
          const t = this.expr(x, scope, ctx);
          const u = unify(elem, t);
          if (u === undefined) this.err('MOM300', `a set's elements must share one type: ${showTy(t)} among ${showTy(elem)}`, x.span);
          else elem = u;
        }
        return setOf(elem);
      }
      case 'setFilter':
      case 'setMap':
      case 'quant': {
        const dom = this.expr(e.domain, scope, ctx);
        let elem: Ty = ANY;
        if (dom.k === 'set') elem = dom.elem;
        else if (dom.k !== 'any') this.err('MOM301', `${e.binder.name} ranges over a set, not ${showTy(dom)}`, e.domain.span);
        const inner = scope.child();
        this.bind(e.binder, inner, elem, 'quantifier');
        if (e.kind === 'setMap') return setOf(this.expr(e.element, inner, ctx));
        const body = e.kind === 'setFilter' ? e.predicate : e.body;
        this.expect(this.expr(body, inner, ctx), BOOL, body, 'MOM303', e.kind === 'quant' ? `the body of ${e.quantifier}` : 'the filter condition');
        return e.kind === 'setFilter' ? setOf(elem) : BOOL;
      }
      case 'ite': {
        this.expect(this.expr(e.cond, scope, ctx), BOOL, e.cond, 'MOM303', 'the IF condition');
        const a = this.expr(e.then, scope, ctx);
        const b = this.expr(e.else, scope, ctx);
        const u = unify(a, b);
        if (u === undefined) {
          this.err('MOM300', `the branches of IF have different types: ${showTy(a)} and ${showTy(b)}`, e.span);
          return ANY;
        }
        return u;
      }
      case 'known': {
        if (ctx.role === undefined || ctx.where === 'init') {
          this.err('MOM406', "KNOWN inspects the running node's pool; it has no meaning outside a transition", e.span);
        }
        const inner = scope.child();
        this.bindPattern(e.pattern, inner);
        this.checkPatternBody(e.pattern, inner, ctx);
        return BOOL;
      }
    }
  }

  private nameTy(e: A.Expr & { kind: 'name' }, scope: Scope, ctx: Ctx): Ty {
    const s = scope.lookup(e.name);
    if (s === undefined) {
      const owner = [...this.roles.values()].find((r) => r.vars.some((v) => v.name === e.name)) ?? this.roleDeclWithVar(e.name);
      if (owner !== undefined && ctx.role === undefined) {
        this.err('MOM406', `${e.name} is a variable of role ${owner.name}; outside a role, read it through a principal: p.${e.name}`, e.span);
      } else {
        this.err('MOM200', `${e.name} is not declared`, e.span);
      }
      return ANY;
    }
    this.resolution.set(e.id, s);
    if (s.k === 'principal' && !this.inModel) this.namedPrincipals.add(s.name);
    switch (s.k) {
      case 'principal':
        return principal(s.set);
      case 'principalSet':
        return setOf(principal(s.name));
      case 'constant':
        return this.constantTypeOf(s.name, e);
      case 'enumValue':
        return { k: 'enum', name: s.enumName };
      case 'roleVar':
        if (ctx.where === 'init') {
          this.err('MOM406', `an initial value cannot read variable ${s.name}`, e.span);
        }
        return s.ty;
      case 'bound':
        return s.ty;
      case 'type': {
        const d = s.domain;
        if (d.k === 'int' || d.k === 'set' || d.k === 'record' || d.k === 'error') {
          this.err('MOM300', `type ${s.name} cannot be used as a set of values here`, e.span);
          return ANY;
        }
        return setOf(tyOfDomain(d));
      }
      case 'record':
      case 'function':
        this.err('MOM300', `${describeSymbol(s)} is not a value${s.k === 'function' ? `; call it: ${s.name}(...)` : `; construct one: ${s.name}(...)`}`, e.span);
        return ANY;
      case 'role':
        this.err('MOM300', `role ${s.name} is not a value; its principals are ${this.roles.get(s.name)?.set ?? 'its AT set'}`, e.span);
        return ANY;
    }
  }

  /** During pass 2 a later role is not in `roles` yet; look at the syntax. */
  private roleDeclWithVar(name: string): { name: string } | undefined {
    for (const d of this.ast.decls) {
      if (d.kind === 'role' && d.vars.some((v) => v.name.name === name)) return { name: d.name.name };
    }
    return undefined;
  }

  private binaryTy(e: A.Expr & { kind: 'binary' }, scope: Scope, ctx: Ctx): Ty {
    const l = this.expr(e.left, scope, ctx);
    const r = this.expr(e.right, scope, ctx);
    switch (e.op) {
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        this.expect(l, INT, e.left, 'MOM307', `the left operand of '${e.op}'`);
        this.expect(r, INT, e.right, 'MOM307', `the right operand of '${e.op}'`);
        return INT;
      case '<':
      case '<=':
      case '>':
      case '>=':
        this.expect(l, INT, e.left, 'MOM307', `the left operand of '${e.op}'`);
        this.expect(r, INT, e.right, 'MOM307', `the right operand of '${e.op}'`);
        return BOOL;
      case '==':
      case '!=':
        if (unify(l, r) === undefined) this.err('MOM300', `cannot compare ${showTy(l)} with ${showTy(r)}`, e.span);
        return BOOL;
      case 'AND':
      case 'OR':
      case 'IMPLIES':
      case '~>':
        this.expect(l, BOOL, e.left, 'MOM303', `the left operand of ${e.op}`);
        this.expect(r, BOOL, e.right, 'MOM303', `the right operand of ${e.op}`);
        if (e.op === '~>' && ctx.where !== 'property') this.err('MOM306', '~> (leads to) is a temporal operator; it belongs in a PROPERTY', e.span);
        return BOOL;
      case 'IN':
      case 'NOTIN':
        if (r.k !== 'set' && r.k !== 'any') this.err('MOM301', `the right operand of ${e.op} must be a set, not ${showTy(r)}`, e.right.span);
        else if (r.k === 'set' && unify(l, r.elem) === undefined) this.err('MOM300', `a ${showTy(l)} is never a member of a ${showTy(r)}`, e.span);
        return BOOL;
      case 'SUBSETEQ':
      case 'UNION':
      case 'INTER':
      case 'MINUS': {
        if (l.k !== 'set' && l.k !== 'any') this.err('MOM301', `the left operand of ${e.op} must be a set, not ${showTy(l)}`, e.left.span);
        if (r.k !== 'set' && r.k !== 'any') this.err('MOM301', `the right operand of ${e.op} must be a set, not ${showTy(r)}`, e.right.span);
        const u = unify(l, r);
        if (u === undefined && l.k === 'set' && r.k === 'set') this.err('MOM300', `${e.op} of ${showTy(l)} and ${showTy(r)}`, e.span);
        if (e.op === 'SUBSETEQ') return BOOL;
        // A difference lies within its left operand, an intersection within
        // either: keep the operand whose principal set is known, so that
        // `R INTER CORRECT` still ranges over R's role.
        if (e.op === 'MINUS' && l.k === 'set') return l;
        if (e.op === 'INTER' && l.k === 'set' && r.k === 'set') return knownSet(l) ? l : knownSet(r) ? r : (u ?? l);
        return u ?? setOf(ANY);
      }
      case '..':
        this.expect(l, INT, e.left, 'MOM307', "the lower bound of '..'");
        this.expect(r, INT, e.right, 'MOM307', "the upper bound of '..'");
        return setOf(INT);
    }
  }

  private fieldTy(e: A.Expr & { kind: 'field' }, scope: Scope, ctx: Ctx): Ty {
    const t = this.expr(e.target, scope, ctx);
    if (t.k === 'any') return ANY;
    if (t.k === 'record') {
      const rec = this.records.get(t.name);
      const f = rec?.fields.find((x) => x.name === e.field.name);
      if (f === undefined) {
        this.err('MOM203', `record ${t.name} has no field ${e.field.name}${rec ? ` (fields: ${rec.fields.map((x) => x.name).join(', ')})` : ''}`, e.field.span);
        return ANY;
      }
      if (e.target.kind === 'name') {
        const s = scope.lookup(e.target.name);
        if (s?.k === 'bound' && this.multivalent.get(s.declId)?.has(e.field.name)) {
          this.err('MOM413', `${e.target.name}.${e.field.name} was left multivalent (${e.field.name} == *) in the quorum pattern, so it has no single value`, e.span);
        }
      }
      return tyOfDomain(f.domain);
    }
    if (t.k === 'principal') {
      if (ctx.where !== 'invariant' && ctx.where !== 'property') {
        this.err('MOM406', `${exprText(e.target)}.${e.field.name} reads another node's variable; a node sees only its own state and pool (properties may read any node's)`, e.span);
      }
      const roleName = t.set === undefined ? undefined : this.roleOfSet.get(t.set) ?? this.roleNameAt(t.set);
      const roleDecl = roleName === undefined ? undefined : this.ast.decls.find((d): d is A.Decl & { kind: 'role' } => d.kind === 'role' && d.name.name === roleName);
      if (roleDecl === undefined) {
        this.err('MOM308', t.set === undefined
          ? `cannot tell which role ${exprText(e.target)} runs; quantify over a principal set that runs a role (FORALL p IN ${[...this.roleOfSet.keys()][0] ?? 'S'} : p.${e.field.name})`
          : `the principals of ${t.set} run no role, so they have no variable ${e.field.name}`, e.target.span);
        return ANY;
      }
      const v = roleDecl.vars.find((x) => x.name.name === e.field.name);
      if (v === undefined) {
        this.err('MOM308', `role ${roleName ?? ''} has no variable ${e.field.name}`, e.field.span);
        return ANY;
      }
      const dom = this.domainOf.get(v.id);
      this.resolution.set(e.field.id, { k: 'roleVar', role: roleDecl.name.name, name: v.name.name, ty: dom ? tyOfDomain(dom) : ANY });
      return dom ? tyOfDomain(dom) : ANY;
    }
    this.err('MOM302', `.${e.field.name} needs a record or a principal, not ${showTy(t)}`, e.target.span);
    return ANY;
  }

  private roleNameAt(set: string): string | undefined {
    for (const d of this.ast.decls) if (d.kind === 'role' && d.at.kind === 'name' && d.at.name === set) return d.name.name;
    return undefined;
  }

  private callTy(e: A.Expr & { kind: 'call' }, scope: Scope, ctx: Ctx): Ty {
    const name = e.callee.name;
    if (BUILTINS.has(name) && scope.lookup(name) === undefined) {
      if (e.args.length !== 1 || e.args[0]?.name !== undefined) {
        this.err('MOM204', 'size takes one set: size(S)', e.span);
        for (const a of e.args) this.expr(a.value, scope, ctx);
        return INT;
      }
      const t = this.expr(e.args[0]!.value, scope, ctx);
      if (t.k !== 'set' && t.k !== 'any') this.err('MOM301', `size takes a set, not ${showTy(t)}`, e.args[0]!.value.span);
      return INT;
    }
    const s = scope.lookup(name);
    if (s === undefined) {
      this.err('MOM200', `${name} is not a declared function or record type`, e.callee.span);
      for (const a of e.args) this.expr(a.value, scope, ctx);
      return ANY;
    }
    this.resolution.set(e.callee.id, s);
    if (s.k === 'record') {
      const rec = this.records.get(s.name);
      if (rec !== undefined) this.checkConstructorArgs(rec, e.args, scope, ctx, e.callee.span);
      return { k: 'record', name: s.name };
    }
    if (s.k !== 'function') {
      this.err('MOM300', `${describeSymbol(s)} cannot be called`, e.callee.span);
      for (const a of e.args) this.expr(a.value, scope, ctx);
      return ANY;
    }
    if (this.currentFunction !== undefined) this.calls.get(this.currentFunction)?.add(name);
    const f = this.functions.get(name)!;
    if (e.args.some((a) => a.name !== undefined)) this.err('MOM204', `arguments of ${name} are positional`, e.span);
    if (e.args.length !== f.params.length) {
      this.err('MOM204', `${name} takes ${f.params.length} argument${f.params.length === 1 ? '' : 's'}, but ${e.args.length} ${e.args.length === 1 ? 'is' : 'are'} given`, e.span);
    }
    e.args.forEach((a, i) => {
      const t = this.expr(a.value, scope, ctx);
      const p = f.params[i];
      if (p !== undefined) {
        const dom = this.domainOf.get(p.id) ?? this.domain(p.type, this.global, p.name.name);
        this.expect(t, tyOfDomain(dom), a.value, 'MOM300', `argument ${p.name.name} of ${name}`);
      }
    });
    const result = this.domainOf.get(f.id) ?? this.domain(f.result, this.global, `${name}.result`);
    return tyOfDomain(result);
  }
}

// ---------- small syntax helpers ----------

function knownSet(t: Ty): boolean {
  return t.k === 'set' && t.elem.k === 'principal' && t.elem.set !== undefined;
}

function recordsIn(d: Domain | undefined): string[] {
  if (d === undefined) return [];
  if (d.k === 'record') return [d.name];
  if (d.k === 'set') return recordsIn(d.elem);
  return [];
}

export function findTemporal(e: A.Expr): A.Expr | undefined {
  if (e.kind === 'unary' && (e.op === '[]' || e.op === '<>')) return e;
  if (e.kind === 'binary' && e.op === '~>') return e;
  for (const c of children(e)) {
    const t = findTemporal(c);
    if (t !== undefined) return t;
  }
  return undefined;
}

export function children(e: A.Expr): A.Expr[] {
  switch (e.kind) {
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'field':
      return [e.target];
    case 'call':
      return e.args.map((a) => a.value);
    case 'setLit':
      return [...e.elems];
    case 'setFilter':
      return [e.domain, e.predicate];
    case 'setMap':
      return [e.domain, e.element];
    case 'quant':
      return [e.domain, e.body];
    case 'ite':
      return [e.cond, e.then, e.else];
    default:
      return [];
  }
}

function containsError(e: A.Expr): boolean {
  return e.kind === 'error' || children(e).some(containsError);
}

export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'name':
      return e.name;
    case 'int':
      return String(e.value);
    case 'me':
      return 'ME';
    case 'binary':
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'setLit':
      return `{${e.elems.map(exprText).join(', ')}}`;
    case 'field':
      return `${exprText(e.target)}.${e.field.name}`;
    default:
      return 'the expression';
  }
}
