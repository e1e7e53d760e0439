// What a [Dissemination] rule means for the program, and the plan the runtime
// follows. A rule covers a PUBLISH when it is the first rule, in file order,
// for the issuer and the record type (Deployment.disseminationFor's rule) and
// the statement goes to at least one of the rule's verifiers. For every
// PUBLISH it covers:
//   - an OPTIMISTIC target must be a verifier of the statement (MOM616), and
//     what it relays to the other verifiers must stay checkable by them: the
//     mechanism toward each must be one that can be passed on (MOM617);
//   - OPTIMISTIC(QUORUM) needs a quorum size from the program (MOM619);
//   - DIGEST needs a field that is a record (MOM618).
// A rule, or a record type it names, that covers no PUBLISH is probably a
// typo (MOM632, a warning). docs/deploy.md, "[Dissemination]", says what each
// step means at run time.

import type { CheckedProgram } from '../analysis/program.js';
import type { Code } from '../diagnostics/codes.js';
import type { Span } from '../diagnostics/diagnostic.js';
import type { SourceText } from '../diagnostics/source.js';
import type * as A from '../syntax/ast.js';
import { constEnv, principalsIn } from './constants.js';
import type { DisseminationPlan, DisseminationRule, DisseminationStep, Mechanism, Optimizer } from './deployment.js';
import { MECHANISMS, relayable, showMechanism } from './mechanisms.js';
import { DEFAULT_ESCALATION_MS, QUORUM } from './optimizers.js';
import type { CheckedDeployment } from './resolve.js';
import { collectProgram, type QuorumPattern, type Site } from './sites.js';

export type PlanLookup = (issuer: string, recordType: string) => DisseminationPlan | undefined;

export interface DisseminationInput {
  readonly program: CheckedProgram;
  /** The program's text, to name PUBLISH sites by line and quote them. */
  readonly programSource?: SourceText;
  /** The deployment without plans: its resolution rule and constants. */
  readonly deployment: CheckedDeployment;
  /** Line of a span in the deploy file. */
  lineOf(span: Span): number;
  /** Reports a diagnostic in the deploy file. */
  report(code: Code, message: string, span?: Span): void;
}

/** A PUBLISH a rule covers, for one issuer. */
interface Covered {
  readonly site: Site;
  readonly issuer: string;
  /** The statement's verifiers. */
  readonly verifiers: readonly string[];
  /** Those other than the issuer that the rule applies to. */
  readonly applies: readonly string[];
}

interface Quorum {
  readonly quorum: number;
  readonly from: readonly string[];
}

