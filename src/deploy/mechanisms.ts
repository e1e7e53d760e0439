// What each authentication mechanism can give, declared once. The resolution
// rule (resolve.ts), the check of the deploy file (check.ts) and deploy-check
// (verdict.ts) all ask this table; nothing else knows what HMAC or a TTP means.

import type { Mechanism, MechanismKind } from './deployment.js';
import type { SectionName } from './syntax.js';

/**
 * A statement's auditor set as the mechanisms see it: everyone (`*`, or a set
 * naming every program principal, which is what `*` stands for in the
 * semantics), or a finite set (empty: NOONE).
 */
export type Auditors = { readonly kind: 'everyone' } | { readonly kind: 'set'; readonly members: ReadonlySet<string> };

export const NOONE: Auditors = { kind: 'set', members: new Set() };
export const EVERYONE: Auditors = { kind: 'everyone' };

export function isNoone(a: Auditors): boolean {
  return a.kind === 'set' && a.members.size === 0;
}

/** `a` ⊆ `b`. */
export function auditorsWithin(a: Auditors, b: Auditors): boolean {
  if (b.kind === 'everyone') return true;
  if (a.kind === 'everyone') return false;
  return [...a.members].every((p) => b.members.has(p));
}

export function showAuditors(a: Auditors): string {
  if (a.kind === 'everyone') return '*';
  return a.members.size === 0 ? 'NOONE' : `{${[...a.members].sort().join(', ')}}`;
}

export interface MechanismInfo {
  /** The sections the mechanism may be named in. */
  readonly sections: readonly SectionName[];
  /**
   * Which statements it can realise: `noone` only repudiable ones (the
   * verifier can check, but cannot show anyone else); `everyone` any auditor
   * set (whoever has the public key can check); `clients` auditors among the
   * TTP's clients.
   */
  readonly realises: 'noone' | 'everyone' | 'clients';
  /** What it gives, for messages and docs. */
  readonly gives: string;
  /**
   * How a statement it authenticates stays checkable when another verifier
   * relays it (OPTIMISTIC dissemination); undefined when it cannot be passed
   * on, so that only the issuer can send it to each verifier.
   */
  readonly relayed?: string;
}

export const MECHANISMS: Readonly<Record<MechanismKind, MechanismInfo>> = {
  PLAINTEXT: { sections: ['Authentication'], realises: 'noone', gives: 'an already authenticated channel: authentic to the verifier, repudiable (auditors NOONE)' },
  HMAC: {
    sections: ['Authentication'],
    realises: 'noone',
    gives: 'a MAC with the pair\'s shared key: authentic to the verifier, repudiable (auditors NOONE)',
    relayed: 'with a MAC vector: one tag per intended verifier, each computed by the issuer with the key it shares with that verifier',
  },
  ED25519: { sections: ['Authentication', 'Non-repudiation'], realises: 'everyone', gives: 'an Ed25519 signature: anyone with the public key can check it (auditable by *)', relayed: 'as signed: anyone can check the signature' },
  RSA: { sections: ['Authentication', 'Non-repudiation'], realises: 'everyone', gives: 'an RSA signature: anyone with the public key can check it (auditable by *)', relayed: 'as signed: anyone can check the signature' },
  TTP: { sections: ['Non-repudiation'], realises: 'clients', gives: "a trusted third party's attestation: auditable by the TTP's clients only", relayed: "with the third party's countersignature, itself a signature" },
};

export const MECHANISM_KINDS = Object.keys(MECHANISMS) as MechanismKind[];

export function isSignature(m: Mechanism): boolean {
  return MECHANISMS[m.kind].realises === 'everyone';
}

/** Whether a statement authenticated by `m` can be relayed by another verifier and still be checked. */
export function relayable(m: Mechanism): boolean {
  return MECHANISMS[m.kind].relayed !== undefined;
}

export function showMechanism(m: Mechanism): string {
  return m.kind === 'TTP' ? `TTP(${m.principal})` : m.kind;
}

/**
 * Whether `m` can give `verifier` a statement of `issuer` auditable by
 * `auditors`. `clientsOf(t)` are the principals sharing an [Authentication]
 * entry with the third party t: those it can attest to, and hear from.
 */
export function realises(m: Mechanism, issuer: string, verifier: string, auditors: Auditors, clientsOf: (ttp: string) => ReadonlySet<string>): boolean {
  switch (MECHANISMS[m.kind].realises) {
    case 'noone':
      return isNoone(auditors);
    case 'everyone':
      return true;
    case 'clients': {
      if (m.kind !== 'TTP' || auditors.kind === 'everyone') return false;
      const clients = clientsOf(m.principal);
      return clients.has(issuer) && clients.has(verifier) && [...auditors.members].every((a) => clients.has(a));
    }
  }
}
