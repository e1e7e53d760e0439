// The module-level checks of refinement/ (hand-written TLA+ models of each
// implementation module, docs/refinement.md), and which of them a deployment
// relies on. `mommie refine` runs these beside the composed model: they
// reach what a composed model of a program cannot (a MAC vector that
// verifies for one verifier only, a batch checked for one member, a digest
// answered by a liar), at bounds a whole program never fits in.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { checkKind, type CheckKind } from './resolution-tla.js';

/** What a module-level check must give: pass, or (a negative control) fail in this way. */
export type ModuleExpectation =
  | { readonly kind: 'pass' }
  /** A wire step that is no step of the abstract pool (Refinement == Abs!Spec violated). */
  | { readonly kind: 'refinement-step' }
  | { readonly kind: 'temporal'; readonly property: string }
  | { readonly kind: 'invariant'; readonly name: string };

export interface ModuleCheck {
  readonly config: string;
  readonly module: string;
  readonly expected: ModuleExpectation;
  /** What it assumes besides the model's bounds. */
  readonly assumptions: readonly string[];
  /** Whether a deployment relies on this check. */
  readonly appliesTo: (uses: DeploymentUses) => boolean;
}

/** The mechanisms and optimizers a deployment uses. */
export interface DeploymentUses {
  readonly mechanisms: ReadonlySet<CheckKind>;
  /** `OPTIMISTIC(targets)`, `OPTIMISTIC(QUORUM)`, `BATCH`, `DIGEST`. */
  readonly optimizers: ReadonlySet<string>;
}

const UNFORGEABLE_MAC = 'HMAC-SHA256 tags are unforgeable without the key (modelled, not proven)';
const UNFORGEABLE_SIG = 'signatures are unforgeable without the private key (modelled, not proven)';
const LINKS = 'links between correct nodes deliver every item eventually (weak fairness)';
const CORRECT_ISSUERS = 'liveness is claimed for statements of correct issuers only';

const uses = (m: CheckKind) => (u: DeploymentUses) => u.mechanisms.has(m);
const optimizes = (o: string) => (u: DeploymentUses) => u.optimizers.has(o);

