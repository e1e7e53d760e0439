// What each theorem of a checked module rests on: the assumptions in its
// scope (unnamed ones, which tlapm adds to every later proof, and named ones
// its proof cites, directly or through a theorem it cites) and the theorems
// it cites, each with where it comes from and whether this run checked it.
//
// Modules are found as tlapm finds them (a module named in EXTENDS or
// INSTANCE): in tlapm's working directory (where the generated modules are),
// then next to the module being checked, then in tlapm's library. A module
// found nowhere is one of tlapm's built-in standard modules (Naturals, ...).
// tlapm checks the proofs of the module it is given only: a theorem of an
// EXTENDed module is taken as proved ("proved elsewhere"), so a theorem cited
// from a module this run did not check rests on nothing mommie saw proved.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { moduleFacts, theoremLabel, type AssumptionFact, type ModuleFacts, type TheoremFact } from './proof-facts.js';

/** Where a module in scope comes from. */
export type ModuleOrigin =
  /** One of the modules this run gives tlapm (the generated ones, the user's proof modules). */
  | 'checked'
  /** A file next to a proof module that this run does not check. */
  | 'unchecked'
  /** tlapm's library (TLAPS, FiniteSetTheorems, ...): proved with tlapm, trusted. */
  | 'library';

export interface ScopedModule {
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  readonly origin: ModuleOrigin;
  readonly facts: ModuleFacts;
}

export interface ModuleFinder {
  /** The module file tlapm would read for `name` when checking `root`; null for a built-in module. */
  find(name: string, root: string): { readonly path: string; readonly origin: ModuleOrigin } | null;
  /** The parsed module at an absolute path (cached); null when it cannot be read or holds no module. */
  facts(path: string): ModuleFacts | null;
}

/**
 * tlapm's search order: its working directory, the checked module's own
 * directory, its library. `checked` are the absolute paths this run checks.
 */
