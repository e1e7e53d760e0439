// The deployment's resolution rule (src/deploy/resolve.ts) as TLA+ for the
// composed module: `W_Mech(i, v, A)` is the mechanism that carries issuer
// i's statement with auditors A to verifier v, for every auditor set A a
// statement can have — NOONE, `*`, and any restricted set — so that a
// statement a TTP or a signature makes auditable by a restricted set is
// checked by that mechanism, never left unaccepted.
//
// The rule is written over the deployment's own tables: the mechanism of each
// pair for repudiable statements (mechanismFor with NOONE, which already
// holds the "else a signature of the issuer" fallback), and each issuer's
// [Non-repudiation] entries in file order, TTP entries with their clients.
// So that the two writings of the rule cannot drift apart unseen, the module
// also carries `W_ResolutionAgrees`, an ASSUME comparing W_Mech with
// mechanismFor on sample auditor sets (NOONE, everyone, every entry's
// auditors and TTP clients, each principal alone, and every auditor set a
// PUBLISH or pattern of the program names): TLC refuses to run a module
// whose TLA+ rule disagrees with the product's.

import type { CheckedProgram } from '../analysis/program.js';
import { constEnv } from '../deploy/constants.js';
import type { Mechanism } from '../deploy/deployment.js';
import type { Auditors } from '../deploy/mechanisms.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { collectSites } from '../deploy/sites.js';
import { tlaName, tlaString } from '../tla/names.js';

/** A mechanism as the composed module's check tells them apart. */
export type CheckKind = 'PLAINTEXT' | 'HMAC' | 'SIG' | 'TTP' | 'NONE';

export function checkKind(m: Mechanism | undefined): CheckKind {
  if (m === undefined) return 'NONE';
  if (m.kind === 'ED25519' || m.kind === 'RSA') return 'SIG';
  return m.kind;
}

/** `[k |-> "HMAC", ttp |-> ""]`: a mechanism as a TLA+ value (the TTP's name for TTP). */
function mechValue(m: Mechanism | undefined): string {
  return `[k |-> ${tlaString(checkKind(m))}, ttp |-> ${tlaString(m?.kind === 'TTP' ? m.principal : '')}]`;
}

function setOf(names: Iterable<string>): string {
  return `{${[...names].map(tlaName).join(', ')}}`;
}

export interface ResolutionTla {
  readonly lines: readonly string[];
  /** The mechanism kinds the deployment gives between the program's principals. */
  readonly kinds: ReadonlySet<CheckKind>;
}

