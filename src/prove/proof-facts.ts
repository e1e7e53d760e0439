// What a TLA+ module says about its proofs, read from its tokens
// (tla-tokens.ts): the modules it EXTENDS and INSTANCEs, its assumptions
// (ASSUME, ASSUMPTION, AXIOM), its theorems (THEOREM, LEMMA, PROPOSITION,
// COROLLARY) with the names each proof cites (BY, USE) and whether it has a
// proof at all, and every omitted proof (OMITTED, PROOF OMITTED).
//
// tlapm (4600b24) generates no obligation for an omitted proof and reports
// none in its toolbox messages, so a module proving FALSE through an OMITTED
// step looks proved; mommie finds the omissions itself. This is a reading of
// the module's top-level structure, not a parser: it needs to tell a
// module-level ASSUME from the ASSUME of an ASSUME ... PROVE, a step label from
// a step cited in a BY, and a module-level USE from a step's. A theorem with
// no proof at all is found here; a step without a proof inside a structured
// proof is left to tlapm's `--strict` (run.ts), which parses the proof.

import { moduleTokens, type Token } from './tla-tokens.js';

export interface Place {
  readonly line: number;
  readonly column: number;
}

export interface AssumptionFact extends Place {
  /** `ASSUME Consts == ...`: Consts; null for an unnamed one (tlapm uses it in every later proof). */
  readonly name: string | null;
  readonly keyword: string;
}

export interface OmissionFact extends Place {
  /** omitted: an OMITTED proof. missing: a theorem with no proof at all. */
  readonly kind: 'omitted' | 'missing';
  /** The theorem it is in, by name, or its keyword and line for an unnamed one. */
  readonly theorem: string;
}

export interface TheoremFact extends Place {
  /** The line of its last token: its statement and proof span line..endLine. */
  readonly endLine: number;
  readonly keyword: string;
  readonly name: string | null;
  /** The names its proof cites (BY and USE, before DEF), in order, each once. */
  readonly cites: readonly string[];
  readonly hasProof: boolean;
}

export interface ModuleUse extends Place {
  readonly names: readonly string[];
}

export interface ModuleFacts {
  readonly name: string;
  readonly extends: readonly string[];
  readonly instances: readonly string[];
  readonly assumptions: readonly AssumptionFact[];
  readonly theorems: readonly TheoremFact[];
  readonly omissions: readonly OmissionFact[];
  /** Module-level `USE`: every later proof of the module may use these. */
  readonly uses: readonly ModuleUse[];
}

const THEOREM_WORDS = new Set(['THEOREM', 'LEMMA', 'PROPOSITION', 'COROLLARY']);
/** After these, a step token names a step (`BY <1>2`), it does not start one. */
const REFERENCE_BEFORE = new Set(['BY', 'USE', 'HIDE', 'ONLY', ',', '(', '!', 'DEF', 'DEFS']);

/** How a theorem unnamed in the source is called in reports. */
export function theoremLabel(t: Pick<TheoremFact, 'keyword' | 'name' | 'line'>): string {
  return t.name ?? `${t.keyword} at line ${t.line}`;
}

interface OpenTheorem {
  readonly fact: { keyword: string; name: string | null; line: number; column: number; endLine: number; cites: string[]; hasProof: boolean };
  /** ASSUMEs of an ASSUME ... PROVE still waiting for their PROVE. */
  openAssume: number;
  /** Inside a BY or step-level USE: names are citations until DEF, a step or the end. */
  citing: boolean;
  defPart: boolean;
}

type Unit =
  | { readonly kind: 'theorem'; readonly t: OpenTheorem }
  | { readonly kind: 'use'; readonly use: { line: number; column: number; names: string[] }; defPart: boolean }
  | { readonly kind: 'extends' }
  | { readonly kind: 'other' };

