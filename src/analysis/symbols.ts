// What a name can denote. The checker records, for every `name` expression and
// every binder, which of these it resolved to (the `resolution` side table).

import type { Domain, Ty } from './types.js';

export type Symbol =
  | { readonly k: 'principal'; readonly name: string; readonly set: string }
  | { readonly k: 'principalSet'; readonly name: string }
  | { readonly k: 'constant'; readonly name: string; readonly declId: number }
  | { readonly k: 'type'; readonly name: string; readonly domain: Domain }
  | { readonly k: 'enumValue'; readonly name: string; readonly enumName: string }
  | { readonly k: 'record'; readonly name: string }
  | { readonly k: 'function'; readonly name: string }
  | { readonly k: 'role'; readonly name: string }
  | { readonly k: 'roleVar'; readonly role: string; readonly name: string; readonly ty: Ty }
  /**
   * A name bound inside a role or a function: a transition parameter, a pattern's
   * record binder, an issuer binder, a body local, a quantifier or comprehension
   * binder, a function parameter. `declId` is the id of the binding occurrence.
   */
  | { readonly k: 'bound'; readonly name: string; readonly declId: number; readonly ty: Ty; readonly origin: BoundOrigin };

/** `statements`: a pattern's `AS s`, the set of known statements that match it. */
export type BoundOrigin = 'param' | 'record-binder' | 'issuer' | 'quorum-issuers' | 'statements' | 'local' | 'quantifier' | 'function-param';

export function describeSymbol(s: Symbol): string {
  switch (s.k) {
    case 'principal':
      return `principal ${s.name}`;
    case 'principalSet':
      return `principal set ${s.name}`;
    case 'constant':
      return `constant ${s.name}`;
    case 'type':
      return `type ${s.name}`;
    case 'enumValue':
      return `value ${s.name} of ${s.enumName}`;
    case 'record':
      return `record type ${s.name}`;
    case 'function':
      return `function ${s.name}`;
    case 'role':
      return `role ${s.name}`;
    case 'roleVar':
      return `variable ${s.name} of role ${s.role}`;
    case 'bound':
      return {
        param: `transition parameter ${s.name}`,
        'record-binder': `pattern binder ${s.name}`,
        issuer: `issuer binder ${s.name}`,
        statements: `statements binder ${s.name}`,
        'quorum-issuers': `quorum issuer set ${s.name}`,
        local: `local ${s.name}`,
        quantifier: `bound name ${s.name}`,
        'function-param': `parameter ${s.name}`,
      }[s.origin];
  }
}

/** A chain of scopes; lookups walk outwards. */
export class Scope {
  private readonly names = new Map<string, Symbol>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Symbol | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  own(name: string): Symbol | undefined {
    return this.names.get(name);
  }
  define(name: string, s: Symbol): void {
    this.names.set(name, s);
  }
  child(): Scope {
    return new Scope(this);
  }
}
