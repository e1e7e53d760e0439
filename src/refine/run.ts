// `mommie refine`: the module-level checks a deployment relies on, then the
// program composed with the deployment under each model, each by TLC in a
// fresh temporary directory (nothing is written next to the user's files).
// A composed model that passes the state or time limit is reported as too
// large, with the bounds to make smaller; it is never shrunk silently.

import { isLeft } from 'fp-ts/lib/Either.js';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckedProgram } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { Deployment } from '../deploy/deployment.js';
import { translate } from '../tla/module.js';
import { transitionOperator } from '../tla/names.js';
import type { Finding, TlcResult } from '../tlc/result.js';
import { runTlcProcess, type TlcTools } from '../tlc/run.js';
import { formatSanyErrors } from '../tlc/sany.js';
import { compose, composedModuleName } from './compose.js';
import { counterexampleOf } from './counterexample.js';
import { configHeader, configProperties, deploymentUses, describeExpectation, isControl, MODULE_CHECKS, moduleMapping, refinementFolder, type ModuleCheck, type ModuleExpectation } from './modules.js';
import type { RefineCheck, RefineReport, RefineVerdict } from './result.js';

export interface RefineOptions {
  readonly program: CheckedProgram;
  readonly source: SourceText | undefined;
  readonly deployment: Deployment;
  readonly tools: TlcTools;
  /** Only these models (default: every model of the program). */
  readonly models?: readonly string[];
  /** Skip the module-level checks (the composed models only). */
  readonly composedOnly?: boolean;
  /** Skip the composed models (the module-level checks only). */
  readonly modulesOnly?: boolean;
  /** Stop a composed model past this many distinct states (default 2,000,000). */
  readonly maxStates?: number;
  /** Stop any one TLC run after this long (default 600 s). */
  readonly timeoutMs?: number;
  readonly workers?: number;
  readonly onProgress?: (line: string) => void;
  readonly isInterrupted?: () => boolean;
}

export const DEFAULT_MAX_STATES = 2_000_000;
export const DEFAULT_TIMEOUT_MS = 600_000;

