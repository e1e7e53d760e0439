// One module-level check of refinement/ under TLC: a positive model must
// pass; a negative control must fail in its stated way (then it counts as
// expected). Each invariant and property the .cfg names gets its outcome.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../tlc/result.js';
import { formatSanyErrors } from '../tlc/sany.js';
import { counterexampleOf } from './counterexample.js';
import { configHeader, configProperties, describeExpectation, isControl, moduleMapping, type ModuleCheck, type ModuleExpectation } from './modules.js';
import type { RefineCheck, RefineVerdict } from './result.js';
import { checkedOf, firstLine, outcomesOf, runTlc, violatedOf, type RefineOptions, type Versions } from './tlc-check.js';

function matches(e: ModuleExpectation, f: Finding, isRefinementStep: boolean): boolean {
  switch (e.kind) {
    case 'pass':
      return false;
    case 'invariant':
      return f.kind === 'invariant' && f.name === e.name;
    case 'refinement-step':
      return f.kind === 'property' && isRefinementStep;
    case 'temporal':
      return f.kind === 'property' && f.temporal && (f.names.length === 0 || f.names.includes(e.property));
  }
}

export async function moduleCheck(opts: RefineOptions, seen: Versions, m: ModuleCheck, folder: string, copy: string, metadir: string): Promise<RefineCheck> {
  const header = configHeader(folder, m.config);
  const checked = checkedOf(readFileSync(join(folder, m.config), 'utf8'), 'Refinement');
  const base = {
    kind: 'module' as const,
    name: m.config.replace(/\.cfg$/, ''),
    about: header,
    mapping: moduleMapping(folder, m.module),
    bounds: header.replace(/^.*?:\s*(?=\d|client)/, ''),
    properties: configProperties(folder, m.config),
    assumptions: m.assumptions,
    expectedFailure: describeExpectation(m.expected),
    suggestion: null,
    coverage: null,
    warnings: [],
  };
  const o = await runTlc(opts, seen, copy, m.module, m.config, metadir, Number.MAX_SAFE_INTEGER);
  if (o.stoppedAt !== undefined) {
    const message = `stopped (${o.stoppedAt.reason}) at ${o.stoppedAt.distinct} distinct states`;
    return { ...base, verdict: o.stoppedAt.reason === 'interrupted' ? 'error' : 'too-large', message, distinct: o.stoppedAt.distinct, generated: null, depth: o.stoppedAt.depth, seconds: o.seconds, violated: null, counterexample: null, outcomes: outcomesOf(checked, { kind: 'stopped', why: message }) };
  }
  const notChecked = (why: string) => outcomesOf(checked, { kind: 'stopped', why });
  if (o.result === undefined) return { ...base, verdict: 'error', message: o.error ?? 'TLC failed', distinct: null, generated: null, depth: null, seconds: o.seconds, violated: null, counterexample: null, outcomes: notChecked('TLC failed') };
  const r = o.result;
  const stats = { distinct: r.statistics?.distinct ?? null, generated: r.statistics?.generated ?? null, depth: r.statistics?.depth ?? null, seconds: o.seconds };
  if (r.verdict === 'parse-error') return { ...base, ...stats, verdict: 'error', message: `SANY rejected ${m.module}: ${formatSanyErrors(r.sany.errors)}`, violated: null, counterexample: null, outcomes: notChecked('SANY rejected the module') };
  // TLC names a violated Abs!Spec by its place: the Spec line of AbstractPool.
  const isRefinementStep = (msg: string): boolean => /of module AbstractPool/.test(msg);
  const f = r.findings[0];
  if (r.verdict === 'success') {
    const verdict: RefineVerdict = isControl(m) ? 'fail' : 'pass';
    return { ...base, ...stats, verdict, message: isControl(m) ? `no counterexample, but this negative control must fail (${base.expectedFailure})` : 'every property holds', violated: null, counterexample: null, outcomes: outcomesOf(checked, { kind: 'complete' }) };
  }
  if (f === undefined) return { ...base, ...stats, verdict: 'error', message: r.errors.map((e) => firstLine(e.text)).join('; ') || `TLC ended with ${r.verdict}`, violated: null, counterexample: null, outcomes: notChecked(`TLC ended with ${r.verdict}`) };
  // TLC 2.19 does not name a violated temporal property; a module claims one (Liveness).
  const liveness = checked.temporal.filter((p) => p === 'Liveness');
  const violated = f.kind === 'property' && f.temporal && f.names.length === 0 && liveness.length === 1 ? liveness[0]! : violatedOf(f, isRefinementStep);
  const trace = 'trace' in f ? f.trace : null;
  const counterexample = trace === null ? null : counterexampleOf(trace, undefined);
  const refinementStep = f.kind === 'property' && isRefinementStep(f.message);
  const asExpected = matches(m.expected, f, refinementStep);
  return {
    ...base,
    ...stats,
    verdict: asExpected ? 'pass' : 'fail',
    message: asExpected ? `fails as a negative control must: ${violated}` : `${violated} violated: ${firstLine(f.message)}`,
    violated,
    counterexample,
    outcomes: outcomesOf(checked, { kind: 'violated', finding: f, isRefinementStep: refinementStep }),
  };
}
