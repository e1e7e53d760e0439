// The result of `mommie verify` for a person at a terminal. Counterexamples are
// numbered MOMMIE steps; `formatTrace` is shared with the JUnit reporter.

import type {
  Coverage,
  EvaluationError,
  ModelBounds,
  ModelResult,
  ModelStatus,
  PropertyResult,
  SearchStats,
  StatementView,
  StepAction,
  Trace,
  VarChange,
  VerifyResult,
} from '../check/result.js';

export interface HumanOptions {
  /** ANSI colors; off unless asked for. */
  readonly color?: boolean;
  /** The engine that produced a model's result, where a line depends on it. */
  readonly engine?: 'builtin' | 'tlc';
}

type Paint = (s: string) => string;
interface Palette {
  readonly ok: Paint;
  readonly bad: Paint;
  readonly warn: Paint;
  readonly bold: Paint;
  readonly dim: Paint;
}

const sgr =
  (code: string): Paint =>
  (s) =>
    `\x1b[${code}m${s}\x1b[0m`;
const plain: Paint = (s) => s;
const palette = (color: boolean | undefined): Palette =>
  color === true
    ? { ok: sgr('32'), bad: sgr('31'), warn: sgr('33'), bold: sgr('1'), dim: sgr('2') }
    : { ok: plain, bad: plain, warn: plain, bold: plain, dim: plain };

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------
// Statements and steps.

/** A principal list: one name bare, several as a MOMMIE set `{r1, r2}`, none as `empty`. */
function principals(names: readonly string[], empty: string): string {
  if (names.length === 0) return empty;
  if (names.length === 1) return names[0]!;
  return `{${names.join(', ')}}`;
}

/**
 * `[r2 → c1, NOONE] Reply(req: ..., res: 1)`: issuer, verifiers, auditors.
 * Several verifiers or auditors are braced (`[r1 → {r1, r2, r3, r4}, NOONE]`)
 * so that the comma between verifiers and auditors stays unambiguous.
 */
export function formatStatement(s: StatementView): string {
  return `[${s.issuer} → ${principals(s.verifiers, '{}')}, ${principals(s.auditors, 'NOONE')}] ${s.record}`;
}

function describeAction(a: StepAction): { head: string; extra: string[] } {
  switch (a.kind) {
    case 'init':
      return { head: 'initial state', extra: [] };
    case 'fire': {
      const args = Object.entries(a.binding)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      const fired = `${a.node} fires ${a.transition}(${args})${a.timeout ? ' on timeout' : ''}`;
      if (a.published.length === 0) return { head: fired, extra: [] };
      if (a.published.length === 1) return { head: `${fired}, publishes ${formatStatement(a.published[0]!)}`, extra: [] };
      return { head: `${fired}, publishes:`, extra: a.published.map(formatStatement) };
    }
    case 'deliver':
      return { head: `deliver ${formatStatement(a.statement)} to ${a.node}`, extra: [] };
    case 'byzantine':
      return { head: `${a.node} (Byzantine) publishes ${formatStatement(a.statement)}`, extra: [] };
  }
}

function describeChange(c: VarChange): string {
  const name = `${c.node}.${c.variable}`;
  return c.before === undefined ? `${name} = ${c.after}` : `${name}: ${c.before} → ${c.after}`;
}

export interface TraceOptions extends HumanOptions {
  /** Put before every line; two spaces by default. */
  readonly indent?: string;
}

/**
 * The trace as numbered MOMMIE steps, one line per step followed by the
 * statements it published (when more than one) and its variable changes:
 *
 *     1. initial state
 *          r2.executeSeqNo = 0
 *     3. r2 fires Execute(order=..., req=...), publishes [r2 → c1, NOONE] Reply(...)
 *          r2.executeSeqNo: 0 → 1
 *
 * A lasso marks the step it loops back to and ends with where it goes.
 */
