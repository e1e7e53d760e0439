// What a model lets a Byzantine principal publish: the check behind a
// Byzantine step, for one statement that is already given (replay has it
// from a log). The model checker enumerates the same choices (System's
// successors: each SENDS item's records, each verifier choice, the item's
// auditors, within the BUDGET); here a record is checked against its type
// rather than looked up in the enumeration, so that a run's large domains
// (a deployment's constants) cost nothing.

import { inDomain } from './domain.js';
import type { ByzantineSend, ModelInstance } from './model.js';
import type { RecordValue } from './value.js';

export interface ByzantineStatement {
  readonly issuer: string;
  readonly verifiers: readonly string[];
  readonly auditors: readonly string[];
  readonly record: RecordValue;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/**
 * Why `node` may not publish `s` as a Byzantine step of `model`, having
 * already published `spent` statements of its own; undefined when it may.
 */
export function byzantineRefusal(model: ModelInstance, node: string, s: ByzantineStatement, spent: number): string | undefined {
  const label = model.decl.id === -1 ? 'the run (no model: every principal correct)' : `model ${model.name}`;
  const idx = model.nodeIndex.get(node);
  const entries = model.byzantine.filter((b) => b.node === idx);
  if (entries.length === 0) return `${node} is not Byzantine in ${label}`;
  if (s.issuer !== node) return `a Byzantine node published a statement of another issuer, ${s.issuer}: authentication should make that impossible`;
  const shown = `${s.record.type} to {${s.verifiers.join(', ')}} with auditors {${s.auditors.join(', ')}}`;
  const typed = (send: ByzantineSend): boolean => send.recordType === s.record.type
    && send.verifierChoices.some((v) => sameSet(v, s.verifiers))
    && sameSet(send.auditors, s.auditors)
    && inDomain(s.record, { k: 'record', name: send.recordType }, model.evaluator);
  const fits = entries.filter((b) => b.sends.some((send) => typed(send) && (send.allows === undefined || send.allows(s.record))));
  if (fits.length === 0) {
    const narrowed = entries.some((b) => b.sends.some(typed));
    return narrowed
      ? `${label} does not let ${node} send ${shown}: the record is not one its SENDS item's WHERE condition allows`
      : `${label} does not let ${node} send ${shown} (its SENDS clause, with the record's type)`;
  }
  if (fits.every((b) => spent >= b.budget)) return `${node} publishes a statement of its own beyond its budget: ${label} lets it publish ${Math.max(...fits.map((b) => b.budget))}, and it already published ${spent}`;
  return undefined;
}
