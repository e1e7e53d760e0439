// Whether two deployments send every statement the same way: the same
// mechanism for every issuer, verifier and auditor set the program uses, and
// the same dissemination steps for every publisher and record type. The
// search's generated form of the base file is then the base itself, and is
// not simulated twice.

import type { CheckedDeployment } from '../deploy/resolve.js';
import type { Site } from '../deploy/sites.js';

function steps(d: CheckedDeployment, issuer: string, recordType: string): string {
  const plan = d.disseminationFor(issuer, recordType);
  return plan === undefined ? '' : `${plan.text} for ${plan.verifiers.join(', ')}`;
}

export function sameRoutes(a: CheckedDeployment, b: CheckedDeployment, sites: readonly Site[]): boolean {
  for (const site of sites) {
    for (const node of site.nodes) {
      const auditors = site.auditors(node);
      for (const issuer of site.issuers(node)) {
        for (const verifier of site.verifiers(node)) {
          if (issuer === verifier) continue;
          const ma = a.resolve(issuer, verifier, auditors);
          const mb = b.resolve(issuer, verifier, auditors);
          if (ma?.kind !== mb?.kind || (ma?.kind === 'TTP' && mb?.kind === 'TTP' && ma.principal !== mb.principal)) return false;
        }
      }
      if (site.kind === 'publish' && steps(a, node, site.recordType) !== steps(b, node, site.recordType)) return false;
    }
  }
  return true;
}