const names = (xs: Iterable<string>): string => [...new Set(xs)].sort().join(', ');
const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/** Checks the rules against the program, reporting what they cannot mean; returns the plans. */
export function checkDissemination(input: DisseminationInput): PlanLookup {
  const { program, deployment: d } = input;
  const rules = d.dissemination;
  if (rules.length === 0) return () => undefined;
  const env = constEnv(program, new Map([...d.constants].map(([k, v]) => [k, { value: v }])));
  const everyone = new Set(d.everyone);
  const { sites, quorums } = collectProgram(program, env);
  const publishes = sites.filter((s) => s.kind === 'publish');

  const at = (span: Span): string => {
    const p = input.programSource?.position(span.start);
    return p === undefined ? program.file : `${program.file}:${p.line}:${p.column}`;
  };
  const quote = (s: Site): string => input.programSource?.text.slice(s.span.start, s.span.end).replace(/\s+/g, ' ') ?? `PUBLISH ${s.recordType}`;
  const site = (s: Site): string => `${quote(s)} (${at(s.span)})`;

  const firstRule = (issuer: string, type: string): number | undefined => {
    const i = rules.findIndex((r) => r.publishers.includes(issuer) && (r.recordTypes.length === 0 || r.recordTypes.includes(type)));
    return i < 0 ? undefined : i;
  };
  const targetsOf = (name: string): string[] => principalsIn(env.lookup(name), everyone) ?? [];

  // What each rule covers.
  const covered: Covered[][] = rules.map(() => []);
  for (const s of publishes) {
    for (const issuer of s.nodes) {
      const i = firstRule(issuer, s.recordType);
      if (i === undefined) continue;
      const verifiers = [...new Set(s.verifiers(issuer))];
      const applies = verifiers.filter((v) => v !== issuer && rules[i]!.verifiers.includes(v));
      if (applies.length > 0) covered[i]!.push({ site: s, issuer, verifiers, applies });
    }
  }

  // Quorum sizes: the PUBLISH's PROGRESS pattern when it counts the
  // statement's verifiers, else the largest threshold of a pattern of the
  // program over the record type that counts them.
  const counts = (q: QuorumPattern, node: string, verifiers: ReadonlySet<string>): Quorum | undefined => {
    const from = [...new Set(q.issuers(node))].sort();
    const k = q.threshold(node);
    return k !== undefined && k >= 1 && from.length > 0 && from.every((x) => verifiers.has(x)) ? { quorum: k, from } : undefined;
  };
  const largest = (xs: readonly (Quorum | undefined)[]): Quorum | undefined =>
    xs.reduce<Quorum | undefined>((best, q) => (q !== undefined && (best === undefined || q.quorum > best.quorum) ? q : best), undefined);
  const quorumAmong = (recordType: string, verifiers: ReadonlySet<string>): Quorum | undefined =>
    largest(quorums.filter((q) => q.recordType === recordType).flatMap((q) => q.nodes.map((n) => counts(q, n, verifiers))));
  const quorumOf = (c: Covered): Quorum | undefined => {
    const verifiers = new Set(c.verifiers);
    const progress = c.site.progress === undefined ? undefined : counts(c.site.progress, c.issuer, verifiers);
    return progress ?? quorumAmong(c.site.recordType, verifiers);
  };

  rules.forEach((rule, i) => {
    const mine = covered[i]!;
    checkCoverage(rule, i);
    for (const o of rule.optimizers) {
      if (o.name === 'OPTIMISTIC' && o.args[0] === QUORUM) checkQuorum(rule, o, mine);
      else if (o.name === 'OPTIMISTIC') checkTargets(o, mine);
      else if (o.name === 'DIGEST') checkDigest(rule, o, mine);
    }
  });

  function checkCoverage(rule: DisseminationRule, i: number): void {
    const types = rule.recordTypes;
    const coveredTypes = new Set(covered[i]!.map((c) => c.site.recordType));
    if (coveredTypes.size === 0) {
      const published = types.length > 0 ? types : [...new Set(publishes.filter((s) => s.nodes.some((p) => rule.publishers.includes(p))).map((s) => s.recordType))];
      const why = published.length === 0 ? `${names(rule.publishers)} publish nothing` : published.map((t) => uncovered(rule, i, t)).join('; ');
      input.report('MOM632', `this rule covers no PUBLISH of PROGRAM ${program.name}, so it has no effect: ${why}`, rule.span);
      return;
    }
    for (const t of types) {
      if (!coveredTypes.has(t)) input.report('MOM632', `${t} in this rule covers no PUBLISH of PROGRAM ${program.name}: ${uncovered(rule, i, t)}`, rule.span);
    }
  }

  /** Why rule i covers no PUBLISH of `type`. */
  function uncovered(rule: DisseminationRule, i: number, type: string): string {
    const all = publishes.filter((s) => s.recordType === type);
    const mine = all.filter((s) => s.nodes.some((p) => rule.publishers.includes(p)));
    if (mine.length === 0) {
      if (all.length === 0) return `no role publishes ${type}`;
      return `${names(rule.publishers)} publish no ${type} (${names(all.map((s) => s.role))} ${plural(new Set(all.map((s) => s.role)).size, 'publishes', 'publish')} it, at ${all.map((s) => at(s.span)).join(', ')})`;
    }
    const earlier = mine.flatMap((s) => s.nodes.filter((p) => rule.publishers.includes(p)).map((p) => firstRule(p, type))).filter((j): j is number => j !== undefined && j !== i);
    if (earlier.length > 0) return `the rule on line ${input.lineOf(rules[Math.min(...earlier)]!.span)} comes first for ${type}`;
    const to = mine.flatMap((s) => s.nodes.filter((p) => rule.publishers.includes(p)).flatMap((p) => s.verifiers(p).filter((v) => v !== p)));
    return to.length === 0 ? `${names(rule.publishers)} send ${type} to no other node` : `${type} goes to ${names(to)}, none of them among the rule's verifiers (${names(rule.verifiers)})`;
  }

  /** The covered PUBLISH sites, each with the issuers it covers for. */
  function bySite(mine: readonly Covered[]): Map<Site, Covered[]> {
    const out = new Map<Site, Covered[]>();
    for (const c of mine) out.set(c.site, [...(out.get(c.site) ?? []), c]);
    return out;
  }

  function checkTargets(o: Optimizer, mine: readonly Covered[]): void {
    const arg = String(o.args[0]);
    const targets = targetsOf(arg);
    const written = arg === targets.join(', ') ? arg : `${arg} = ${names(targets)}`;
    for (const [s, cs] of bySite(mine)) {
      // A target that is the issuer holds its statement already; any other must be a verifier.
      const strangers = cs.filter((c) => targets.some((t) => t !== c.issuer && !c.verifiers.includes(t)));
      if (strangers.length > 0) {
        const outside = names(strangers.flatMap((c) => targets.filter((t) => t !== c.issuer && !c.verifiers.includes(t))));
        const to = names(strangers.flatMap((c) => c.verifiers));
        input.report(
          'MOM616',
          `OPTIMISTIC(${written}): ${outside} ${plural(outside.split(', ').length, 'is not a verifier', 'are not verifiers')} of ${site(s)}, which ${names(strangers.map((c) => c.issuer))} ${plural(strangers.length, 'sends', 'send')} to ${to}; a relay that is not a verifier would learn a statement the program never gives it: name a target among the verifiers`,
          o.argSpans[0] ?? o.span,
        );
        continue;
      }
      // What the targets relay must stay checkable by each final verifier.
      const refused = new Map<string, { mechanism: Mechanism; issuers: Set<string>; verifiers: Set<string>; relays: Set<string> }>();
      for (const c of cs) {
        const relays = targets.filter((t) => t !== c.issuer);
        if (relays.length === 0) continue;
        const auditors = s.auditors(c.issuer);
        for (const v of c.applies) {
          if (targets.includes(v)) continue;
          const m = d.resolve(c.issuer, v, auditors);
          // No mechanism at all is deploy-check's MOM620, at the PUBLISH.
          if (m === undefined || relayable(m)) continue;
          const entry = d.authFor(c.issuer, v);
          const key = `${showMechanism(m)}${entry === undefined ? '' : ` (line ${input.lineOf(entry.span)})`}`;
          let g = refused.get(key);
          if (g === undefined) refused.set(key, (g = { mechanism: m, issuers: new Set(), verifiers: new Set(), relays: new Set() }));
          g.issuers.add(c.issuer);
          g.verifiers.add(v);
          relays.forEach((r) => g.relays.add(r));
        }
      }
      for (const [how, g] of refused) {
        const fine = Object.entries(MECHANISMS).filter(([, info]) => info.relayed !== undefined && info.sections.includes('Authentication')).map(([k]) => k);
        input.report(
          'MOM617',
          `OPTIMISTIC(${written}) has ${names(g.relays)} relay ${site(s)} from ${names(g.issuers)} to ${names(g.verifiers)}, but ${how} authenticates it, and a relay cannot pass that on: the final verifier could not tell the issuer's statement from one the relay made up. Authenticate these pairs with ${fine.join(', ')} (HMAC is relayed ${MECHANISMS.HMAC.relayed}), or leave this OPTIMISTIC step out`,
          o.span,
        );
      }
    }
  }

  function checkQuorum(rule: DisseminationRule, o: Optimizer, mine: readonly Covered[]): void {
    for (const [s, cs] of bySite(mine)) {
      const missing = cs.filter((c) => quorumOf(c) === undefined);
      if (missing.length === 0) continue;
      const type = s.recordType;
      const verifiers = names(missing.flatMap((c) => c.verifiers));
      const others = quorums.filter((q) => q.recordType === type);
      const seen = others.length === 0 ? `no pattern of PROGRAM ${program.name} counts a quorum of ${type}` : `the quorum patterns over ${type} (${others.map((q) => at(q.span)).join(', ')}) count issuers that are not all among them`;
      const progress = s.progress === undefined ? 'its PUBLISH has no PROGRESS pattern counting a quorum of them' : `its PROGRESS pattern (${at(s.progress.span)}) counts issuers that are not all among them`;
      input.report(
        'MOM619',
        `OPTIMISTIC(QUORUM) in the rule on line ${input.lineOf(rule.span)} has no quorum size for ${type}, ${site(s)}, which ${names(missing.map((c) => c.issuer))} ${plural(missing.length, 'sends', 'send')} to ${verifiers}: ${progress}, and ${seen}; name the targets instead, e.g. OPTIMISTIC(${[...program.constants.keys()].find((c) => targetsOf(c).length > 0) ?? 'PRIMARY'})`,
        o.span,
      );
    }
  }

  function checkDigest(rule: DisseminationRule, o: Optimizer, mine: readonly Covered[]): void {
    const example = [...program.records.values()].flatMap((r) => r.decl.fields.filter((f) => isReference(f.type, program)).map((f) => `${r.name}'s ${f.name.name}: ${showType(f.type)}`))[0];
    const how = `DIGEST sends a field that holds a record${example === undefined ? '' : `, such as ${example},`} as the record's digest`;
    if (rule.recordTypes.length > 0) {
      for (const t of rule.recordTypes) {
        if (!hasReference(t, program)) input.report('MOM618', `DIGEST: ${showRecord(t, program)} has no field that is a record, so there is nothing to send by digest: ${how}; leave ${t} out of this rule`, o.span);
      }
      return;
    }
    const types = [...new Set(mine.map((c) => c.site.recordType))].sort();
    if (types.length > 0 && !types.some((t) => hasReference(t, program))) {
      input.report('MOM618', `DIGEST: none of the record types this rule covers has a field that is a record (${types.map((t) => showRecord(t, program)).join('; ')}), so there is nothing to send by digest: ${how}`, o.span);
    }
  }

  // The plans, computed once per issuer and record type.
  const cache = new Map<string, DisseminationPlan | undefined>();
  const plan = (issuer: string, recordType: string): DisseminationPlan | undefined => {
    const i = firstRule(issuer, recordType);
    if (i === undefined) return undefined;
    const rule = rules[i]!;
    const sitesOf = covered[i]!.filter((c) => c.issuer === issuer && c.site.recordType === recordType);
    const quorum = (): Quorum =>
      largest(sitesOf.map(quorumOf)) ?? quorumAmong(recordType, new Set(rule.verifiers)) ?? { quorum: rule.verifiers.length, from: [...rule.verifiers] };
    const steps = rule.optimizers.flatMap((o): DisseminationStep[] => {
      const escalationMs = o.escalationMs ?? DEFAULT_ESCALATION_MS;
      switch (o.name) {
        case 'OPTIMISTIC': {
          if (o.args[0] !== QUORUM) return [{ kind: 'OPTIMISTIC', targets: targetsOf(String(o.args[0])), escalationMs }];
          const q = quorum();
          return [{ kind: 'OPTIMISTIC', targets: QUORUM, quorum: q.quorum, quorumFrom: q.from, escalationMs }];
        }
        case 'BATCH':
          return [{ kind: 'BATCH', count: Number(o.args[0]), windowMs: Number(o.args[1]) }];
        case 'DIGEST':
          return hasReference(recordType, program) ? [{ kind: 'DIGEST' }] : [];
        default:
          return [];
      }
    });
    return { rule, verifiers: rule.verifiers, steps, text: showSteps(steps) };
  };
  return (issuer, recordType) => {
    const key = `${issuer}\u0000${recordType}`;
    if (!cache.has(key)) cache.set(key, plan(issuer, recordType));
    return cache.get(key);
  };
}