export function resolutionTla(program: CheckedProgram, deployment: CheckedDeployment): ResolutionTla {
  const principals = [...program.principalSets.values()].flat();
  const inProgram = new Set(principals);
  const kinds = new Set<CheckKind>();
  const pairs: string[] = [];
  for (const i of principals) {
    for (const v of principals) {
      if (i === v) continue;
      const m = deployment.mechanismFor(i, v, []);
      if (m !== undefined) kinds.add(checkKind(m));
      pairs.push(`<<${tlaName(i)}, ${tlaName(v)}>> :> ${mechValue(m)}`);
    }
  }
  const rules: string[] = [];
  for (const i of principals) {
    const entries = deployment.nonRepOf(i).map((r) => {
      kinds.add(checkKind(r.mechanism));
      const clients = r.mechanism.kind === 'TTP' ? [...deployment.clientsOf(r.mechanism.principal)].filter((p) => inProgram.has(p)).sort() : [];
      const aud = r.auditors.kind === 'everyone' ? [] : [...r.auditors.members].filter((p) => inProgram.has(p)).sort();
      return `[all |-> ${r.auditors.kind === 'everyone' ? 'TRUE' : 'FALSE'}, aud |-> ${setOf(aud)}, k |-> ${tlaString(checkKind(r.mechanism))}, ttp |-> ${tlaString(r.mechanism.kind === 'TTP' ? r.mechanism.principal : '')}, clients |-> ${setOf(clients)}]`;
    });
    rules.push(`${tlaName(i)} :> <<${entries.join(', ')}>>`);
  }
  const fn = (entries: string[], empty: string): string => (entries.length === 0 ? empty : entries.join('\n    @@ '));
  const lines = [
    '(* The resolution rule of src/deploy/resolve.ts over the deployment\'s tables.',
    '   Repudiable statements (auditors NOONE): the pair\'s mechanism. Auditable',
    '   ones: the issuer\'s first [Non-repudiation] entry, in file order, whose',
    '   auditors contain the statement\'s and whose mechanism can give them to',
    '   this verifier (a signature: always; TTP(t): the issuer, the verifier',
    '   and every auditor are clients of t, and the auditors are not everyone).',
    '   A set naming every principal is everyone, as the semantics writes `*`. *)',
    'W_NoMech == [k |-> "NONE", ttp |-> ""]',
    `W_PairMech ==\n       ${fn(pairs, '<<>>')}`,
    `W_NonRep ==\n       ${fn(rules, '<<>>')}`,
    'W_Realises(r__, i__, v__, A__) ==',
    '  /\\ r__.all \\/ (A__ # Principals /\\ A__ \\subseteq r__.aud)',
    '  /\\ r__.k = "SIG" \\/ (r__.k = "TTP" /\\ A__ # Principals /\\ ({i__, v__} \\cup A__) \\subseteq r__.clients)',
    'W_Mech(i__, v__, A__) ==',
    '  IF i__ = v__ THEN W_NoMech',
    '  ELSE IF A__ = {} THEN W_PairMech[<<i__, v__>>]',
    '  ELSE LET rs__ == W_NonRep[i__]',
    '           fits__ == {j__ \\in DOMAIN rs__ : W_Realises(rs__[j__], i__, v__, A__)}',
    '       IN IF fits__ = {} THEN W_NoMech',
    '          ELSE LET r__ == rs__[CHOOSE j__ \\in fits__ : \\A j2__ \\in fits__ : j__ <= j2__] IN [k |-> r__.k, ttp |-> r__.ttp]',
    '',
    '(* The TTPs whose countersignature statement s can get: its issuer and',
    '   auditors are their clients (the third party checks that, and that the',
    '   requester is the issuer). *)',
    'W_TtpsFor(s__) ==',
    '  LET rs__ == W_NonRep[s__.issuer]',
    '  IN {rs__[j__].ttp : j__ \\in {j2__ \\in DOMAIN rs__ : rs__[j2__].k = "TTP" /\\ s__.auditors # Principals /\\ ({s__.issuer} \\cup s__.auditors) \\subseteq rs__[j2__].clients}}',
    '',
    ...agreement(program, deployment, principals),
  ];
  return { lines, kinds };
}

/**
 * `ASSUME W_ResolutionAgrees`: W_Mech gives what mechanismFor gives, on the
 * auditor sets the deployment and the program name (and NOONE, everyone,
 * each principal alone), for every pair of principals.
 */
function agreement(program: CheckedProgram, deployment: CheckedDeployment, principals: readonly string[]): string[] {
  const inProgram = new Set(principals);
  const samples = new Map<string, readonly string[]>();
  const add = (members: Iterable<string>): void => {
    const m = [...new Set([...members].filter((p) => inProgram.has(p)))].sort();
    samples.set(m.join(' '), m);
  };
  add([]);
  add(principals);
  for (const p of principals) add([p]);
  for (const i of principals) {
    for (const r of deployment.nonRepOf(i)) {
      if (r.auditors.kind === 'set') add(r.auditors.members);
      if (r.mechanism.kind === 'TTP') add(deployment.clientsOf(r.mechanism.principal));
    }
  }
  const env = constEnv(program, new Map([...deployment.constants].map(([k, v]) => [k, { value: v }])));
  for (const site of collectSites(program, env)) {
    for (const node of site.nodes) {
      const a: Auditors = site.auditors(node);
      add(a.kind === 'everyone' ? principals : a.members);
    }
  }
  const rows: string[] = [];
  for (const i of principals) {
    for (const v of principals) {
      if (i === v) continue;
      for (const a of samples.values()) {
        const m = deployment.mechanismFor(i, v, a);
        rows.push(`[i |-> ${tlaName(i)}, v |-> ${tlaName(v)}, A |-> ${setOf(a)}, m |-> ${mechValue(m)}]`);
      }
    }
  }
  return [
    "(* mechanismFor (src/deploy/resolve.ts) on sample auditor sets: TLC refuses",
    '   the module if W_Mech, the same rule in TLA+, disagrees with it. *)',
    `W_ResolutionSamples == {\n    ${rows.join(',\n    ')}}`,
    'W_ResolutionAgrees == \\A x__ \\in W_ResolutionSamples : W_Mech(x__.i, x__.v, x__.A) = x__.m',
    'ASSUME W_ResolutionAgrees',
  ];
}
