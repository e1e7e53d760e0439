// The choices the tuner makes, one dimension each, read off what the program
// publishes:
//   - an [Authentication] mechanism per pair of principal classes some
//     statement auditable by NOONE travels between;
//   - a [Non-repudiation] signature per issuer class whose statements (or
//     patterns) ask for auditors;
//   - a [Dissemination] rule per publisher class and record type it publishes.
// A class is a principal set of the program (or, where sets overlap, the
// principals that belong to the same sets), so every entry written names
// each pair once. The base file's own choice for a dimension is one of its
// options, so the search can start from the base.

import type { ConstEnv } from '../analysis/consteval.js';
import type { CheckedProgram } from '../analysis/program.js';
import { constEnv, principalsIn } from '../deploy/constants.js';
import type { Optimizer } from '../deploy/deployment.js';
import { isNoone } from '../deploy/mechanisms.js';
import { DEFAULT_ESCALATION_MS, OPTIMIZERS, QUORUM } from '../deploy/optimizers.js';
import type { CheckedDeployment } from '../deploy/resolve.js';
import { collectSites, type Site } from '../deploy/sites.js';
import type { TuneOptions } from './types.js';

/** The batch the tuner offers: 16 statements or 2 ms, as the examples use. */
export const BATCH_STEP = 'BATCH(16, 2ms)';
/** An [Authentication] pair left without an entry: its statements take the issuer's signature. */
export const NO_ENTRY = 'none';
/** A publisher's statements of a type without a [Dissemination] rule: unicast. */
export const UNICAST = '';

export interface PrincipalClass {
  /** As written in an entry: a set's name, or its principals separated by commas. */
  readonly name: string;
  readonly members: readonly string[];
}

interface DimensionBase {
  /** Stable key, e.g. `auth C R`. */
  readonly key: string;
  /** Every option, as the deploy file writes it; the base's own among them. */
  readonly options: readonly string[];
  /** The option the base file chose, when it can say. */
  readonly baseOption?: string;
}

export type Dimension =
  | (DimensionBase & { readonly kind: 'auth'; readonly left: PrincipalClass; readonly right: PrincipalClass })
  | (DimensionBase & { readonly kind: 'nonrep'; readonly issuers: PrincipalClass })
  | (DimensionBase & { readonly kind: 'dissemination'; readonly publishers: PrincipalClass; readonly verifiers: readonly PrincipalClass[]; readonly recordType: string });

export interface Space {
  readonly classes: readonly PrincipalClass[];
  readonly dimensions: readonly Dimension[];
  /** The program's PUBLISH and auditor pattern sites, under the base's constants. */
  readonly sites: readonly Site[];
}

