// Certificates at deploy time (issue 25 item 3). A certificate field
// `STATEMENT T AUDIT A_f` is like a pattern that requires auditors A_f: every
// receiver of the carrier checks each carried T statement with the
// authenticator its issuer made, passed on unchanged. So every PUBLISH of T
// that may be carried (its auditors include A_f) must use, toward each of its
// verifiers, a mechanism whose authenticator still convinces every member of
// A_f when passed on — a signature (ED25519, RSA, batched or not) or a TTP
// whose clients include A_f — and the same one each member of A_f expects
// from that issuer (what the deployment prescribes toward it): never a MAC
// or a channel, which convince only the verifier they were made for.
// The runtime's receiver applies the same rule (wire/open.ts).

import { certificateFields } from '../analysis/certificates.js';
import type { CheckedProgram } from '../analysis/program.js';
import type { Code } from '../diagnostics/codes.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { constEnv } from './constants.js';
import type { Mechanism } from './deployment.js';
import { auditorsWithin, showMechanism, type Auditors } from './mechanisms.js';
import type { CheckedDeployment } from './resolve.js';
import { collectSites, type Site } from './sites.js';

export interface CarrierInput {
  readonly program: CheckedProgram;
  readonly programSource?: SourceText;
  readonly deployment: CheckedDeployment;
  /** Reports a diagnostic in the program's file. */
  report(code: Code, message: string, span: Span): void;
}

const transferable = (m: Mechanism): boolean => m.kind === 'ED25519' || m.kind === 'RSA' || m.kind === 'TTP';
const same = (a: Mechanism, b: Mechanism): boolean => a.kind === b.kind && (a.kind !== 'TTP' || (b.kind === 'TTP' && a.principal === b.principal));

/** Reports every PUBLISH of a carried record type whose authenticator a certificate's auditors could not check. */
export function checkCarriers(input: CarrierInput): void {
  const { program, deployment: d } = input;
  const fields = [...program.records.keys()].flatMap((carrier) => certificateFields(program, carrier).map((f) => ({ carrier, ...f })));
  if (fields.length === 0) return;
  const env = constEnv(program, new Map([...d.constants].map(([k, v]) => [k, { value: v }])));
  const sites = collectSites(program, env).filter((s) => s.kind === 'publish');
  const quote = (s: Site): string => input.programSource?.text.slice(s.span.start, s.span.end).replace(/\s+/g, ' ') ?? `PUBLISH ${s.recordType}`;
  const where = (s: Site): string => `${s.role}.${s.transition}`;
  for (const f of fields) {
    const af: Auditors = { kind: 'set', members: new Set(f.auditors) };
    const carriers = sites.filter((s) => s.recordType === f.carrier).map((s) => `${quote(s)} in ${where(s)}`);
    const carrierText = carriers.length === 0 ? `${f.carrier}.${f.path}` : `${carriers.join(', ')} (field ${f.path})`;
    for (const site of sites.filter((s) => s.recordType === f.record)) {
      const problems: string[] = [];
      for (const issuer of site.nodes) {
        const auditors = site.auditors(issuer);
        // A statement whose auditors do not include A_f can never be carried in this field.
        if (!auditorsWithin(af, auditors)) continue;
        const list = auditors.kind === 'everyone' ? ['*'] : [...auditors.members].sort();
        const toward = (p: string): Mechanism | undefined => d.mechanismFor(issuer, p, list);
        for (const v of site.verifiers(issuer)) {
          if (v === issuer) continue;
          const mv = toward(v);
          // No mechanism at all is deploy-check's MOM620 at this PUBLISH.
          if (mv === undefined) continue;
          if (!transferable(mv)) {
            problems.push(`${issuer} -> ${v} by ${showMechanism(mv)}, which convinces ${v} only`);
            continue;
          }
          for (const a of f.auditors) {
            if (a === issuer || a === v) continue;
            const ma = toward(a);
            if (ma === undefined || !same(ma, mv)) {
              problems.push(`${issuer} -> ${v} by ${showMechanism(mv)}, but ${a} (an auditor of the field) ${ma === undefined ? 'gets no mechanism from ' + issuer : `expects ${showMechanism(ma)} from ${issuer}`}`);
              break;
            }
          }
        }
      }
      if (problems.length === 0) continue;
      const shown = problems.slice(0, 3);
      if (problems.length > 3) shown.push(`and ${problems.length - 3} more`);
      input.report('MOM622', `${quote(site)} in ${where(site)} may be carried by ${carrierText} to {${f.auditors.join(', ')}}, who must each check the authenticator ${site.recordType}'s issuer made: ${shown.join('; ')}; give ${site.recordType} a signature every auditor checks (e.g. \`${program.roles.get(site.role)?.set ?? site.role} -> * : ED25519\` in [Non-repudiation]) or a TTP whose clients include {${f.auditors.join(', ')}}`, site.span);
    }
  }
}