export function formatTrace(trace: Trace, opts: TraceOptions = {}): string[] {
  const p = palette(opts.color);
  const indent = opts.indent ?? '  ';
  const steps = trace.steps;
  const width = String(Math.max(0, ...steps.map((s) => s.index))).length;
  const sub = `${indent}${' '.repeat(width + 2)}  `;
  const last = steps[steps.length - 1]?.index;
  const loopsTo = trace.loopsTo;
  const stutters = loopsTo !== undefined && loopsTo === last;
  const lines: string[] = [];
  for (const step of steps) {
    if (loopsTo !== undefined && !stutters && step.index === loopsTo) {
      lines.push(p.dim(`${indent}-- the loop starts here`));
    }
    const { head, extra } = describeAction(step.action);
    lines.push(`${indent}${String(step.index).padStart(width)}. ${head}`);
    for (const e of extra) lines.push(`${sub}${e}`);
    for (const c of step.changes) lines.push(`${sub}${describeChange(c)}`);
  }
  if (loopsTo !== undefined) {
    lines.push(
      p.dim(
        stutters
          ? `${indent}-- from here the system stutters forever (no fair step is enabled)`
          : `${indent}-- back to step ${loopsTo}`,
      ),
    );
  }
  return lines;
}

/**
 * `4 states`; for a lasso `5 states, then a loop` or `5 states, then stuttering`.
 * States, not steps: the numbered list starts with the initial state, and the
 * run's depth already counts steps.
 */
export function traceSummary(trace: Trace): string {
  const n = plural(trace.steps.length, 'state', 'states');
  if (trace.loopsTo === undefined) return n;
  return trace.loopsTo === trace.steps[trace.steps.length - 1]?.index ? `${n}, then stuttering` : `${n}, then a loop`;
}

// ---------------------------------------------------------------------------
// Models.

const STATUS: Record<ModelStatus, string> = {
  complete: 'complete',
  violation: 'violation',
  limit: 'limit reached, search incomplete',
  error: 'evaluation error',
  interrupted: 'interrupted, search incomplete',
};

/** `crashed: r3; Byzantine: r4 (sends Reply, Order; budget 2); symmetry: C; constants: MaxSeq = 1; deadlock checking: on`. */
export function formatBounds(b: ModelBounds): string {
  const parts: string[] = [];
  parts.push(`crashed: ${b.crashed.length === 0 ? 'none' : b.crashed.join(', ')}`);
  const byz = b.byzantine.map(
    (z) => `${z.principal} (sends ${z.sends.length === 0 ? 'nothing' : z.sends.join(', ')}; budget ${z.budget})`,
  );
  parts.push(`Byzantine: ${byz.length === 0 ? 'none' : byz.join(', ')}`);
  if (b.symmetry.length > 0) parts.push(`symmetry: ${b.symmetry.join(', ')}`);
  const constants = Object.entries(b.constants).map(([k, v]) => `${k} = ${v}`);
  if (constants.length > 0) parts.push(`constants: ${constants.join(', ')}`);
  parts.push(`deadlock checking: ${b.deadlock ? 'on' : 'off'}`);
  if (b.partialOrder === true) parts.push('partial-order reduction: on');
  if (b.simulation !== undefined) parts.push(`simulation: ${b.simulation.walks} random walks from seed ${b.simulation.seed}${b.simulation.depth === undefined ? ', each to a fair end' : `, cut at depth ${b.simulation.depth}`}`);
  const limits: string[] = [];
  if (b.maxStates !== undefined) limits.push(`${b.maxStates} states`);
  if (b.maxDepth !== undefined) limits.push(`depth ${b.maxDepth}`);
  if (b.timeoutSeconds !== undefined) limits.push(`${b.timeoutSeconds} s`);
  if (limits.length > 0) parts.push(`limits: ${limits.join(', ')}`);
  return parts.join('; ');
}

function seconds(s: number): string {
  return s < 10 ? s.toFixed(2) : s.toFixed(1);
}

/** `1234 states generated, 567 distinct states, depth 12, 0.42 s (2938 states/s), peak RSS 48 MB`. */
export function formatStats(s: SearchStats): string {
  const line =
    `${plural(s.generated, 'state', 'states')} generated, ${plural(s.distinct, 'distinct state', 'distinct states')}, ` +
    `depth ${s.depth}, ${seconds(s.seconds)} s (${Math.round(s.statesPerSecond)} states/s)`;
  const withRss = s.peakRssMB > 0 ? `${line}, peak RSS ${Math.round(s.peakRssMB)} MB` : line;
  return s.collisionProbability !== undefined && s.collisionProbability > 0
    ? `${withRss}, fingerprint collision chance ${s.collisionProbability.toExponential(1)}`
    : withRss;
}

