// Models, checked last: they name constants, principals and properties, and
// the program's thresholds and ranges must stay sound under their constants.

import type * as A from '../syntax/ast.js';
import { certificateFields } from './certificates.js';
import { constant, constantTypeOf } from './constants.js';
import type { Analysis, Ctx } from './context.js';
import type { ConstValue } from './consteval.js';
import { expect, expr } from './expressions.js';
import { checkModelFunctions } from './model-functions.js';
import { principalsPosition, principalExpr } from './patterns.js';
import { describeSymbol } from './symbols.js';
import { ANY, BOOL, INT, unify } from './types.js';
import { exprText } from './walk.js';

export function checkModel(an: Analysis, d: A.Decl & { kind: 'model' }): void {
  const ctx: Ctx = { where: 'model' };
  const faulty = new Map<string, 'crash' | 'byzantine'>();
  const overrides = new Map<string, ConstValue>();
  const namedByDefinitions = checkModelFunctions(an, d);
  const symmetries: { item: A.ModelItem & { kind: 'symmetry' }; set: string }[] = [];
  // Principals the model's own items name (a CRASH, a Byzantine node's SENDS TO
  // and AUDIT, a constant's value): they are not interchangeable under its SYMMETRY.
  const namedByItems = new Set<string>();
  const sink = an.principalSink;
  an.principalSink = namedByItems;
  for (const item of d.items) {
    switch (item.kind) {
      case 'constant': {
        const c = an.constants.get(item.name.name);
        if (c === undefined) {
          an.err('MOM206', `model ${d.name.name} sets ${item.name.name}, which is not a CONSTANT of the program`, item.name.span);
          expr(an, item.value, an.global, ctx);
          break;
        }
        an.resolution.set(item.name.id, { k: 'constant', name: c.name.name, declId: c.id });
        expect(an, expr(an, item.value, an.global, ctx), constantTypeOf(an, c.name.name, c), item.value, 'MOM300', `constant ${c.name.name}`);
        const v = constant(an, item.value);
        if (v === undefined) an.err('MOM309', `the model's value of ${c.name.name} must be a constant`, item.value.span);
        else overrides.set(c.name.name, v);
        break;
      }
      case 'crash':
      case 'byzantine': {
        principalExpr(an, item.who, an.global, ctx, `the ${item.kind === 'crash' ? 'crashed' : 'Byzantine'} principals`, 'either');
        const v = constant(an, item.who);
        const who = typeof v === 'string' ? [v] : typeof v === 'object' ? v.set.map(String) : [];
        for (const p of who) {
          const prev = faulty.get(p);
          if (prev !== undefined) an.err('MOM411', `${p} is already ${prev === 'crash' ? 'crashed' : 'Byzantine'} in model ${d.name.name}`, item.who.span);
          faulty.set(p, item.kind);
        }
        if (item.kind === 'byzantine') {
          for (const s of item.sends) {
            const rec = an.global.lookup(s.recordType.name);
            if (rec?.k !== 'record') {
              an.err('MOM415', `a Byzantine principal may send only declared record types; ${s.recordType.name} is ${rec === undefined ? 'not declared' : describeSymbol(rec)}`, s.recordType.span);
            } else {
              an.resolution.set(s.recordType.id, rec);
              // A Byzantine carrier chooses its certificate fields from the pool; a
              // certificate inside a record field is not modelled yet.
              const nested = certificateFields(an, rec.name).find((f) => f.path.includes('.'));
              if (nested !== undefined) {
                an.err('MOM415', `a Byzantine principal sending ${rec.name} would carry statements inside a record field (${nested.path}); Byzantine carriers are modelled for certificate fields of the record itself only`, s.recordType.span);
              }
            }
            principalsPosition(an, s.to, an.global, ctx, 'verifier');
            if (s.audit.kind === 'none') an.err('MOM408', 'NONE as the auditor of what a Byzantine principal sends: write NOONE', s.audit.span);
            principalsPosition(an, s.audit, an.global, ctx, 'auditor');
            if (s.where !== undefined) checkWhere(an, s.where, rec?.k === 'record' ? rec.name : undefined, ctx);
          }
          if (item.budget !== undefined) {
            const budgetTy = expr(an, item.budget, an.global, ctx);
            expect(an, budgetTy, INT, item.budget, 'MOM307', 'the budget');
            const b = constant(an, item.budget);
            // An ill-typed budget is reported once, as MOM307.
            if (unify(budgetTy, INT) !== undefined && (typeof b !== 'number' || b < 0)) {
              an.err('MOM309', 'the budget must be a constant number of statements, 0 or more', item.budget.span);
            }
          }
        }
        break;
      }
      case 'symmetry': {
        const s = an.global.lookup(item.set.name);
        if (s?.k !== 'principalSet') {
          an.err('MOM304', `SYMMETRY takes the name of a PRINCIPALS set; ${item.set.name} is ${s === undefined ? 'not declared' : describeSymbol(s)}`, item.set.span);
          break;
        }
        an.resolution.set(item.set.id, s);
        symmetries.push({ item, set: s.name });
        break;
      }
      case 'function':
        // checkModelFunctions, above.
        break;
      case 'check':
        for (const p of item.properties) {
          if (!an.invariants.has(p.name) && !an.properties.has(p.name)) {
            an.err('MOM206', `model ${d.name.name} checks ${p.name}, which is not an INVARIANT or PROPERTY of the program`, p.span);
          }
        }
        break;
    }
  }
  an.principalSink = sink;
  // After every item: a later item can name a member too.
  for (const { item, set } of symmetries) checkSymmetry(an, d, item, set, namedByDefinitions, namedByItems, overrides);
  // Thresholds and ranges must stay sound under the model's own constants.
  if (overrides.size > 0) recheckUnderModel(an, d, overrides);
}