/** `OPTIMISTIC(r1) 200ms → BATCH(16, 2ms) → fallback`. */
export function showSteps(steps: readonly DisseminationStep[]): string {
  const shown = steps.map((s) => {
    switch (s.kind) {
      case 'OPTIMISTIC':
        return `OPTIMISTIC(${s.targets === QUORUM ? `QUORUM=${s.quorum}` : s.targets.join(', ')}) ${s.escalationMs}ms`;
      case 'BATCH':
        return `BATCH(${s.count}, ${s.windowMs}ms)`;
      case 'DIGEST':
        return 'DIGEST';
    }
  });
  return [...shown, 'fallback'].join(' → ');
}

// A set of records is not one: the wire's DIGEST (wire/digest.ts) replaces
// only fields whose value is a record, so a set-valued field (PBFTBatched's
// batch) would always travel in full and the optimizer would do nothing.
function isReference(t: A.TypeExpr, program: CheckedProgram): boolean {
  return t.kind === 'namedType' && program.records.has(t.name.name);
}

/** Whether a record type has a field that holds a record (not a set of them: DIGEST does not digest inside sets). */
export function hasReference(recordType: string, program: CheckedProgram): boolean {
  return program.records.get(recordType)?.decl.fields.some((f) => isReference(f.type, program)) ?? false;
}

function showType(t: A.TypeExpr): string {
  switch (t.kind) {
    case 'boolType':
      return 'BOOLEAN';
    case 'intType':
      return 'INTEGER';
    case 'rangeType':
      return 'a range';
    case 'enumType':
      return `{${t.values.map((v) => v.name).join(', ')}}`;
    case 'namedType':
      return t.name.name;
    case 'setType':
      return `SET OF ${showType(t.elem)}`;
    case 'statementType':
      return `STATEMENT ${t.record.name}`;
  }
}

function showRecord(name: string, program: CheckedProgram): string {
  const r = program.records.get(name);
  return r === undefined ? name : `${name} { ${r.decl.fields.map((f) => `${f.name.name}: ${showType(f.type)}`).join(', ')} }`;
}
