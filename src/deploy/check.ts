// A parsed deploy file against the program it deploys: names resolve to the
// program's principals and sets, every principal has a node, each pair has at
// most one mechanism, a TTP is a node outside the program with its clients.
// The result is the Deployment every later stage reads, or diagnostics.

import type { CheckedProgram } from '../analysis/program.js';
import { diag, hasErrors, type Diagnostic, type Span } from '../diagnostics/diagnostic.js';
import type { Code } from '../diagnostics/codes.js';
import type { SourceText } from '../diagnostics/source.js';
import type { Endpoint, Mechanism } from './deployment.js';
import { checkCarriers } from './carriers.js';
import { checkDissemination } from './dissemination.js';
import { EVERYONE, showAuditors, showMechanism, type Auditors } from './mechanisms.js';
import { makeDeployment, pairKey, type AuthPair, type CheckedDeployment, type NonRepRule } from './resolve.js';
import { checkSettings } from './settings.js';
import type { DeploySyntax, MechanismSyntax, PrincipalRef } from './syntax.js';

export interface DeployCheckResult {
  /** Present when there are no errors. */
  readonly deployment?: CheckedDeployment;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

/** What the checks of one deploy file share: the program's names and the diagnostics so far. */
export interface DeployContext {
  readonly file: string;
  readonly program: CheckedProgram;
  /** Program principals, sorted. */
  readonly everyone: readonly string[];
  readonly principals: ReadonlySet<string>;
  readonly nodes: ReadonlyMap<string, Endpoint>;
  report(code: Code, message: string, span?: Span): void;
  /** Principals named by `refs`; undefined after reporting a name that is none. `withNodes`: TTP nodes count too. */
  expand(refs: readonly PrincipalRef[], withNodes: boolean): string[] | undefined;
}

function list(xs: Iterable<string>): string {
  return [...xs].join(', ');
}

function setsText(program: CheckedProgram): string {
  return [...program.principalSets].map(([n, ms]) => `${n} = {${ms.join(', ')}}`).join(', ');
}

/** `programSource`: the program's text, to name its PUBLISH sites by line in messages (read from program.file when absent). */
export function checkDeploy(syntax: DeploySyntax, program: CheckedProgram, programSource?: SourceText): DeployCheckResult {
  const diagnostics: Diagnostic[] = [];
  const file = syntax.file;
  const everyone = [...program.principalSets.values()].flat().sort();
  const principals = new Set(everyone);
  const nodes = new Map<string, Endpoint>();
  const report = (code: Code, message: string, span?: Span): void => void diagnostics.push(diag(code, file, message, span));
  const ctx: DeployContext = {
    file,
    program,
    everyone,
    principals,
    nodes,
    report,
    expand(refs, withNodes) {
      const out = new Set<string>();
      for (const r of refs) {
        if (r.kind === 'everyone') {
          for (const p of withNodes ? [...everyone, ...nodes.keys()] : everyone) out.add(p);
          continue;
        }
        const members = program.principalSets.get(r.name);
        if (members !== undefined) members.forEach((m) => out.add(m));
        else if (principals.has(r.name) || (withNodes && nodes.has(r.name))) out.add(r.name);
        else {
          const why = nodes.has(r.name) ? `${r.name} is a trusted third party, not a principal of PROGRAM ${program.name}` : `${r.name} is not a principal or principal set of PROGRAM ${program.name} (${setsText(program)})`;
          report('MOM606', why, r.span);
          return undefined;
        }
      }
      return [...out].sort();
    },
  };

  checkNodes(syntax, ctx, nodes);
  const auth = checkAuthentication(syntax, ctx);
  const nonRep = checkNonRepudiation(syntax, ctx, auth);
  const settings = checkSettings(syntax, ctx);

  if (hasErrors(diagnostics)) return { diagnostics, ok: false };
  const tables = { file, everyone, nodes, auth, nonRep, ...settings };
  // What the [Dissemination] rules mean for the program needs the resolution rule: checked last.
  const plans = checkDissemination({ program, ...(programSource === undefined ? {} : { programSource }), deployment: makeDeployment(tables), lineOf: (span) => lineOf(syntax, span), report });
  // Certificates: what may be carried must stay checkable by the field's auditors when passed on.
  checkCarriers({ program, ...(programSource === undefined ? {} : { programSource }), deployment: makeDeployment(tables), report: (code, message, span) => void diagnostics.push(diag(code, program.file, message, span)) });
  if (hasErrors(diagnostics)) return { diagnostics, ok: false };
  return { deployment: makeDeployment({ ...tables, plans }), diagnostics, ok: true };
}

function checkNodes(syntax: DeploySyntax, ctx: DeployContext, nodes: Map<string, Endpoint>): void {
  const { program, principals } = ctx;
  const ttps = new Set(syntax.nonRepudiation.flatMap((e) => (e.mechanism.ttp === undefined ? [] : [e.mechanism.ttp.name])));
  for (const n of syntax.nodes) {
    const name = n.name.name;
    const members = program.principalSets.get(name);
    if (members !== undefined) {
      ctx.report('MOM606', `${name} is a principal set of PROGRAM ${program.name}; [Nodes] gives each principal its own address (${list(members)})`, n.name.span);
    } else if (!principals.has(name) && !ttps.has(name)) {
      ctx.report('MOM610', `${name} is not a principal of PROGRAM ${program.name} (${list(principals)}) nor a trusted third party named in [Non-repudiation]`, n.name.span);
    } else {
      nodes.set(name, n.endpoint);
    }
  }
  const missing = ctx.everyone.filter((p) => !nodes.has(p));
  if (missing.length > 0) {
    ctx.report('MOM609', `no node for ${list(missing)}: every principal of PROGRAM ${program.name} needs an address in [Nodes]`, syntax.sections.get('Nodes'));
  }
}

function mechanismOf(m: MechanismSyntax): Mechanism {
  return m.kind === 'TTP' ? { kind: 'TTP', principal: m.ttp?.name ?? '' } : { kind: m.kind };
}

function checkAuthentication(syntax: DeploySyntax, ctx: DeployContext): Map<string, AuthPair> {
  const auth = new Map<string, AuthPair>();
  for (const e of syntax.authentication) {
    const left = ctx.expand(e.left, true);
    const right = ctx.expand(e.right, true);
    if (left === undefined || right === undefined) continue;
    const mechanism = mechanismOf(e.mechanism);
    let clash: { a: string; b: string; first: AuthPair } | undefined;
    for (const a of left) {
      for (const b of right) {
        if (a === b) continue;
        const key = pairKey(a, b);
        const first = auth.get(key);
        if (first === undefined) auth.set(key, { mechanism, span: e.span });
        else if (first.span !== e.span) clash ??= { a, b, first };
      }
    }
    if (clash !== undefined) {
      const line = lineOf(syntax, clash.first.span);
      ctx.report('MOM608', `the pair ${clash.a} <-> ${clash.b} already has ${showMechanism(clash.first.mechanism)} (line ${line}); each pair of principals has one [Authentication] mechanism`, e.span);
    }
  }
  return auth;
}

function lineOf(syntax: DeploySyntax, span: Span): number {
  return syntax.source.position(span.start).line;
}

function checkNonRepudiation(syntax: DeploySyntax, ctx: DeployContext, auth: ReadonlyMap<string, AuthPair>): Map<string, NonRepRule[]> {
  const rules = new Map<string, NonRepRule[]>();
  const seen = new Map<string, Span>();
  for (const e of syntax.nonRepudiation) {
    const issuers = ctx.expand(e.issuers, false);
    const named = e.auditors.some((a) => a.kind === 'everyone') ? undefined : ctx.expand(e.auditors, false);
    if (issuers === undefined || (named === undefined && !e.auditors.some((a) => a.kind === 'everyone'))) continue;
    const auditors: Auditors = named === undefined || ctx.everyone.every((p) => named.includes(p)) ? EVERYONE : { kind: 'set', members: new Set(named) };
    const mechanism = mechanismOf(e.mechanism);
    if (mechanism.kind === 'TTP' && !checkTtp(mechanism.principal, e.mechanism, issuers, auditors, ctx, auth)) continue;
    for (const issuer of issuers) {
      const key = `${issuer} -> ${showAuditors(auditors)}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.report('MOM608', `${key} is given twice (first on line ${lineOf(syntax, first)}); give each issuer one mechanism per auditor set`, e.span);
        break;
      }
      seen.set(key, e.span);
      if (!rules.has(issuer)) rules.set(issuer, []);
      rules.get(issuer)!.push({ issuer, auditors, mechanism, span: e.span });
    }
  }
  return rules;
}

/**
 * A TTP's clients are the principals that share an [Authentication] entry
 * with it: it hears their statements authentically and can attest to them.
 */
function checkTtp(ttp: string, m: MechanismSyntax, issuers: readonly string[], auditors: Auditors, ctx: DeployContext, auth: ReadonlyMap<string, AuthPair>): boolean {
  const span = m.ttp?.span ?? m.span;
  if (ctx.principals.has(ttp)) {
    ctx.report('MOM611', `${ttp} is a principal of PROGRAM ${ctx.program.name}; a trusted third party must stand outside the protocol it attests for`, span);
    return false;
  }
  if (!ctx.nodes.has(ttp)) {
    ctx.report('MOM611', `the trusted third party ${ttp} has no address in [Nodes]`, span);
    return false;
  }
  if (auditors.kind === 'everyone') {
    ctx.report('MOM611', `TTP(${ttp}) makes statements auditable by its clients only, never by *: anyone outside them cannot check its attestation; use ED25519 or RSA for statements auditable by everyone`, m.span);
    return false;
  }
  const clients = new Set([...auth.keys()].flatMap((k) => {
    const [a, b] = k.split(' ') as [string, string];
    return a === ttp ? [b] : b === ttp ? [a] : [];
  }));
  const outside = [...new Set([...issuers, ...auditors.members])].filter((p) => !clients.has(p));
  if (outside.length > 0) {
    ctx.report('MOM611', `${list(outside)} ${outside.length === 1 ? 'is' : 'are'} not a client of TTP(${ttp}): its clients are the principals with an [Authentication] entry with ${ttp} (${clients.size === 0 ? 'none' : list([...clients].sort())}); add e.g. \`${outside[0]} <-> ${ttp} : HMAC\``, span);
    return false;
  }
  return true;
}