/** Principals grouped by the sets they belong to; in the program's order. */
export function principalClasses(program: CheckedProgram): PrincipalClass[] {
  const setsOf = new Map<string, string[]>();
  for (const [set, members] of program.principalSets) for (const m of members) setsOf.set(m, [...(setsOf.get(m) ?? []), set]);
  const byKey = new Map<string, string[]>();
  for (const [p, sets] of setsOf) {
    const key = sets.join(' ');
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  return [...byKey].map(([key, members]) => {
    const sets = key.split(' ');
    const exact = sets.find((s) => program.principalSets.get(s)?.length === members.length);
    return { name: exact ?? members.join(', '), members };
  });
}

/** An optimizer as a deploy file writes it, from its checked form. */
export function optimizerText(o: Optimizer): string {
  const params = OPTIMIZERS[o.name]?.params ?? [];
  const args = o.args.map((a, i) => (params[i] === 'duration' && typeof a === 'number' ? `${a}ms` : String(a)));
  const call = params.length === 0 && args.length === 0 ? o.name : `${o.name}(${args.join(', ')})`;
  return o.escalationMs === undefined ? call : `${call} ${o.escalationMs}ms`;
}

/** What the base chose for each dimension, when the base is a deployment the tuner can read. */
interface BaseReader {
  auth(issuer: string, verifier: string): string | undefined;
  nonrep(issuer: string): string | undefined;
  dissemination(issuer: string, recordType: string): string | undefined;
}

function reader(d: CheckedDeployment): BaseReader {
  return {
    auth: (i, v) => d.authFor(i, v)?.mechanism.kind ?? NO_ENTRY,
    nonrep: (i) => d.nonRepOf(i).find((r) => r.mechanism.kind === 'ED25519' || r.mechanism.kind === 'RSA')?.mechanism.kind,
    dissemination: (i, type) => {
      const plan = d.disseminationFor(i, type);
      return plan === undefined ? UNICAST : plan.rule.optimizers.map(optimizerText).join('; ');
    },
  };
}

/** Dissemination options for statements to `verifiers`: unicast, each relay target, a quorum, batching, and each with batching. */
function disseminationOptions(program: CheckedProgram, env: ConstEnv, verifiers: ReadonlySet<string>): string[] {
  const principals = new Set([...program.principalSets.values()].flat());
  const targets: string[] = [];
  for (const name of program.constants.keys()) {
    const ps = principalsIn(env.lookup(name), principals);
    if (ps === undefined || ps.length === 0) continue;
    // A target must be a verifier to relay, and one that is every verifier is plain unicast.
    if (!ps.some((p) => verifiers.has(p)) || [...verifiers].every((v) => ps.includes(v))) continue;
    targets.push(`OPTIMISTIC(${name}) ${DEFAULT_ESCALATION_MS}ms`);
  }
  const steps = [...targets, `OPTIMISTIC(${QUORUM}) ${DEFAULT_ESCALATION_MS}ms`];
  return [UNICAST, ...steps, BATCH_STEP, ...steps.map((s) => `${s}; ${BATCH_STEP}`)];
}

export function buildSpace(program: CheckedProgram, skeleton: CheckedDeployment, base: CheckedDeployment | undefined, opts: TuneOptions): Space {
  const classes = principalClasses(program);
  const classOf = new Map(classes.flatMap((c) => c.members.map((m) => [m, c] as const)));
  const index = (c: PrincipalClass): number => classes.indexOf(c);
  const env = constEnv(program, new Map([...skeleton.constants].map(([k, v]) => [k, { value: v }])));
  const sites = collectSites(program, env);

  const authPairs = new Map<string, { left: PrincipalClass; right: PrincipalClass; rep: [string, string] }>();
  const signers = new Map<string, { issuers: PrincipalClass; rep: string }>();
  const slots = new Map<string, { publishers: PrincipalClass; recordType: string; rep: string; verifiers: Set<string> }>();
  for (const site of sites) {
    for (const node of site.nodes) {
      const noone = isNoone(site.auditors(node));
      for (const issuer of site.issuers(node)) {
        const ic = classOf.get(issuer);
        if (ic === undefined) continue;
        if (!noone) {
          if (!signers.has(ic.name)) signers.set(ic.name, { issuers: ic, rep: issuer });
          continue;
        }
        for (const verifier of site.verifiers(node)) {
          const vc = classOf.get(verifier);
          if (verifier === issuer || vc === undefined) continue;
          const [left, right] = index(ic) <= index(vc) ? [ic, vc] : [vc, ic];
          const key = `${left.name}|${right.name}`;
          if (!authPairs.has(key)) authPairs.set(key, { left, right, rep: [issuer, verifier] });
        }
      }
      if (site.kind !== 'publish') continue;
      const pc = classOf.get(node);
      const to = site.verifiers(node).filter((v) => v !== node);
      if (pc === undefined || to.length === 0) continue;
      const key = `${pc.name}|${site.recordType}`;
      const slot = slots.get(key) ?? { publishers: pc, recordType: site.recordType, rep: node, verifiers: new Set<string>() };
      to.forEach((v) => slot.verifiers.add(v));
      slots.set(key, slot);
    }
  }

  const read = base === undefined ? undefined : reader(base);
  const withBase = (options: string[], own: string | undefined): string[] => (own === undefined || options.includes(own) ? options : [...options, own]);
  const mechanisms = ['HMAC', 'ED25519', ...(opts.allowRsa ? ['RSA'] : []), ...(opts.allowPlaintext ? ['PLAINTEXT'] : [])];
  const signatures = ['ED25519', ...(opts.allowRsa ? ['RSA'] : [])];
  const dimensions: Dimension[] = [];
  for (const p of [...authPairs.values()].sort((a, b) => index(a.left) - index(b.left) || index(a.right) - index(b.right))) {
    const own = read?.auth(p.rep[0], p.rep[1]);
    dimensions.push({ kind: 'auth', key: `auth ${p.left.name} ${p.right.name}`, left: p.left, right: p.right, options: withBase(mechanisms, own), ...(own !== undefined ? { baseOption: own } : {}) });
  }
  for (const s of [...signers.values()].sort((a, b) => index(a.issuers) - index(b.issuers))) {
    const own = read?.nonrep(s.rep);
    dimensions.push({ kind: 'nonrep', key: `nonrep ${s.issuers.name}`, issuers: s.issuers, options: withBase(signatures, own), ...(own !== undefined ? { baseOption: own } : {}) });
  }
  for (const s of [...slots.values()].sort((a, b) => index(a.publishers) - index(b.publishers) || a.recordType.localeCompare(b.recordType))) {
    const verifiers = classes.filter((c) => c.members.some((m) => s.verifiers.has(m)));
    const own = read?.dissemination(s.rep, s.recordType);
    dimensions.push({
      kind: 'dissemination', key: `dissemination ${s.publishers.name} ${s.recordType}`, publishers: s.publishers, verifiers, recordType: s.recordType,
      options: withBase(disseminationOptions(program, env, s.verifiers), own), ...(own !== undefined ? { baseOption: own } : {}),
    });
  }
  return { classes, dimensions, sites };
}

/** One option per dimension, index-aligned with Space.dimensions. */
export type Choice = readonly string[];

/** The search's start: the base's own choices where it has them, else HMAC, Ed25519 and unicast. */
export function startChoice(space: Space): Choice {
  return space.dimensions.map((d) => d.baseOption ?? (d.kind === 'auth' ? 'HMAC' : d.kind === 'nonrep' ? 'ED25519' : UNICAST));
}
