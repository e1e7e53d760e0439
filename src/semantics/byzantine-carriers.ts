// Byzantine carriers (issue 25): what a Byzantine principal may put in the
// certificate fields of a record it sends. It may carry any statement in
// `pool` whose auditors include the carrier's verifiers and auditors (and
// the field's AUDIT set), whether or not it received it: authentication lets
// it show anything it has seen or could have seen, and never a correct
// issuer's statement that nobody published. Its sets range over every subset
// of those within the field's SIZE bound; the other fields over their types,
// as for any Byzantine record.

import type { Domain } from '../analysis/types.js';
import type { CheckedProgram } from '../analysis/program.js';
import { enumerate, MAX_DOMAIN_SIZE, type DomainContext } from './domain.js';
import { EvalError } from './errors.js';
import type { Statement } from './state.js';
import { makeRecord, makeSet, makeStatement, type RecordValue, type StatementValue, type Value } from './value.js';

/** Whether a Byzantine principal sending `recordType` chooses what it carries from the pool. */
export function isCarrierType(program: CheckedProgram, recordType: string): boolean {
  return program.records.get(recordType)?.fields.some((f) => f.domain.k === 'statement' || (f.domain.k === 'set' && f.domain.elem.k === 'statement')) ?? false;
}

/**
 * Every record of `recordType` a Byzantine principal may send to `verifiers`
 * with `auditors`, given the statements in `pool`.
 */
export function carrierRecords(recordType: string, verifiers: readonly string[], auditors: readonly string[], pool: readonly Statement[], ctx: DomainContext, at: { start: number; end: number }): RecordValue[] {
  const r = ctx.program.records.get(recordType);
  if (r === undefined) return [];
  const shownTo = [...verifiers, ...auditors];
  const eligible = (d: Domain & { k: 'statement' }): StatementValue[] => pool
    .filter((s) => s.record.type === d.record && d.auditors.every((a) => s.auditors.includes(a)) && shownTo.every((p) => s.auditors.includes(p)))
    .map((s) => makeStatement(s.issuer, s.verifiers, s.auditors, s.record));
  let combos: Value[][] = [[]];
  for (const f of r.fields) {
    const d = f.domain;
    let values: readonly Value[];
    if (d.k === 'statement') values = eligible(d);
    else if (d.k === 'set' && d.elem.k === 'statement') values = boundedSubsets(eligible(d.elem), d.max === undefined ? Infinity : ctx.constInt(d.max));
    else values = enumerate(d, ctx, at);
    if (combos.length * values.length > MAX_DOMAIN_SIZE) throw new EvalError('MOM502', `a Byzantine ${recordType} has more than ${MAX_DOMAIN_SIZE} choices in this state; shrink the model`, at);
    const next: Value[][] = [];
    for (const c of combos) for (const v of values) next.push([...c, v]);
    combos = next;
  }
  return combos.map((fs) => makeRecord(recordType, fs));
}

/** Every subset of `xs` with at most `max` elements, the empty one included. */
function boundedSubsets(xs: readonly Value[], max: number): Value[] {
  const out: Value[] = [];
  const pick = (from: number, chosen: Value[]): void => {
    out.push(makeSet(chosen));
    if (chosen.length >= max) return;
    for (let i = from; i < xs.length; i++) pick(i + 1, [...chosen, xs[i]!]);
  };
  pick(0, []);
  return out;
}
