// Pass 1, declaration: every global name enters the global scope before any
// use is checked, so declarations may appear in any order. Type aliases and
// record fields get their domains here, in source order.

import type * as A from '../syntax/ast.js';
import type { Analysis } from './context.js';
import { domain, requireCertificateShape, requireFinite } from './domains.js';
import { describeSymbol, type Symbol } from './symbols.js';
import type { Domain } from './types.js';
import { recordsIn } from './walk.js';

function defineGlobal(an: Analysis, name: A.Ident, s: Symbol): void {
  const prev = an.global.own(name.name);
  if (prev !== undefined) {
    an.err('MOM201', `${name.name} is already declared as ${describeSymbol(prev)}`, name.span);
    return;
  }
  an.global.define(name.name, s);
  an.resolution.set(name.id, s);
}

export function declareGlobals(an: Analysis): void {
  const principalHome = new Map<string, string>();
  for (const d of an.ast.decls) {
    switch (d.kind) {
      case 'principals': {
        defineGlobal(an, d.name, { k: 'principalSet', name: d.name.name });
        const members: string[] = [];
        if (d.members.length === 0) an.err('MOM418', `principal set ${d.name.name} is empty`, d.name.span);
        for (const m of d.members) {
          const home = principalHome.get(m.name);
          if (home !== undefined) {
            an.err('MOM207', `principal ${m.name} is already a member of ${home}; each principal belongs to one PRINCIPALS set`, m.span);
            continue;
          }
          principalHome.set(m.name, d.name.name);
          members.push(m.name);
          defineGlobal(an, m, { k: 'principal', name: m.name, set: d.name.name });
        }
        an.principalSets.set(d.name.name, members);
        break;
      }
      case 'constant':
        defineGlobal(an, d.name, { k: 'constant', name: d.name.name, declId: d.id });
        an.constants.set(d.name.name, d);
        break;
      case 'type': {
        // The domain is resolved in pass 2; enum values are global names now.
        if (d.type.kind === 'enumType') declareEnum(an, d.name.name, d.type);
        defineGlobal(an, d.name, { k: 'type', name: d.name.name, domain: { k: 'error' } });
        break;
      }
      case 'record':
        defineGlobal(an, d.name, { k: 'record', name: d.name.name });
        break;
      case 'function':
        defineGlobal(an, d.name, { k: 'function', name: d.name.name });
        an.functions.set(d.name.name, d);
        break;
      case 'role':
        defineGlobal(an, d.name, { k: 'role', name: d.name.name });
        break;
      case 'invariant':
      case 'property':
      case 'model': {
        const table = d.kind === 'invariant' ? an.invariants : d.kind === 'property' ? an.properties : an.models;
        const clash = d.kind === 'model' ? an.models.has(d.name.name) : an.invariants.has(d.name.name) || an.properties.has(d.name.name);
        if (clash) an.err('MOM201', `${d.kind === 'model' ? 'model' : 'property'} ${d.name.name} is declared twice`, d.name.span);
        else (table as Map<string, typeof d>).set(d.name.name, d);
        break;
      }
    }
  }
  // Type aliases, in order, so that a type can use one declared before it.
  for (const d of an.ast.decls) {
    if (d.kind === 'type') {
      const dom = domain(an, d.type, an.global, d.name.name);
      an.types.set(d.name.name, dom);
      an.global.define(d.name.name, { k: 'type', name: d.name.name, domain: dom });
    }
  }
  for (const d of an.ast.decls) {
    if (d.kind === 'record') {
      const fields: { name: string; domain: Domain }[] = [];
      const seen = new Set<string>();
      for (const f of d.fields) {
        if (seen.has(f.name.name)) an.err('MOM201', `field ${f.name.name} is declared twice in record ${d.name.name}`, f.name.span);
        seen.add(f.name.name);
        const dom = domain(an, f.type, an.global, `${d.name.name}.${f.name.name}`);
        requireFinite(an, dom, f.type.span, `field ${f.name.name} of record ${d.name.name}`);
        requireCertificateShape(an, dom, f.type.span, `field ${f.name.name} of record ${d.name.name}`);
        an.domainOf.set(f.id, dom);
        fields.push({ name: f.name.name, domain: dom });
      }
      an.records.set(d.name.name, { name: d.name.name, fields, decl: d });
    }
  }
  checkRecordCycles(an);
}

export function declareEnum(an: Analysis, name: string, t: A.TypeExpr & { kind: 'enumType' }): void {
  const seen = new Set<string>();
  for (const v of t.values) {
    if (seen.has(v.name)) {
      an.err('MOM201', `value ${v.name} appears twice in ${name}`, v.span);
      continue;
    }
    seen.add(v.name);
    defineGlobal(an, v, { k: 'enumValue', name: v.name, enumName: name });
  }
}

/** A record that contains itself, directly or not, has no finite domain. */
function checkRecordCycles(an: Analysis): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, via: A.Ident): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      an.err('MOM403', `record ${name} contains itself (directly, or through statements it carries), so its values are not finite`, via.span);
      return;
    }
    state.set(name, 'visiting');
    const r = an.records.get(name);
    for (const f of r?.decl.fields ?? []) {
      const inner = recordsIn(an.records.get(name)?.fields.find((x) => x.name === f.name.name)?.domain);
      for (const target of inner) visit(target, f.name);
    }
    state.set(name, 'done');
  };
  for (const name of an.records.keys()) visit(name, an.records.get(name)!.decl.name);
}