export const MODULE_CHECKS: readonly ModuleCheck[] = [
  { config: 'PlaintextImpl.cfg', module: 'PlaintextImpl', expected: { kind: 'pass' }, assumptions: ['the channel authenticates its ends (TLS or a private network)', LINKS, CORRECT_ISSUERS], appliesTo: uses('PLAINTEXT') },
  { config: 'HmacImpl.cfg', module: 'HmacImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_MAC, LINKS, CORRECT_ISSUERS], appliesTo: uses('HMAC') },
  { config: 'SignatureImpl.cfg', module: 'SignatureImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_SIG, LINKS, CORRECT_ISSUERS], appliesTo: uses('SIG') },
  { config: 'TtpImpl.cfg', module: 'TtpImpl', expected: { kind: 'pass' }, assumptions: ['the third party is correct and countersigns only for the issuer', UNFORGEABLE_SIG, LINKS, CORRECT_ISSUERS], appliesTo: uses('TTP') },
  { config: 'RelayPrimaryImpl.cfg', module: 'RelayPrimaryImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_MAC, 'the escalation timer or the lazy fallback eventually fires', LINKS, CORRECT_ISSUERS], appliesTo: optimizes('OPTIMISTIC(targets)') },
  { config: 'RelayPrimaryImpl_FaultyClient.cfg', module: 'RelayPrimaryImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_MAC], appliesTo: optimizes('OPTIMISTIC(targets)') },
  { config: 'QuorumImpl.cfg', module: 'QuorumImpl', expected: { kind: 'pass' }, assumptions: ['the escalation timer or the lazy fallback eventually fires', LINKS, CORRECT_ISSUERS], appliesTo: optimizes('OPTIMISTIC(QUORUM)') },
  { config: 'BatchImpl.cfg', module: 'BatchImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_SIG, 'digests are collision-free (assumed)', LINKS, CORRECT_ISSUERS], appliesTo: optimizes('BATCH') },
  // Certificates (issue 25): a carrier learned with what it carries, each carried statement checked by its own signature.
  { config: 'CarrierImpl.cfg', module: 'CarrierImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_SIG, UNFORGEABLE_MAC], appliesTo: uses('SIG') },
  { config: 'CarrierImpl_CorrectCollector.cfg', module: 'CarrierImpl', expected: { kind: 'pass' }, assumptions: [UNFORGEABLE_SIG, UNFORGEABLE_MAC], appliesTo: uses('SIG') },
  { config: 'DigestImpl.cfg', module: 'DigestImpl', expected: { kind: 'pass' }, assumptions: ['digests are collision-free (assumed)', 'some correct holder answers a fetch eventually', LINKS, CORRECT_ISSUERS], appliesTo: optimizes('DIGEST') },
  // Negative controls: a mechanism asked for more than it gives. Each documents a refusal of deploy-check.
  { config: 'NegHmacAnyKey.cfg', module: 'HmacImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_MAC], appliesTo: uses('HMAC') },
  { config: 'NegSigUnbound.cfg', module: 'SignatureImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_SIG], appliesTo: uses('SIG') },
  { config: 'NegSigOrMac.cfg', module: 'SignatureImpl', expected: { kind: 'invariant', name: 'NonRepudiation' }, assumptions: [UNFORGEABLE_SIG, UNFORGEABLE_MAC], appliesTo: uses('SIG') },
  { config: 'NegTtpUnbound.cfg', module: 'TtpImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_SIG], appliesTo: uses('TTP') },
  { config: 'NegTtpAnyRequester.cfg', module: 'TtpImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_SIG], appliesTo: uses('TTP') },
  { config: 'NegHmacAudit_Vector.cfg', module: 'NegHmacAudit', expected: { kind: 'invariant', name: 'NonRepudiation' }, assumptions: [UNFORGEABLE_MAC], appliesTo: uses('HMAC') },
  { config: 'NegHmacAudit_Forge.cfg', module: 'NegHmacAudit', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_MAC], appliesTo: uses('HMAC') },
  { config: 'NegRelayPlaintext.cfg', module: 'NegRelayPlaintext', expected: { kind: 'refinement-step' }, assumptions: [], appliesTo: (u) => u.optimizers.has('OPTIMISTIC(targets)') || u.mechanisms.has('PLAINTEXT') },
  { config: 'NegRelayPrimaryMac.cfg', module: 'RelayPrimaryImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_MAC], appliesTo: optimizes('OPTIMISTIC(targets)') },
  { config: 'NegBatchOneMember.cfg', module: 'BatchImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_SIG], appliesTo: optimizes('BATCH') },
  { config: 'NegQuorumNoLazy.cfg', module: 'QuorumImpl', expected: { kind: 'temporal', property: 'Liveness' }, assumptions: [LINKS], appliesTo: optimizes('OPTIMISTIC(QUORUM)') },
  { config: 'NegCarrierHmac.cfg', module: 'CarrierImpl', expected: { kind: 'refinement-step' }, assumptions: [UNFORGEABLE_SIG, UNFORGEABLE_MAC], appliesTo: uses('SIG') },
  { config: 'NegDigestUnchecked.cfg', module: 'DigestImpl', expected: { kind: 'refinement-step' }, assumptions: [], appliesTo: optimizes('DIGEST') },
  { config: 'NegDigestUncheckedLiveness.cfg', module: 'DigestImpl', expected: { kind: 'temporal', property: 'Liveness' }, assumptions: [LINKS], appliesTo: optimizes('DIGEST') },
  { config: 'NegDigestNoMatch.cfg', module: 'DigestImpl', expected: { kind: 'temporal', property: 'Liveness' }, assumptions: [LINKS], appliesTo: optimizes('DIGEST') },
  { config: 'NegDigestNoMatchForm.cfg', module: 'DigestImpl', expected: { kind: 'refinement-step' }, assumptions: [], appliesTo: optimizes('DIGEST') },
];

export function isControl(c: ModuleCheck): boolean {
  return c.expected.kind !== 'pass';
}

export function describeExpectation(e: ModuleExpectation): string | null {
  switch (e.kind) {
    case 'pass':
      return null;
    case 'refinement-step':
      return 'a wire step that is no step of the abstract pool';
    case 'temporal':
      return `${e.property} violated`;
    case 'invariant':
      return `${e.name} violated`;
  }
}

/**
 * The mechanisms and optimizers the deployment gives the program's
 * principals: every [Authentication] entry between two of them and every
 * [Non-repudiation] entry of one (a TTP, a signature for a restricted auditor
 * set included), read from the deployment's tables rather than probed with
 * sample auditor sets. An entry the program never resolves to still selects
 * its module checks: that costs seconds, never a check left out.
 */
export function deploymentUses(deployment: CheckedDeployment, principals: readonly string[]): DeploymentUses {
  const mechanisms = new Set<CheckKind>();
  for (const i of principals) {
    for (const v of principals) {
      if (i === v) continue;
      const k = checkKind(deployment.mechanismFor(i, v, []));
      if (k !== 'NONE') mechanisms.add(k);
    }
    for (const r of deployment.nonRepOf(i)) mechanisms.add(checkKind(r.mechanism));
  }
  const optimizers = new Set<string>();
  for (const rule of deployment.dissemination) {
    for (const o of rule.optimizers) {
      if (o.name === 'OPTIMISTIC') optimizers.add(o.args.includes('QUORUM') ? 'OPTIMISTIC(QUORUM)' : 'OPTIMISTIC(targets)');
      else optimizers.add(o.name);
    }
  }
  return { mechanisms, optimizers };
}

/** The folder of refinement/ models shipped with mommie (the package root's). */
export function refinementFolder(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'refinement', 'AbstractPool.tla'))) return join(dir, 'refinement');
    dir = dirname(dir);
  }
  return undefined;
}

/** The .cfg's leading comment: what the model is and its bounds. */
export function configHeader(folder: string, config: string): string {
  const lines = readFileSync(join(folder, config), 'utf8').split('\n');
  const comment: string[] = [];
  for (const l of lines) {
    if (!l.startsWith('\\*')) break;
    comment.push(l.slice(2).trim());
  }
  return comment.join(' ');
}

/** The module's refinement mapping, as written after `INSTANCE AbstractPool WITH`. */
export function moduleMapping(folder: string, module: string): string {
  const text = readFileSync(join(folder, `${module}.tla`), 'utf8');
  const m = /INSTANCE AbstractPool WITH\s+([\s\S]*?)\n\s*\n/.exec(text);
  return m === null ? '(no mapping found)' : m[1]!.replace(/\s+/g, ' ').trim();
}

/** The invariants and properties a .cfg has TLC check. */
export function configProperties(folder: string, config: string): string[] {
  return readFileSync(join(folder, config), 'utf8')
    .split('\n')
    .map((l) => /^(?:INVARIANT|PROPERTY)\s+(\w+)/.exec(l.trim())?.[1])
    .filter((x): x is string => x !== undefined);
}