export function moduleFinder(work: string, library: string | null, checked: ReadonlySet<string>, read: (path: string) => string | null = readText): ModuleFinder {
  const cache = new Map<string, ModuleFacts | null>();
  return {
    find(name, root) {
      const dirs: [string, ModuleOrigin | null][] = [
        [work, null],
        [dirname(resolve(work, root)), null],
        ...(library !== null ? ([[library, 'library']] as [string, ModuleOrigin][]) : []),
      ];
      for (const [dir, origin] of dirs) {
        const path = join(dir, `${name}.tla`);
        if (!existsSync(path)) continue;
        return { path, origin: origin ?? (checked.has(path) ? 'checked' : 'unchecked') };
      }
      return null;
    },
    facts(path) {
      if (!cache.has(path)) {
        const text = read(path);
        cache.set(path, text === null ? null : moduleFacts(text));
      }
      return cache.get(path)!;
    },
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The root module and every module it reaches through EXTENDS and INSTANCE, root first, each once. */
export function moduleScope(rootPath: string, rootFacts: ModuleFacts, finder: ModuleFinder): ScopedModule[] {
  const out: ScopedModule[] = [{ name: rootFacts.name, path: rootPath, origin: 'checked', facts: rootFacts }];
  const seen = new Set([rootFacts.name]);
  for (let i = 0; i < out.length; i++) {
    for (const name of [...out[i]!.facts.extends, ...out[i]!.facts.instances]) {
      if (seen.has(name)) continue;
      seen.add(name);
      const found = finder.find(name, rootPath);
      if (found === null) continue;
      const facts = finder.facts(found.path);
      if (facts !== null) out.push({ name, path: found.path, origin: found.origin, facts });
    }
  }
  return out;
}

export interface AssumptionRef {
  /** The assumption's name, or null for an unnamed one. */
  readonly name: string | null;
  readonly module: string;
  readonly path: string;
  readonly line: number;
}

export interface TheoremRef {
  readonly name: string;
  readonly module: string;
  readonly path: string;
  readonly line: number;
  readonly origin: ModuleOrigin;
  /** The theorem has an OMITTED proof, or none. */
  readonly omitted: boolean;
}

export interface RestsOn {
  readonly assumptions: readonly AssumptionRef[];
  /** The theorems its proof cites, directly. */
  readonly cites: readonly TheoremRef[];
  /** Theorems it rests on, through its citations, that this run did not check (not the library's; the first on each path). */
  readonly unchecked: readonly TheoremRef[];
}

interface Located<T> {
  readonly m: ScopedModule;
  readonly fact: T;
}

/** What each theorem of the scope's root rests on, in the root's order. */
export function restsOn(scope: readonly ScopedModule[]): Map<TheoremFact, RestsOn> {
  const theorems = new Map<string, Located<TheoremFact>>();
  const named = new Map<string, Located<AssumptionFact>>();
  for (const m of scope) {
    for (const t of m.facts.theorems) if (t.name !== null && !theorems.has(t.name)) theorems.set(t.name, { m, fact: t });
    for (const a of m.facts.assumptions) if (a.name !== null && !named.has(a.name)) named.set(a.name, { m, fact: a });
  }
  const assumptionRef = (l: Located<AssumptionFact>): AssumptionRef => ({ name: l.fact.name, module: l.m.name, path: l.m.path, line: l.fact.line });
  const theoremRef = (l: Located<TheoremFact>): TheoremRef => ({
    name: theoremLabel(l.fact),
    module: l.m.name,
    path: l.m.path,
    line: l.fact.line,
    origin: l.m.origin,
    omitted: l.m.facts.omissions.some((o) => o.theorem === theoremLabel(l.fact)),
  });
  /** The names a theorem may use: its proof's citations and its module's USEs before it. */
  const citedNames = (l: Located<TheoremFact>): string[] => [...l.m.facts.uses.filter((u) => u.line < l.fact.line).flatMap((u) => u.names), ...l.fact.cites];
  /** Unnamed assumptions reach every proof after them in their module, and every proof of a module that extends it. */
  const unnamedFor = (l: Located<TheoremFact>): Located<AssumptionFact>[] =>
    scope.flatMap((m) => m.facts.assumptions.filter((a) => a.name === null && (m !== l.m || a.line < l.fact.line)).map((fact) => ({ m, fact })));

  const memo = new Map<Located<TheoremFact>, { assumptions: Located<AssumptionFact>[]; unchecked: Located<TheoremFact>[] }>();
  const closure = (l: Located<TheoremFact>, visiting: Set<Located<TheoremFact>>): { assumptions: Located<AssumptionFact>[]; unchecked: Located<TheoremFact>[] } => {
    const known = memo.get(l);
    if (known !== undefined) return known;
    const assumptions: Located<AssumptionFact>[] = [...unnamedFor(l)];
    const unchecked: Located<TheoremFact>[] = [];
    visiting.add(l);
    for (const name of citedNames(l)) {
      const a = named.get(name);
      if (a !== undefined) assumptions.push(a);
      const t = theorems.get(name);
      if (t === undefined || t === l || visiting.has(t)) continue;
      if (t.m.origin === 'unchecked') unchecked.push(t);
      // The library's theorems are trusted: what they assume is not the user's to check.
      if (t.m.origin === 'library') continue;
      const sub = closure(t, visiting);
      assumptions.push(...sub.assumptions);
      // Below an unchecked theorem only the first is named: checking its module brings the rest to light.
      if (t.m.origin !== 'unchecked') unchecked.push(...sub.unchecked);
    }
    visiting.delete(l);
    const r = { assumptions: uniqueBy(assumptions, placeKey), unchecked: uniqueBy(unchecked, placeKey) };
    memo.set(l, r);
    return r;
  };

  const out = new Map<TheoremFact, RestsOn>();
  const root = scope[0]!;
  for (const fact of root.facts.theorems) {
    const l = theorems.get(fact.name ?? '')?.fact === fact ? theorems.get(fact.name!)! : { m: root, fact };
    const c = closure(l, new Set());
    const cites = uniqueBy(citedNames(l).map((n) => theorems.get(n)).filter((t): t is Located<TheoremFact> => t !== undefined && t !== l), placeKey);
    out.set(fact, { assumptions: c.assumptions.map(assumptionRef), cites: cites.map(theoremRef), unchecked: c.unchecked.map(theoremRef) });
  }
  return out;
}

const placeKey = (l: Located<{ readonly line: number; readonly column: number }>): string => `${l.m.path}:${l.fact.line}:${l.fact.column}`;

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  return [...new Map(xs.map((x) => [key(x), x] as const)).values()];
}