/** The module's facts; null when the text holds no module. */
export function moduleFacts(text: string): ModuleFacts | null {
  const mod = moduleTokens(text);
  if (mod === null) return null;
  const body = mod.body;
  const exts: string[] = [];
  const instances: string[] = [];
  const assumptions: AssumptionFact[] = [];
  const theorems: TheoremFact[] = [];
  const omissions: OmissionFact[] = [];
  const uses: ModuleUse[] = [];
  let unit: Unit = { kind: 'other' };

  /** Ends the current unit before token k. */
  const close = (k: number): void => {
    if (unit.kind === 'theorem') {
      const f = unit.t.fact;
      f.endLine = Math.max(f.line, body[k - 1]?.line ?? f.line);
      theorems.push({ ...f });
      if (!f.hasProof) omissions.push({ kind: 'missing', line: f.line, column: f.column, theorem: theoremLabel(f) });
    } else if (unit.kind === 'use') uses.push({ ...unit.use });
    unit = { kind: 'other' };
  };
  /** `KEYWORD Name ==`: the name, else null. */
  const nameAfter = (k: number): string | null => (body[k + 1]?.kind === 'name' && body[k + 2]?.text === '==' ? body[k + 1]!.text : null);

  for (let k = 0; k < body.length; k++) {
    const t = body[k]!;
    const prev: Token | undefined = body[k - 1];
    const th = unit.kind === 'theorem' ? unit.t : null;
    if (t.kind === 'keyword') {
      const w = t.text;
      if (THEOREM_WORDS.has(w)) {
        close(k);
        unit = { kind: 'theorem', t: { fact: { keyword: w, name: nameAfter(k), line: t.line, column: t.column, endLine: t.line, cites: [], hasProof: false }, openAssume: 0, citing: false, defPart: false } };
        continue;
      }
      if (w === 'ASSUME' && th !== null && startsAssumeProve(prev, th)) {
        th.openAssume++;
        th.citing = false;
        continue;
      }
      if (w === 'ASSUME' || w === 'ASSUMPTION' || w === 'AXIOM') {
        close(k);
        assumptions.push({ keyword: w, name: nameAfter(k), line: t.line, column: t.column });
        continue;
      }
      if (w === 'PROVE') {
        if (th !== null) th.openAssume = Math.max(0, th.openAssume - 1);
        continue;
      }
      if (w === 'CONSTANT' || w === 'CONSTANTS' || w === 'VARIABLE' || w === 'VARIABLES') {
        // `ASSUME NEW CONSTANT c` declares inside a statement.
        if (th !== null && (th.openAssume > 0 || prev?.text === 'NEW')) continue;
        close(k);
        continue;
      }
      if (w === 'RECURSIVE' || w === 'LOCAL') {
        close(k);
        continue;
      }
      if (w === 'EXTENDS') {
        close(k);
        unit = { kind: 'extends' };
        continue;
      }
      if (w === 'INSTANCE') {
        if (body[k + 1]?.kind === 'name') instances.push(body[k + 1]!.text);
        continue;
      }
      if (w === 'USE' || w === 'HIDE') {
        if (th !== null && prev?.kind === 'step') {
          // A step's USE: its names are facts the rest of this proof may use.
          th.citing = w === 'USE';
          th.defPart = false;
          continue;
        }
        close(k);
        if (w === 'USE') unit = { kind: 'use', use: { line: t.line, column: t.column, names: [] }, defPart: false };
        continue;
      }
      if (w === 'BY') {
        if (th !== null) {
          th.fact.hasProof = true;
          th.citing = true;
          th.defPart = false;
        }
        continue;
      }
      if (w === 'DEF' || w === 'DEFS') {
        if (th !== null && th.citing) th.defPart = true;
        if (unit.kind === 'use') unit.defPart = true;
        continue;
      }
      if (w === 'OBVIOUS' || w === 'PROOF') {
        if (th !== null) {
          th.fact.hasProof = true;
          th.citing = false;
        }
        continue;
      }
      if (w === 'OMITTED') {
        // `PROOF OMITTED` is one omitted proof, placed at OMITTED, where tlapm's --strict places it.
        omissions.push({ kind: 'omitted', line: t.line, column: t.column, theorem: th !== null ? theoremLabel(th.fact) : '(no theorem)' });
        if (th !== null) {
          th.fact.hasProof = true;
          th.citing = false;
        }
        continue;
      }
      continue;
    }
    if (t.kind === 'step') {
      if (th !== null && (prev === undefined || !REFERENCE_BEFORE.has(prev.text))) {
        // A step label: the theorem has a (structured) proof; a new step starts.
        th.fact.hasProof = true;
        th.citing = false;
        th.defPart = false;
        th.openAssume = 0;
      }
      continue;
    }
    if (t.kind === 'punct' && (t.text.startsWith('----') || t.text.startsWith('===='))) {
      // A separator line, or a nested module's first or last line.
      close(k);
      continue;
    }
    if (t.kind === 'name') {
      if (unit.kind === 'extends') {
        // `EXTENDS A, B` then `Foo == ...`: Foo starts a definition.
        if (prev?.text === 'EXTENDS' || prev?.text === ',') exts.push(t.text);
        else unit = { kind: 'other' };
      }
      else if (unit.kind === 'use' && !unit.defPart) addOnce(unit.use.names, t.text);
      else if (th !== null && th.citing && !th.defPart) addOnce(th.fact.cites, t.text);
      continue;
    }
    if (unit.kind === 'extends' && t.text !== ',') unit = { kind: 'other' };
  }
  close(body.length);
  return { name: mod.name, extends: exts, instances, assumptions, theorems, omissions, uses };
}

function addOnce(list: string[], name: string): void {
  if (!list.includes(name)) list.push(name);
}

/**
 * Whether an ASSUME inside a theorem opens an ASSUME ... PROVE (the theorem's
 * statement, a step's, a SUFFICES, or a hypothesis of an enclosing ASSUME)
 * rather than a module-level assumption after the theorem.
 */
function startsAssumeProve(prev: Token | undefined, th: OpenTheorem): boolean {
  if (prev === undefined) return false;
  if (prev.kind === 'keyword' && (THEOREM_WORDS.has(prev.text) || prev.text === 'SUFFICES')) return true;
  if (prev.kind === 'step') return true;
  if (prev.text === '==') return true;
  return prev.text === ',' && th.openAssume > 0;
}
