// One composed model under TLC: the program composed with the deployment
// (compose.ts) for one model of the program, with TLC's -coverage report:
// how often each transition and wire step fired, and how often each
// leads-to property's antecedent held. From a complete search it warns of
// what would make an "ok" vacuous: a transition never enabled, an
// antecedent that never held, Byzantine nodes that never acted.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import { transitionOperator } from '../tla/names.js';
import { formatSanyErrors } from '../tlc/sany.js';
import { compose, composedModuleName, WIRE_STEPS, type ComposedFiles } from './compose.js';
import { counterexampleOf } from './counterexample.js';
import { CoverageCollector, firedByAction, type ActionCount } from './coverage.js';
import type { RefineCheck, StepCoverage } from './result.js';
import { checkedOf, DEFAULT_MAX_STATES, DEFAULT_TIMEOUT_MS, firstLine, outcomesOf, runTlc, violatedOf, type RefineOptions, type Versions } from './tlc-check.js';

function transitionNames(program: CheckedProgram): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of program.roles.values()) for (const t of r.transitions) m.set(transitionOperator(r.name, t.name), `${r.name}.${t.name}`);
  return m;
}

/** The model's bounds in words, and what to make smaller when it is too large. */
function modelBounds(program: CheckedProgram, source: SourceText | undefined, model: string): { bounds: string; suggestion: string } {
  const decl = program.models.get(model);
  const parts: string[] = [];
  const smaller: string[] = [];
  for (const item of decl?.items ?? []) {
    if (item.kind === 'constant') {
      parts.push(`${item.name.name} = ${sourceText(source, item.value.span)}`);
      smaller.push(`${item.name.name}`);
    } else if (item.kind === 'crash') {
      parts.push(`CRASH ${sourceText(source, item.who.span)}`);
    } else if (item.kind === 'byzantine') {
      parts.push(`BYZANTINE ${sourceText(source, item.who.span)}`);
      smaller.push('the Byzantine budget');
    }
  }
  const principals = [...program.principalSets.entries()].map(([s, ps]) => `${s} = {${ps.join(', ')}}`).join('; ');
  return {
    bounds: `${principals}${parts.length > 0 ? `; ${parts.join(', ')}` : ''}`,
    suggestion: `make a smaller model: ${[...smaller, 'more crashed nodes (a crashed node takes no steps)', 'fewer clients'].join(', ')}; or raise --max-states / --timeout`,
  };
}

function sourceText(source: SourceText | undefined, span: { start: number; end: number }): string {
  const text = source?.text.slice(span.start, span.end);
  return text === undefined || text === '' ? '…' : text.replace(/\s+/g, ' ');
}

