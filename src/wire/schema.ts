// What a statement on the wire may contain in one run: the program's record
// types with their field domains, evaluated under the run's constants, and
// the principals that exist. Decoding checks every statement against it, so
// a statement that leaves the wire module is well typed.

import type { CheckedProgram, RecordInfo } from '../analysis/program.js';
import type { Domain } from '../analysis/types.js';
import type { Expr } from '../syntax/ast.js';
import { inDomain, type DomainContext } from '../semantics/domain.js';
import type { Evaluator } from '../semantics/eval.js';
import type { ModelInstance } from '../semantics/model.js';
import type { Value } from '../semantics/value.js';

export interface WireSchema {
  readonly records: ReadonlyMap<string, RecordInfo>;
  /** Every principal of the program: issuers, verifiers, auditors are drawn from these. */
  readonly principals: ReadonlySet<string>;
  /** Membership of a value in a declared domain under the run's constants; never throws. */
  inDomain(v: Value, d: Domain): boolean;
  /**
   * How deep statements can be carried in statements of this program (0: the
   * program has no certificate field; 1: a record carries statements that
   * carry none): records cannot carry their own type (MOM403), so it is finite.
   * A statement on the wire nested deeper is refused before it is typed.
   */
  readonly maxCarryDepth: number;
  /** Record types some certificate field may carry: their authenticators are kept to be passed on. */
  readonly carriable: ReadonlySet<string>;
  /** The value of a set's SIZE bound under the run's constants (undefined if it does not evaluate). */
  sizeBound(max: Expr): number | undefined;
}

export type SchemaResult = { readonly ok: true; readonly schema: WireSchema } | { readonly ok: false; readonly detail: string };

/** The schema of a model's run (its constants, its principals). */
export function schemaFromModel(m: ModelInstance): SchemaResult {
  return schemaFromProgram(m.program, m.evaluator);
}

/**
 * The schema of a run whose constants `evaluator` carries (the runtime builds
 * it with the deployment's constant overrides). Fails when a field's range
 * bound does not evaluate to an integer, so that decoding never meets that.
 */
export function schemaFromProgram(program: CheckedProgram, evaluator: Evaluator): SchemaResult {
  for (const r of program.records.values()) {
    for (const f of r.fields) {
      const bad = checkBounds(f.domain, evaluator);
      if (bad !== undefined) return { ok: false, detail: `field ${f.name} of ${r.name}: ${bad}` };
    }
  }
  const principals = new Set<string>();
  for (const members of program.principalSets.values()) for (const p of members) principals.add(p);
  const ctx: DomainContext = evaluator;
  const carriable = new Set<string>();
  for (const r of program.records.values()) for (const f of r.fields) statementRecords(f.domain, carriable);
  return {
    ok: true,
    schema: {
      records: program.records,
      principals,
      maxCarryDepth: Math.max(0, ...[...program.records.keys()].map((n) => carryDepth(program.records, n, new Set()))),
      carriable,
      sizeBound(max: Expr): number | undefined {
        try {
          return evaluator.constInt(max);
        } catch {
          return undefined;
        }
      },
      inDomain(v: Value, d: Domain): boolean {
        try {
          return inDomain(v, d, ctx);
        } catch {
          // Bounds were evaluated once above; an evaluator that fails now is
          // answered conservatively: the value is not accepted.
          return false;
        }
      },
    },
  };
}

function checkBounds(d: Domain, ctx: DomainContext): string | undefined {
  switch (d.k) {
    case 'range':
      try {
        ctx.constInt(d.lo);
        ctx.constInt(d.hi);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    case 'set':
      return checkBounds(d.elem, ctx);
    case 'error':
      return 'a domain with errors';
    default:
      return undefined;
  }
}

/** The record types a domain's statements may have (a certificate field's STATEMENT T), nested sets included. */
function statementRecords(d: Domain, out: Set<string>): void {
  if (d.k === 'statement') out.add(d.record);
  else if (d.k === 'set') statementRecords(d.elem, out);
}

/** How many statements deep a record of type `name` can carry (through record fields and carried statements' records). */
export function carryDepth(records: ReadonlyMap<string, RecordInfo>, name: string, seen: ReadonlySet<string>): number {
  const r = records.get(name);
  if (r === undefined || seen.has(name)) return 0;
  const inner = new Set([...seen, name]);
  const of = (d: Domain): number => {
    switch (d.k) {
      case 'statement':
        return 1 + carryDepth(records, d.record, inner);
      case 'set':
        return of(d.elem);
      case 'record':
        return carryDepth(records, d.name, inner);
      default:
        return 0;
    }
  };
  return Math.max(0, ...r.fields.map((f) => of(f.domain)));
}