/**
 * `SENDS X x TO ... WHERE cond`: cond is a boolean over the record x, the
 * constants and the functions, never over a node's state (a model item is
 * not inside a role: ME, KNOWN, variables and CORRECT are refused where
 * `ctx` says so), so which records a Byzantine principal may send is fixed
 * by the model, as its SENDS types are.
 */
function checkWhere(an: Analysis, w: NonNullable<A.ByzantineSend['where']>, record: string | undefined, ctx: Ctx): void {
  const scope = an.global.child();
  if (record !== undefined) an.domainOf.set(w.binder.id, { k: 'record', name: record });
  an.up.bind(an, w.binder, scope, record === undefined ? ANY : { k: 'record', name: record }, 'function-param');
  expect(an, expr(an, w.cond, scope, ctx), BOOL, w.cond, 'MOM303', 'the WHERE condition of a Byzantine SENDS');
}

/**
 * A SYMMETRY set's interchangeable members: those no one names one by one
 * (the program, the model's items — constants, crashes, Byzantine nodes and
 * their targets — and its function definitions). A named
 * member is left out of the permutations rather than refused (PBFT's backups
 * are interchangeable though its PRIMARY is named); fewer than two left is
 * MOM412, since nothing would be permuted.
 */
function checkSymmetry(an: Analysis, d: A.Decl & { kind: 'model' }, item: A.ModelItem & { kind: 'symmetry' }, set: string, namedByDefinitions: ReadonlySet<string>, namedByItems: ReadonlySet<string>, overrides: ReadonlyMap<string, ConstValue>): void {
  const members = an.principalSets.get(set) ?? [];
  const byModel = new Set<string>(namedByItems);
  for (const v of overrides.values()) {
    if (typeof v === 'string') byModel.add(v);
    else if (typeof v === 'object') for (const x of v.set) if (typeof x === 'string') byModel.add(x);
  }
  const named = members.filter((p) => an.namedPrincipals.has(p) || namedByDefinitions.has(p) || byModel.has(p));
  const free = members.filter((p) => !named.includes(p));
  if (free.length < 2) {
    const byProgram = named.filter((p) => an.namedPrincipals.has(p));
    const byDefs = named.filter((p) => !byProgram.includes(p) && namedByDefinitions.has(p));
    const byItems = named.filter((p) => !byProgram.includes(p) && !byDefs.includes(p));
    const who = [
      byProgram.length > 0 ? `the program names ${byProgram.join(', ')}` : '',
      byDefs.length > 0 ? `model ${d.name.name}'s function definitions name ${byDefs.join(', ')}` : '',
      byItems.length > 0 ? `model ${d.name.name}'s items name ${byItems.join(', ')}` : '',
    ].filter((x) => x !== '').join('; ');
    an.err('MOM412', `SYMMETRY ${set} has nothing to permute: ${who} individually, so at most one member of ${set} is interchangeable with another`, item.set.span);
    return;
  }
  an.symmetryMembers.set(item.set.id, free);
}

function recheckUnderModel(an: Analysis, d: A.Decl & { kind: 'model' }, overrides: ReadonlyMap<string, ConstValue>): void {
  for (const role of an.roles.values()) {
    for (const t of role.transitions) {
      for (const p of [...t.decl.patterns, ...(t.decl.unless ? [t.decl.unless] : [])]) {
        if (p.issuer.kind !== 'quorum') continue;
        const k = constant(an, p.issuer.threshold, overrides);
        const s = constant(an, p.issuer.set, overrides);
        if (typeof k === 'number' && typeof s === 'object' && (k < 1 || k > s.set.length)) {
          an.err('MOM400', `under model ${d.name.name}, quorum threshold ${k} of ${exprText(p.issuer.set)} (${s.set.length} members) can never match`, p.issuer.threshold.span);
        }
      }
    }
  }
  for (const [name, dom] of an.types) {
    if (dom.k !== 'range') continue;
    const lo = constant(an, dom.lo, overrides);
    const hi = constant(an, dom.hi, overrides);
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
      an.err('MOM404', `under model ${d.name.name}, type ${name} = ${lo}..${hi} is empty`, d.name.span);
    }
  }
}