/**
 * `coverage: Client.Submit 12, Replica.Execute 340; 5120 deliveries; Byzantine r4 published 30`,
 * then one `warning:` line per vacuity warning; nothing when the engine counted no steps (TLC).
 */
export function formatCoverage(c: Coverage | undefined, opts: HumanOptions = {}): string[] {
  const p = palette(opts.color);
  if (c === undefined) return [];
  const fires = c.transitions.map((t) => `${t.role}.${t.transition} ${t.fired}`).join(', ');
  const byz = c.byzantine.map((b) => `Byzantine ${b.node} published ${b.published}`).join(', ');
  const head = `coverage (steps generated): ${fires || 'no transitions run by a correct node'}; ${plural(c.deliveries, 'delivery', 'deliveries')}${byz ? `; ${byz}` : ''}`;
  return [p.dim(head), ...c.warnings.map((w) => `${p.warn('warning:')} ${w}`)];
}

/** `✓ ValidReplies  holds`, `✗ ClientsServed  violated`, `? Name  unknown (reason)`. */
export function formatPropertyLine(pr: PropertyResult, opts: HumanOptions = {}): string {
  const p = palette(opts.color);
  const detail = pr.detail === undefined || pr.detail === '' ? '' : ` (${pr.detail})`;
  switch (pr.verdict) {
    case 'holds':
      return `${p.ok('✓')} ${pr.name}  ${p.ok('holds')}${detail}`;
    case 'violated':
      return `${p.bad('✗')} ${pr.name}  ${p.bad('violated')}${detail}`;
    case 'unknown':
      return `${p.warn('?')} ${pr.name}  ${p.warn('unknown')}${detail}`;
  }
}

/** `specs/X.mom:12:7: error MOM701: division by zero`, the project's diagnostic form. */
export function formatEvaluationError(e: EvaluationError): string {
  return `${e.location}: error ${e.code}: ${e.message}`;
}

function formatModel(m: ModelResult, opts: HumanOptions): string[] {
  const p = palette(opts.color);
  const status =
    m.status === 'complete' ? p.ok(STATUS[m.status]) : m.status === 'violation' || m.status === 'error' ? p.bad(STATUS[m.status]) : p.warn(STATUS[m.status]);
  const lines = [`${p.bold(`model ${m.model}`)}: ${status}`, `  bounds: ${formatBounds(m.bounds)}`];
  for (const pr of m.properties) lines.push(`  ${formatPropertyLine(pr, opts)}`);
  if (m.properties.length === 0) lines.push('  no properties checked');
  lines.push(p.dim(`  ${formatStats(m.stats)}`));
  lines.push(...formatCoverage(m.coverage, opts).map((l) => `  ${l}`));
  if (m.coverage === undefined && opts.engine === 'tlc') lines.push(p.dim('  coverage: not counted by TLC (the built-in engine counts each transition\'s steps)'));
  if (m.error !== undefined) {
    lines.push('', `  ${p.bad(formatEvaluationError(m.error))}`);
    if (m.error.trace !== undefined) {
      lines.push(`  trace to the failing evaluation (${traceSummary(m.error.trace)}):`);
      lines.push(...formatTrace(m.error.trace, { ...opts, indent: '    ' }));
    }
  } else if (m.status === 'error') {
    lines.push('', `  ${p.bad('evaluation error (no details reported)')}`);
  }
  for (const pr of m.properties) {
    if (pr.verdict !== 'violated' || pr.trace === undefined) continue;
    lines.push('', `  counterexample to ${pr.name} (${traceSummary(pr.trace)}):`);
    lines.push(...formatTrace(pr.trace, { ...opts, indent: '    ' }));
  }
  return lines;
}

/** The whole result, ending in a newline. */
export function formatVerifyResult(r: VerifyResult, opts: HumanOptions = {}): string {
  const p = palette(opts.color);
  const lines = [
    `${p.bold(r.program)} (${r.file}), engine ${r.engine}, ${plural(r.models.length, 'model', 'models')}`,
  ];
  for (const m of r.models) lines.push('', ...formatModel(m, { ...opts, engine: r.engine }));
  return `${lines.join('\n')}\n`;
}
