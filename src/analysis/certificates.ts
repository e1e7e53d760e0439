// Certificates (issue 25): a PUBLISH of a record that carries statements must
// address it only to principals who can audit what it carries. For every
// certificate field of the record, and of the records it holds, the carrier's
// verifiers and auditors (V ∪ A) must lie within the field's AUDIT set A_f:
// whoever receives the carrier, or may be shown it, learns the carried
// statements and must be able to check them (MOM422).

import type * as A from '../syntax/ast.js';
import { constant } from './constants.js';
import type { Analysis } from './context.js';
import type { RecordInfo } from './program.js';
import type { Domain } from './types.js';

export interface CertificateField {
  /** `vcs`, or `inner.vcs` for a field of a record field. */
  readonly path: string;
  readonly record: string;
  readonly auditors: readonly string[];
}

/** The certificate fields of a record type, through its record fields (not inside the statements it carries). */
export function certificateFields(an: { readonly records: ReadonlyMap<string, RecordInfo> }, record: string, seen: ReadonlySet<string> = new Set()): CertificateField[] {
  const r = an.records.get(record);
  if (r === undefined || seen.has(record)) return [];
  const inner = new Set([...seen, record]);
  const out: CertificateField[] = [];
  for (const f of r.fields) {
    const visit = (d: Domain): void => {
      if (d.k === 'statement') out.push({ path: f.name, record: d.record, auditors: d.auditors });
      else if (d.k === 'set') visit(d.elem);
      else if (d.k === 'record') for (const c of certificateFields(an, d.name, inner)) out.push({ ...c, path: `${f.name}.${c.path}` });
    };
    visit(f.domain);
  }
  return out;
}

/** Every principal a verifier or auditor position may stand for, judged by its value when constant, else by its declared type. */
function principalsOf(an: Analysis, p: A.PrincipalsPattern): readonly string[] {
  const everyone = [...an.principalSets.values()].flat();
  if (p.kind === 'everyone') return everyone;
  if (p.kind !== 'expr') return [];
  const v = constant(an, p.expr);
  if (typeof v === 'string') return [v];
  if (typeof v === 'object') return v.set.map(String);
  const t = an.typeOf.get(p.expr.id);
  const set = t?.k === 'principal' ? t.set : t?.k === 'set' && t.elem.k === 'principal' ? t.elem.set : undefined;
  return set === undefined ? everyone : (an.principalSets.get(set) ?? everyone);
}

export function checkPublishAuditable(an: Analysis, s: A.Stmt & { kind: 'publish' }): void {
  const fields = certificateFields(an, s.recordType.name);
  if (fields.length === 0) return;
  const shownTo = [...new Set([...principalsOf(an, s.verifier), ...principalsOf(an, s.auditor)])].sort();
  for (const f of fields) {
    const outside = shownTo.filter((p) => !f.auditors.includes(p));
    if (outside.length === 0) continue;
    an.err('MOM422', `${s.recordType.name}.${f.path} carries ${f.record} statements auditable by {${f.auditors.join(', ')}}, but this PUBLISH may show them to ${outside.join(', ')}, who cannot audit them: narrow the verifiers and auditors to {${f.auditors.join(', ')}} or widen the field's AUDIT`, spanOf(s));
  }
}

/** The PUBLISH's `[ME, V, A] Type` part. */
function spanOf(s: A.Stmt & { kind: 'publish' }): { start: number; end: number } {
  return { start: s.span.start, end: s.recordType.span.end };
}
