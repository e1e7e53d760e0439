// deploy-check: every statement the program needs, against the mechanisms
// that serve its principals. A PUBLISH whose statement no mechanism can give
// is an error at the PUBLISH (MOM620); a pattern that asks for auditors the
// deployment never gives, for statements no PUBLISH already accounts for, is
// an error at the pattern (MOM621). Statements that only a TTP makes
// auditable are named (MOM631), and so are constants no model checked (coverage.ts).

import type { CheckedProgram } from '../analysis/program.js';
import { diag, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import { constEnv } from './constants.js';
import { coverageWarnings } from './coverage.js';
import type { DisseminationPlan, DisseminationStep } from './deployment.js';
import { isNoone, showAuditors, showMechanism, type Auditors } from './mechanisms.js';
import type { CheckedDeployment } from './resolve.js';
import { collectSites, type Site } from './sites.js';
import type { DeploySyntax } from './syntax.js';

export interface DeployCheckInput {
  readonly program: CheckedProgram;
  /** The program's text, to quote each site as written. */
  readonly programSource?: SourceText;
  readonly syntax: DeploySyntax;
  readonly deployment: CheckedDeployment;
}

/** How one site's statements travel: per mechanism, who sends to whom. */
export interface SiteRoute {
  readonly mechanism: string;
  readonly issuers: readonly string[];
  readonly verifiers: readonly string[];
}

/** Which [Dissemination] steps a site's statements follow, for some of its issuers and verifiers. */
export interface SiteDissemination {
  readonly issuers: readonly string[];
  /** The verifiers the steps apply to; the site's other verifiers get the fallback at once. */
  readonly verifiers: readonly string[];
  /** The rule, `file:line`. */
  readonly rule: string;
  readonly steps: readonly DisseminationStep[];
  /** `OPTIMISTIC(r1) 200ms → fallback`. */
  readonly text: string;
}

export interface SiteReport {
  readonly kind: 'publish' | 'pattern';
  readonly file: string;
  readonly span: Span;
  /** The site as written (`PUBLISH [ME, R, *] Request`). */
  readonly text: string;
  readonly role: string;
  readonly transition: string;
  readonly auditors: string;
  readonly routes: readonly SiteRoute[];
  /** For a PUBLISH, the [Dissemination] steps that apply (empty: plain unicast). */
  readonly dissemination: readonly SiteDissemination[];
  readonly ok: boolean;
}

export interface DeployCheckReport {
  readonly diagnostics: readonly Diagnostic[];
  /** Every PUBLISH, and every pattern with an auditor requirement. */
  readonly sites: readonly SiteReport[];
  readonly ok: boolean;
}

interface Group {
  readonly issuers: Set<string>;
  readonly verifiers: Set<string>;
}

function groupAdd(groups: Map<string, Group>, key: string, issuer: string, verifier: string): void {
  let g = groups.get(key);
  if (g === undefined) groups.set(key, (g = { issuers: new Set(), verifiers: new Set() }));
  g.issuers.add(issuer);
  g.verifiers.add(verifier);
}

const names = (s: Iterable<string>): string => [...s].sort().join(', ');

export function deployCheck(input: DeployCheckInput): DeployCheckReport {
  const { program, deployment: d, syntax } = input;
  const env = constEnv(program, new Map([...d.constants].map(([k, v]) => [k, { value: v }])));
  const sites = collectSites(program, env);
  const diagnostics: Diagnostic[] = [];
  const reports: SiteReport[] = [];
  const line = (span: Span): string => `${syntax.file}:${syntax.source.position(span.start).line}`;
  const quote = (s: Site): string => input.programSource?.text.slice(s.span.start, s.span.end).replace(/\s+/g, ' ') ?? `${s.kind === 'publish' ? 'PUBLISH' : 'pattern'} ${s.recordType}`;
  const homes = new Map([...program.principalSets].flatMap(([set, ms]) => ms.map((m) => [m, set] as const)));
  const setOf = (p: string): string => homes.get(p) ?? p;
  /** Pairs some PUBLISH already failed for: a pattern on them would say the same again. */
  const failedPairs = new Set<string>();

  // PUBLISH sites first, so that patterns can skip what they already reported.
  const ordered = [...sites.filter((s) => s.kind === 'publish'), ...sites.filter((s) => s.kind === 'pattern')];
  for (const site of ordered) {
    const routes = new Map<string, Group>();
    const failures = new Map<string, Group>();
    let auditorsShown = '';
    for (const node of site.nodes) {
      const auditors = site.auditors(node);
      auditorsShown ||= showAuditors(auditors);
      for (const issuer of site.issuers(node)) {
        for (const verifier of site.verifiers(node)) {
          // A node's own statement is known to it at once: nothing travels.
          if (issuer === verifier) continue;
          const m = d.resolve(issuer, verifier, auditors);
          if (m !== undefined) {
            groupAdd(routes, showMechanism(m), issuer, verifier);
            continue;
          }
          if (site.kind === 'pattern' && failedPairs.has(`${issuer} ${verifier}`)) continue;
          if (site.kind === 'publish') failedPairs.add(`${issuer} ${verifier}`);
          groupAdd(failures, whyNot(d, issuer, verifier, auditors, line, setOf(issuer), setOf(verifier)), issuer, verifier);
        }
      }
    }
    const text = quote(site);
    reports.push({
      kind: site.kind,
      file: program.file,
      span: site.span,
      text,
      role: site.role,
      transition: site.transition,
      auditors: auditorsShown,
      routes: [...routes].map(([mechanism, g]) => ({ mechanism, issuers: [...g.issuers].sort(), verifiers: [...g.verifiers].sort() })),
      dissemination: site.kind === 'publish' ? disseminationOf(site, d, line) : [],
      ok: failures.size === 0,
    });
    if (failures.size > 0) diagnostics.push(refusal(site, text, auditorsShown, failures, program.file));
    const ttps = [...routes].filter(([m]) => m.startsWith('TTP('));
    if (site.kind === 'publish' && ttps.length > 0) {
      const how = ttps.map(([m, g]) => `${names(g.issuers)} -> ${names(g.verifiers)} by ${m}`).join('; ');
      diagnostics.push(diag('MOM631', program.file, `${text} relies on a trusted third party to be auditable (${how}); the models take the third party to be honest, so the verdicts hold only if it is`, site.span));
    }
  }
  diagnostics.push(...coverageWarnings(program, syntax, d));
  return { diagnostics, sites: reports, ok: !diagnostics.some((x) => x.severity === 'error') };
}

/** The plans a PUBLISH's issuers follow, grouped by rule and steps. */
function disseminationOf(site: Site, d: CheckedDeployment, line: (span: Span) => string): SiteDissemination[] {
  const groups = new Map<string, { plan: DisseminationPlan; issuers: Set<string>; verifiers: Set<string> }>();
  for (const issuer of site.nodes) {
    const plan = d.disseminationFor(issuer, site.recordType);
    if (plan === undefined) continue;
    const to = site.verifiers(issuer).filter((v) => v !== issuer && plan.verifiers.includes(v));
    if (to.length === 0) continue;
    const key = `${line(plan.rule.span)} ${plan.text}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { plan, issuers: new Set(), verifiers: new Set() }));
    g.issuers.add(issuer);
    to.forEach((v) => g.verifiers.add(v));
  }
  return [...groups.values()].map((g) => ({ issuers: [...g.issuers].sort(), verifiers: [...g.verifiers].sort(), rule: line(g.plan.rule.span), steps: g.plan.steps, text: g.plan.text }));
}

function refusal(site: Site, text: string, auditors: string, failures: Map<string, Group>, file: string): Diagnostic {
  const groups = [...failures];
  const shown = groups.slice(0, 3).map(([why, g]) => `${names(g.issuers)} -> ${names(g.verifiers)}: ${why}`);
  if (groups.length > 3) shown.push(`and ${groups.length - 3} more`);
  const what = site.kind === 'publish' ? `the deployment cannot give ${text} (auditable by ${auditors})` : `${text} in ${site.role}.${site.transition} asks for statements auditable by ${auditors}, which the deployment cannot give`;
  return diag(site.kind === 'publish' ? 'MOM620' : 'MOM621', file, `${what}: ${shown.join('; ')}`, site.span);
}

/**
 * Why no mechanism gives `issuer` -> `verifier` this statement; worded with
 * their principal sets, not their names, so that pairs group.
 */
function whyNot(d: CheckedDeployment, issuer: string, verifier: string, auditors: Auditors, line: (s: Span) => string, issuerSet: string, verifierSet: string): string {
  const pair = d.authFor(issuer, verifier);
  const rules = d.nonRepOf(issuer);
  if (isNoone(auditors)) {
    return `no [Authentication] entry for the pair and no signature of the issuer in [Non-repudiation]; add e.g. \`${issuerSet} <-> ${verifierSet} : HMAC\` to [Authentication]`;
  }
  const byPair = pair === undefined ? '' : `${showMechanism(pair.mechanism)} (${line(pair.span)}) gives only statements auditable by NOONE, and `;
  const sig = `\`${issuerSet} -> * : ED25519\``;
  const hint = auditors.kind === 'everyone' ? `add e.g. ${sig} to [Non-repudiation]` : `add a signature (${sig}) or a TTP whose clients include them to [Non-repudiation]`;
  if (rules.length === 0) return `${byPair}the issuer has no [Non-repudiation] entry; ${hint}`;
  const entries = rules.map((r) => `${showMechanism(r.mechanism)} for ${showAuditors(r.auditors)} (${line(r.span)})`).join(', ');
  const ttpNote = rules.some((r) => r.mechanism.kind === 'TTP' && !d.clientsOf(r.mechanism.principal).has(verifier)) ? ' (a TTP attests only to its clients)' : '';
  return `${byPair}the issuer's [Non-repudiation] entries, ${entries}, do not give auditors ${showAuditors(auditors)}${ttpNote}; ${hint}`;
}

