// A checked module's result completed with what tlapm does not report: its
// omitted proofs, as obligations with status `omitted` at their lines, and its
// theorems, each with its status (from its obligations) and what it rests on
// (proof-scope.ts).

import { basename } from 'node:path';
import type { IncompleteProof } from './messages.js';
import { theoremLabel } from './proof-facts.js';
import { restsOn, type AssumptionRef, type ScopedModule, type TheoremRef } from './proof-scope.js';
import type { AssumptionRefResult, ModuleResult, Omission, ObligationResult, TheoremRefResult, TheoremResult, TheoremStatus } from './result.js';

/** How reports name a module file found at an absolute path. */
export type DisplayPath = (path: string) => string;

interface Found {
  readonly kind: Omission;
  readonly line: number;
  readonly column: number;
}

/**
 * The module's omitted proofs: those mommie read in it, and those tlapm's
 * --strict listed for it (a step with no proof inside a structured proof is
 * found only there), one per line.
 */
export function omissionsOf(root: ScopedModule, incomplete: readonly IncompleteProof[]): Found[] {
  const out: Found[] = root.facts.omissions.map((o) => ({ kind: o.kind, line: o.line, column: o.column }));
  for (const i of incomplete) {
    if (basename(i.location.file) !== basename(root.path)) continue;
    if (out.some((o) => o.line === i.location.line)) continue;
    out.push({ kind: i.kind, line: i.location.line, column: i.location.column });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function omittedObligation(file: string, o: Found): ObligationResult {
  return {
    id: null,
    location: { file, line: o.line, column: o.column, endLine: o.line, endColumn: o.column },
    status: 'omitted',
    prover: null,
    seconds: null,
    cached: false,
    attempts: [],
    failure: null,
    obligation: null,
    about: null,
    omission: o.kind,
  };
}

/** Obligations in line order, each omitted one placed before the first obligation below it. */
function merged(obligations: readonly ObligationResult[], omitted: readonly ObligationResult[]): ObligationResult[] {
  const out = [...obligations];
  for (const o of omitted) {
    const at = out.findIndex((x) => x.location.line > o.location.line);
    out.splice(at < 0 ? out.length : at, 0, o);
  }
  return out;
}

const STATUS_ORDER: readonly TheoremStatus[] = ['failed', 'omitted', 'interrupted', 'unfinished'];

function theoremStatus(obligations: readonly ObligationResult[]): TheoremStatus {
  for (const s of STATUS_ORDER) if (obligations.some((o) => o.status === s)) return s;
  return 'proved';
}

export function withTheorems(m: ModuleResult, scope: readonly ScopedModule[], incomplete: readonly IncompleteProof[], display: DisplayPath): ModuleResult {
  // A module tlapm did not read has no results to attach theorems to.
  if (m.status !== 'checked' && m.status !== 'interrupted') return m;
  const root = scope[0]!;
  const obligations = merged(m.obligations, omissionsOf(root, incomplete).map((o) => omittedObligation(m.file, o)));
  const rests = restsOn(scope);
  const facts = root.facts.theorems;
  const theorems = facts.map((fact): TheoremResult => {
    const own = obligations.filter((o) => o.location.line >= fact.line && o.location.line <= fact.endLine);
    const r = rests.get(fact)!;
    return {
      name: theoremLabel(fact),
      keyword: fact.keyword,
      line: fact.line,
      status: theoremStatus(own),
      obligations: own.filter((o) => o.status !== 'omitted').length,
      assumptions: r.assumptions.map((a) => assumptionRef(a, display)),
      cites: r.cites.map((t) => theoremRef(t, display)),
      unchecked: r.unchecked.map((t) => theoremRef(t, display)),
    };
  });
  return { ...m, obligations, theorems };
}

function assumptionRef(a: AssumptionRef, display: DisplayPath): AssumptionRefResult {
  return { name: a.name, module: a.module, file: display(a.path), line: a.line };
}

function theoremRef(t: TheoremRef, display: DisplayPath): TheoremRefResult {
  return { name: t.name, module: t.module, file: display(t.path), line: t.line, checked: t.origin === 'checked' ? 'this-run' : t.origin === 'library' ? 'library' : 'not-checked', omitted: t.omitted };
}