export async function composedCheck(opts: RefineOptions, seen: Versions, model: string, dir: string, modelConfig: string, metadir: string): Promise<RefineCheck> {
  const program = opts.program;
  const c = compose({ program, deployment: opts.deployment, model, modelConfig });
  writeFileSync(join(dir, `${c.moduleName}.tla`), c.module);
  writeFileSync(join(dir, `${c.moduleName}.cfg`), c.config);
  const { bounds, suggestion } = modelBounds(program, opts.source, model);
  const properties = c.config.split('\n').filter((l) => /^(INVARIANT|PROPERTY) /.test(l)).map((l) => l.split(' ')[1]!);
  const base = {
    kind: 'composed' as const,
    name: `${program.name}/${model}`,
    about: `${program.file} composed with ${opts.deployment.file} (${[...c.mechanisms].join(', ') || 'no mechanism'}${c.plans.length > 0 ? `; ${c.plans.join('; ')}` : ''}), model ${model}`,
    mapping: 'pool ↦ the statements issuers authenticated (a history variable); known[n] ↦ the statements n accepted after checking an authenticator; role variables and handled ↦ themselves; the wire is hidden',
    bounds,
    properties,
    assumptions: [
      'authenticators are symbolic: MACs and signatures unforgeable without the key (modelled, not proven)',
      'correct nodes take enabled transitions, links deliver, the lazy fallback runs (weak fairness); Byzantine statements have no delivery guarantee',
      ...(c.moduleLevelOnly.length > 0 ? [`${c.moduleLevelOnly.join(' and ')} ${c.moduleLevelOnly.length > 1 ? 'are' : 'is'} checked at module level (a frame's members and a digest's record are received as themselves here)`] : []),
    ],
    expectedFailure: null,
  };
  const checked = checkedOf(c.config, 'AbstractSafety');
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const collector = new CoverageCollector();
  const o = await runTlc(opts, seen, dir, composedModuleName(program, model), `${c.moduleName}.cfg`, metadir, maxStates, collector);
  const actions = collector.result();
  const coverage = actions === null ? null : coverageOf(program, c, actions);
  const noCoverage = { coverage: null, warnings: [] };
  if (o.stoppedAt !== undefined) {
    const why = o.stoppedAt.reason === 'states' ? `passed the limit of ${maxStates} distinct states` : o.stoppedAt.reason === 'time' ? `ran out of time (${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s)` : 'was interrupted';
    return {
      ...base,
      verdict: o.stoppedAt.reason === 'interrupted' ? 'error' : 'too-large',
      message: `the composed model ${why} at ${o.stoppedAt.distinct} distinct states, depth ${o.stoppedAt.depth}: it is too large to check whole at these bounds`,
      distinct: o.stoppedAt.distinct,
      generated: null,
      depth: o.stoppedAt.depth,
      seconds: o.seconds,
      violated: null,
      counterexample: null,
      suggestion,
      outcomes: outcomesOf(checked, { kind: 'stopped', why: `the search stopped at ${o.stoppedAt.distinct} distinct states` }),
      ...noCoverage,
    };
  }
  const notChecked = (why: string) => outcomesOf(checked, { kind: 'stopped', why });
  if (o.result === undefined) return { ...base, verdict: 'error', message: o.error ?? 'TLC failed', distinct: null, generated: null, depth: null, seconds: o.seconds, violated: null, counterexample: null, suggestion: null, outcomes: notChecked('TLC failed'), ...noCoverage };
  const r = o.result;
  const stats = { distinct: r.statistics?.distinct ?? null, generated: r.statistics?.generated ?? null, depth: r.statistics?.depth ?? null, seconds: o.seconds };
  if (r.verdict === 'parse-error') return { ...base, ...stats, verdict: 'error', message: `SANY rejected the composed module (a bug in mommie): ${formatSanyErrors(r.sany.errors)}`, violated: null, counterexample: null, suggestion: null, outcomes: notChecked('SANY rejected the composed module'), ...noCoverage };
  const complete = { coverage, warnings: coverage === null ? [] : vacuityWarnings(program, model, coverage, stats.distinct ?? 0) };
  if (r.verdict === 'success') return { ...base, ...stats, verdict: 'pass', message: 'the composed spec refines the abstract spec, and every invariant and property holds', violated: null, counterexample: null, suggestion: null, outcomes: outcomesOf(checked, { kind: 'complete' }), ...complete };
  const f = r.findings[0];
  if (f === undefined) return { ...base, ...stats, verdict: 'error', message: r.errors.map((e) => firstLine(e.text)).join('; ') || `TLC ended with ${r.verdict}`, violated: null, counterexample: null, suggestion: null, outcomes: notChecked(`TLC ended with ${r.verdict}`), coverage, warnings: [] };
  const isRefinementStep = (msg: string): boolean => new RegExp(`of module ${composedModuleName(program, model)}`).test(msg) && /AbstractSafety|\[\]\[Next\]_vars/.test(msg) || /of module Refine_/.test(msg);
  // TLC 2.19 does not name a violated temporal property; with one in the config it can only be that one.
  const temporal = properties.filter((p) => p !== 'AbstractSafety' && c.config.includes(`PROPERTY ${p}`));
  const violated = f.kind === 'property' && f.temporal && f.names.length === 0 && temporal.length === 1 ? temporal[0]! : violatedOf(f, isRefinementStep);
  const trace = 'trace' in f ? f.trace : null;
  return {
    ...base,
    ...stats,
    verdict: 'fail',
    message: `${violated} violated: ${firstLine(f.message)}`,
    violated,
    counterexample: trace === null ? null : counterexampleOf(trace, transitionNames(program), new Map([...program.records].map(([n, r]) => [n, r.fields.map((f) => f.name)]))),
    suggestion: null,
    outcomes: outcomesOf(checked, { kind: 'violated', finding: f, isRefinementStep: f.kind === 'property' && !f.temporal && isRefinementStep(f.message) }),
    // A liveness violation is found after the whole search: its coverage is complete. A safety one stops the search.
    ...(f.kind === 'property' && f.temporal ? complete : { coverage, warnings: [] }),
  };
}

/** How often each transition and wire step fired, and each antecedent held. */
function coverageOf(program: CheckedProgram, c: ComposedFiles, actions: readonly ActionCount[]): StepCoverage[] {
  const fired = firedByAction(actions);
  const get = (op: string) => fired.get(op) ?? { fired: 0, distinct: 0 };
  const out: StepCoverage[] = [];
  for (const r of program.roles.values()) {
    for (const t of r.transitions) out.push({ kind: 'transition', name: `${r.name}.${t.name}`, ...get(`W_Fire_${transitionOperator(r.name, t.name)}`) });
  }
  for (const [op, what] of WIRE_STEPS) out.push({ kind: 'wire', name: what, ...get(op) });
  for (const p of c.probes) out.push({ kind: 'antecedent', name: p.property, fired: get(p.operator).fired, distinct: 0 });
  return out;
}

/** What a complete search says about vacuity. */
function vacuityWarnings(program: CheckedProgram, model: string, coverage: readonly StepCoverage[], states: number): string[] {
  const out: string[] = [];
  const reached = `in the ${states.toLocaleString('en-US')} states reached`;
  for (const s of coverage) {
    if (s.kind === 'transition' && s.fired === 0) out.push(`transition ${s.name} was never enabled ${reached}`);
    if (s.kind === 'antecedent' && s.fired === 0) out.push(`PROPERTY ${s.name} holds vacuously: its antecedent never held ${reached}`);
  }
  const byzantine = (program.models.get(model)?.items ?? []).some((i) => i.kind === 'byzantine');
  const acted = coverage.filter((s) => s.kind === 'wire' && (s.name === WIRE_STEPS.get('W_ByzantineIssues') || s.name === WIRE_STEPS.get('W_Adversary'))).some((s) => s.fired > 0);
  if (byzantine && !acted) out.push(`the Byzantine nodes of model ${model} never acted: no publication of their own, no item sent ${reached}`);
  return out;
}

