// The one resolution rule: which mechanism carries a statement from its
// issuer to one verifier, given its auditors. checkDeploy builds the tables;
// everything downstream (deploy-check, keys, wire, runtime) only asks.

import type { Span } from '../diagnostics/diagnostic.js';
import type { DeployConstant, Deployment, DisseminationPlan, DisseminationRule, Endpoint, Mechanism } from './deployment.js';
import { DEFAULT_LINK_LIMITS, type LinkLimits } from './limits.js';
import { EVERYONE, auditorsWithin, isNoone, isSignature, realises, type Auditors } from './mechanisms.js';

/** How long a TIMEOUT transition waits when the deploy file gives neither its own entry nor a default. */
export const DEFAULT_TIMEOUT_MS = 1000;

export interface AuthPair {
  readonly mechanism: Mechanism;
  /** The [Authentication] entry that gave it. */
  readonly span: Span;
}

/** One issuer's share of a [Non-repudiation] entry. */
export interface NonRepRule {
  readonly issuer: string;
  readonly auditors: Auditors;
  readonly mechanism: Mechanism;
  readonly span: Span;
}

/** A Deployment plus the tables behind it, for deploy-check's messages. */
export interface CheckedDeployment extends Deployment {
  /** The program principals, sorted: what `*` stands for. */
  readonly everyone: readonly string[];
  authFor(a: string, b: string): AuthPair | undefined;
  /** The issuer's [Non-repudiation] entries in file order. */
  nonRepOf(issuer: string): readonly NonRepRule[];
  /** The principals that share an [Authentication] entry with the third party `ttp`. */
  clientsOf(ttp: string): ReadonlySet<string>;
  /** A list of auditors as mechanismFor takes it (`*`, or names) as a set. */
  auditorsOf(list: readonly string[]): Auditors;
  /** mechanismFor with the auditors already a set. */
  resolve(issuer: string, verifier: string, auditors: Auditors): Mechanism | undefined;
  disseminationFor(issuer: string, recordType: string): DisseminationPlan | undefined;
}

export interface DeploymentTables {
  readonly file: string;
  readonly everyone: readonly string[];
  readonly nodes: ReadonlyMap<string, Endpoint>;
  readonly auth: ReadonlyMap<string, AuthPair>;
  readonly nonRep: ReadonlyMap<string, readonly NonRepRule[]>;
  readonly timeouts: ReadonlyMap<string, number>;
  /** `DOUBLING(p)` of [Timeouts]: the parameter, by timeoutKey (absent: no timer doubles). */
  readonly doubling?: ReadonlyMap<string, string>;
  readonly defaultTimeoutMs?: number;
  readonly constants: ReadonlyMap<string, DeployConstant>;
  readonly dissemination: readonly DisseminationRule[];
  readonly limits?: LinkLimits;
  /** The resolved plans (dissemination.ts); absent until the rules are checked against the program. */
  readonly plans?: (issuer: string, recordType: string) => DisseminationPlan | undefined;
}

/** Resolutions a deployment remembers (runtime lookups; deploy-check asks far fewer). */
const MAX_REMEMBERED_MECHANISMS = 4096;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

export function timeoutKey(role: string, transition: string): string {
  return `${role}.${transition}`;
}

export function makeDeployment(t: DeploymentTables): CheckedDeployment {
  const clients = new Map<string, Set<string>>();
  for (const key of t.auth.keys()) {
    const [a, b] = key.split(' ') as [string, string];
    if (!clients.has(a)) clients.set(a, new Set());
    if (!clients.has(b)) clients.set(b, new Set());
    clients.get(a)!.add(b);
    clients.get(b)!.add(a);
  }
  const clientsOf = (ttp: string): ReadonlySet<string> => clients.get(ttp) ?? new Set();

  const auditorsOf = (list: readonly string[]): Auditors => {
    // The semantics writes `*` out as every principal; either form means everyone.
    if (list.includes('*')) return EVERYONE;
    const members = new Set(list);
    return t.everyone.length > 0 && t.everyone.every((p) => members.has(p)) ? EVERYONE : { kind: 'set', members };
  };

  const resolve = (issuer: string, verifier: string, auditors: Auditors): Mechanism | undefined => {
    const rules = t.nonRep.get(issuer) ?? [];
    if (isNoone(auditors)) {
      // Repudiable: the pair's own mechanism, else any signature the issuer has (it proves more than needed).
      return t.auth.get(pairKey(issuer, verifier))?.mechanism ?? rules.find((r) => isSignature(r.mechanism))?.mechanism;
    }
    // With auditors: the issuer's first entry, in file order, whose auditors cover the statement's and whose mechanism can give them.
    return rules.find((r) => auditorsWithin(auditors, r.auditors) && realises(r.mechanism, issuer, verifier, auditors, clientsOf))?.mechanism;
  };

  const known = (issuer: string, verifier: string): boolean => t.nodes.has(issuer) && t.nodes.has(verifier);
  // mechanismFor runs for every statement and verifier a node seals or opens,
  // and is a pure function of its arguments: remembered, up to a bound (the
  // auditor lists come from received statements, so their variety is the sender's choice).
  // By issuer, then verifier, then the auditor lists seen for the pair
  // (compared element by element: a pair sees a handful of lists, and a key
  // string joined from a list of every principal cost more than the lookup).
  const remembered = new Map<string, Map<string, { readonly auditors: readonly string[]; readonly m: Mechanism | undefined }[]>>();
  let rememberedCount = 0;
  const mechanismFor = (issuer: string, verifier: string, auditors: readonly string[]): Mechanism | undefined => {
    let byVerifier = remembered.get(issuer);
    const seen = byVerifier?.get(verifier);
    if (seen !== undefined) {
      for (const e of seen) if (sameList(e.auditors, auditors)) return e.m;
    }
    const m = known(issuer, verifier) ? resolve(issuer, verifier, auditorsOf(auditors)) : undefined;
    if (rememberedCount < MAX_REMEMBERED_MECHANISMS) {
      rememberedCount++;
      if (byVerifier === undefined) remembered.set(issuer, (byVerifier = new Map()));
      const entry = { auditors: [...auditors], m };
      if (seen === undefined) byVerifier.set(verifier, [entry]);
      else seen.push(entry);
    }
    return m;
  };
  return {
    file: t.file,
    nodes: t.nodes,
    constants: t.constants,
    dissemination: t.dissemination,
    limits: t.limits ?? DEFAULT_LINK_LIMITS,
    everyone: t.everyone,
    mechanismFor,
    timeoutMs: (role, transition) => t.timeouts.get(timeoutKey(role, transition)) ?? t.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    timerDoubling: (role, transition) => t.doubling?.get(timeoutKey(role, transition)),
    authFor: (a, b) => t.auth.get(pairKey(a, b)),
    nonRepOf: (issuer) => t.nonRep.get(issuer) ?? [],
    clientsOf,
    auditorsOf,
    resolve: (issuer, verifier, auditors) => (known(issuer, verifier) ? resolve(issuer, verifier, auditors) : undefined),
    disseminationFor: t.plans ?? (() => undefined),
  };
}