export async function refine(opts: RefineOptions): Promise<RefineReport> {
  const started = Date.now();
  const checks: RefineCheck[] = [];
  const seen: Versions = { tlc: null };
  const work = mkdtempSync(join(tmpdir(), 'mommie-refine-'));
  try {
    if (opts.composedOnly !== true) {
      const folder = refinementFolder();
      if (folder === undefined) {
        checks.push(errorCheck('module', 'refinement/', 'the refinement/ models are not installed with mommie (the package is incomplete)'));
      } else {
        const principals = [...opts.program.principalSets.values()].flat();
        const uses = deploymentUses(opts.deployment, principals);
        const copy = join(work, 'refinement');
        cpSync(folder, copy, { recursive: true });
        for (const m of MODULE_CHECKS.filter((c) => c.appliesTo(uses))) {
          if (opts.isInterrupted?.() === true) break;
          opts.onProgress?.(`module ${m.config} ...`);
          checks.push(await moduleCheck(opts, seen, m, folder, copy, join(work, `meta-${m.config}`)));
        }
      }
    }
    if (opts.modulesOnly !== true) {
      const models = opts.models ?? [...opts.program.models.keys()];
      const tla = translate(opts.program, opts.source, { models: [...models] });
      const dir = join(work, 'composed');
      mkdirSync(dir, { recursive: true });
      for (const [f, text] of tla.files) writeFileSync(join(dir, f), text);
      for (const model of models) {
        if (opts.isInterrupted?.() === true) break;
        opts.onProgress?.(`composed ${opts.program.name}/${model} ...`);
        checks.push(await composedCheck(opts, seen, model, dir, tla.files.get(`MC_${tla.moduleName}_${model}.cfg`) ?? '', join(work, `meta-${model}`)));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { program: opts.program.file, deploy: opts.deployment.file, tlc: seen.tlc ?? 'unknown', checks, seconds: (Date.now() - started) / 1000 };
}

function errorCheck(kind: 'module' | 'composed', name: string, message: string): RefineCheck {
  return { kind, name, about: '', mapping: '', bounds: '', properties: [], assumptions: [], verdict: 'error', message, expectedFailure: null, distinct: null, generated: null, depth: null, seconds: 0, violated: null, counterexample: null, suggestion: null };
}

/** The TLC version the first run printed. */
interface Versions {
  tlc: string | null;
}

interface TlcOutcome {
  readonly result?: TlcResult;
  readonly error?: string;
  readonly stoppedAt?: { distinct: number; depth: number; reason: 'states' | 'time' | 'interrupted' };
  readonly seconds: number;
}

async function runTlc(opts: RefineOptions, seen: Versions, cwd: string, module: string, config: string, metadir: string, maxStates: number): Promise<TlcOutcome> {
  const started = Date.now();
  let last = { distinct: 0, depth: 0 };
  let overLimit = false;
  const run = await runTlcProcess(opts.tools, {
    cwd,
    module,
    config,
    metadir,
    workers: opts.workers ?? 1,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    onEvent: (e) => {
      if (e.kind !== 'progress') return;
      last = { distinct: e.progress.distinct ?? last.distinct, depth: e.progress.depth };
      if (last.distinct > maxStates) overLimit = true;
    },
    isInterrupted: () => overLimit || opts.isInterrupted?.() === true,
  });
  const seconds = (Date.now() - started) / 1000;
  if (overLimit || run.timedOut || opts.isInterrupted?.() === true) {
    return { stoppedAt: { ...last, reason: overLimit ? 'states' : run.timedOut ? 'time' : 'interrupted' }, seconds };
  }
  if (isLeft(run.parsed)) return { error: `TLC's output could not be read: ${run.parsed.left.message}${run.stderr === '' ? '' : `\n${run.stderr}`}`, seconds };
  seen.tlc ??= run.parsed.right.version?.raw ?? null;
  return { result: run.parsed.right, seconds };
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}

/** Which property a finding violated, in words. */
function violatedOf(f: Finding, refinementLine: (message: string) => boolean): string {
  switch (f.kind) {
    case 'invariant':
      return f.name;
    case 'property':
      if (!f.temporal && refinementLine(f.message)) return 'refinement (a step that is no step of the abstract spec)';
      return f.names.length > 0 ? f.names.join(', ') : f.temporal ? 'a temporal property' : 'an action property';
    case 'deadlock':
      return 'deadlock';
    default:
      return f.kind;
  }
}

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

async function moduleCheck(opts: RefineOptions, seen: Versions, m: ModuleCheck, folder: string, copy: string, metadir: string): Promise<RefineCheck> {
  const header = configHeader(folder, m.config);
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
  };
  const o = await runTlc(opts, seen, copy, m.module, m.config, metadir, Number.MAX_SAFE_INTEGER);
  if (o.stoppedAt !== undefined) return { ...base, verdict: o.stoppedAt.reason === 'interrupted' ? 'error' : 'too-large', message: `stopped (${o.stoppedAt.reason}) at ${o.stoppedAt.distinct} distinct states`, distinct: o.stoppedAt.distinct, generated: null, depth: o.stoppedAt.depth, seconds: o.seconds, violated: null, counterexample: null };
  if (o.result === undefined) return { ...base, verdict: 'error', message: o.error ?? 'TLC failed', distinct: null, generated: null, depth: null, seconds: o.seconds, violated: null, counterexample: null };
  const r = o.result;
  const stats = { distinct: r.statistics?.distinct ?? null, generated: r.statistics?.generated ?? null, depth: r.statistics?.depth ?? null, seconds: o.seconds };
  if (r.verdict === 'parse-error') return { ...base, ...stats, verdict: 'error', message: `SANY rejected ${m.module}: ${formatSanyErrors(r.sany.errors)}`, violated: null, counterexample: null };
  // TLC names a violated Abs!Spec by its place: the Spec line of AbstractPool.
  const isRefinementStep = (msg: string): boolean => /of module AbstractPool/.test(msg);
  const f = r.findings[0];
  if (r.verdict === 'success') {
    const verdict: RefineVerdict = isControl(m) ? 'fail' : 'pass';
    return { ...base, ...stats, verdict, message: isControl(m) ? `no counterexample, but this negative control must fail (${base.expectedFailure})` : 'every property holds', violated: null, counterexample: null };
  }
  if (f === undefined) return { ...base, ...stats, verdict: 'error', message: r.errors.map((e) => firstLine(e.text)).join('; ') || `TLC ended with ${r.verdict}`, violated: null, counterexample: null };
  // TLC 2.19 does not name a violated temporal property; a module claims one (Liveness).
  const liveness = configProperties(folder, m.config).filter((p) => p === 'Liveness');
  const violated = f.kind === 'property' && f.temporal && f.names.length === 0 && liveness.length === 1 ? liveness[0]! : violatedOf(f, isRefinementStep);
  const trace = 'trace' in f ? f.trace : null;
  const counterexample = trace === null ? null : counterexampleOf(trace, undefined);
  const asExpected = matches(m.expected, f, f.kind === 'property' && isRefinementStep(f.message));
  return {
    ...base,
    ...stats,
    verdict: asExpected ? 'pass' : 'fail',
    message: asExpected ? `fails as a negative control must: ${violated}` : `${violated} violated: ${firstLine(f.message)}`,
    violated,
    counterexample,
  };
}

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

async function composedCheck(opts: RefineOptions, seen: Versions, model: string, dir: string, modelConfig: string, metadir: string): Promise<RefineCheck> {
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
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const o = await runTlc(opts, seen, dir, composedModuleName(program, model), `${c.moduleName}.cfg`, metadir, maxStates);
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
    };
  }
  if (o.result === undefined) return { ...base, verdict: 'error', message: o.error ?? 'TLC failed', distinct: null, generated: null, depth: null, seconds: o.seconds, violated: null, counterexample: null, suggestion: null };
  const r = o.result;
  const stats = { distinct: r.statistics?.distinct ?? null, generated: r.statistics?.generated ?? null, depth: r.statistics?.depth ?? null, seconds: o.seconds };
  if (r.verdict === 'parse-error') return { ...base, ...stats, verdict: 'error', message: `SANY rejected the composed module (a bug in mommie): ${formatSanyErrors(r.sany.errors)}`, violated: null, counterexample: null, suggestion: null };
  if (r.verdict === 'success') return { ...base, ...stats, verdict: 'pass', message: 'the composed spec refines the abstract spec, and every invariant and property holds', violated: null, counterexample: null, suggestion: null };
  const f = r.findings[0];
  if (f === undefined) return { ...base, ...stats, verdict: 'error', message: r.errors.map((e) => firstLine(e.text)).join('; ') || `TLC ended with ${r.verdict}`, violated: null, counterexample: null, suggestion: null };
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
    counterexample: trace === null ? null : counterexampleOf(trace, transitionNames(program)),
    suggestion: null,
  };
}

