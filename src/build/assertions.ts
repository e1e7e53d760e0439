// The run-time comparison `--assert` buys: for one step, what the body
// program did (each role variable's new value, each statement published)
// against what the body spec does from the same pre-state and binding. Each
// difference is a violation naming the spec's statement (file:line:col in
// the .mom) and the program's (file:line:col in the user's .ts).

import type { TransitionInfo } from '../analysis/program.js';
import type { SourceText } from '../diagnostics/source.js';
import type { SpecOutcome, StatementDraft } from '../semantics/body.js';
import type { Evaluator } from '../semantics/eval.js';
import { equalValues, type Value } from '../semantics/value.js';
import type * as A from '../syntax/ast.js';

export type AssertMode = 'stop' | 'log' | 'count';

export interface Located {
  /** file:line:col */
  readonly at: string;
  /** The source line, trimmed (the spec's statement); absent for the program's side. */
  readonly text?: string;
}

export interface Violation {
  readonly node: string;
  /** `Role.Transition` */
  readonly transition: string;
  /** What differs: `variable x`, `PUBLISH`, `missing PUBLISH`, `extra PUBLISH`. */
  readonly what: string;
  readonly spec: Located;
  readonly program: Located;
  readonly binding: string;
  readonly specValue: string;
  readonly programValue: string;
}

/** Where violations go: the run's choice of mode, and its tallies. */
export interface AssertSink {
  readonly mode: AssertMode;
  checked: number;
  violations: number;
  report(v: Violation): void;
}

/** A statement the program published, with the place it did (a getter: the place is worked out when read). */
export interface ProgramDraft {
  readonly draft: StatementDraft;
  readonly at: string;
}

export interface StepComparison {
  readonly node: string;
  readonly transition: TransitionInfo;
  /** The body program's method (file:line:col): where a write or publish it never made is charged. */
  readonly programAt: string;
  readonly binding: string;
  readonly names: readonly string[];
  readonly spec: SpecOutcome;
  readonly vars: readonly Value[];
  /** Where the program last wrote a variable, if it did (worked out only for a report). */
  readonly writtenAt: (name: string) => string | undefined;
  readonly published: readonly ProgramDraft[];
}

export function compareStep(c: StepComparison, ev: Evaluator, source: SourceText): Violation[] {
  const out: Violation[] = [];
  const base = { node: c.node, transition: `${c.transition.role}.${c.transition.name}`, binding: c.binding };
  const specAt = (n: A.Node): Located => locate(n, source);
  c.names.forEach((name, i) => {
    const s = c.spec.vars[i]!;
    const p = c.vars[i]!;
    if (equalValues(s, p)) return;
    const assign = c.spec.writes.get(i);
    const wrote = c.writtenAt(name);
    out.push({
      ...base, what: `variable ${name}`,
      spec: assign !== undefined ? specAt(assign) : { ...specAt(c.transition.decl), text: `(the body spec leaves ${name} unchanged)` },
      program: wrote !== undefined ? { at: wrote } : { at: c.programAt, text: `(the body program never writes ${name})` },
      specValue: ev.show(s), programValue: ev.show(p),
    });
  });
  const specLeft = [...c.spec.drafts];
  const progLeft = [...c.published];
  for (let i = 0; i < specLeft.length; i++) {
    const k = progLeft.findIndex((p) => sameStatement(p.draft, specLeft[i]!));
    if (k < 0) continue;
    progLeft.splice(k, 1);
    specLeft.splice(i--, 1);
  }
  for (const s of specLeft) {
    const k = progLeft.findIndex((p) => p.draft.record.type === s.record.type);
    const p = k < 0 ? undefined : progLeft.splice(k, 1)[0];
    out.push({
      ...base, what: p === undefined ? 'missing PUBLISH' : 'PUBLISH',
      spec: specAt(s.site), program: p === undefined ? { at: c.programAt, text: `(the body program publishes no such ${s.record.type})` } : { at: p.at },
      specValue: showStatement(s, ev), programValue: p === undefined ? 'nothing' : showStatement(p.draft, ev),
    });
  }
  for (const p of progLeft) {
    out.push({
      ...base, what: 'extra PUBLISH',
      spec: { ...specAt(c.transition.decl), text: `(the body spec publishes no more ${p.draft.record.type})` }, program: { at: p.at },
      specValue: 'nothing', programValue: showStatement(p.draft, ev),
    });
  }
  return out;
}

function sameStatement(a: StatementDraft, b: StatementDraft): boolean {
  return a.issuer === b.issuer && a.verifiers.join() === b.verifiers.join() && a.auditors.join() === b.auditors.join() && equalValues(a.record, b.record);
}

export function showStatement(s: StatementDraft, ev: Evaluator): string {
  const set = (xs: readonly string[]): string => (xs.length === 0 ? 'NOONE' : xs.length === 1 ? xs[0]! : `{${xs.join(', ')}}`);
  return `[${s.issuer}, ${set(s.verifiers)}, ${set(s.auditors)}] ${ev.show(s.record)}`;
}

function locate(n: A.Node, source: SourceText): Located {
  const p = source.position(n.span.start);
  return { at: `${source.file}:${p.line}:${p.column}`, text: source.lineText(p.line).trim() };
}

/** The report of one violation: the spec's side, the program's side, the binding, the two values. */
export function formatViolation(v: Violation): string {
  return [
    `${v.node}: error MOM702: ${v.transition}: ${v.what} differs from the body spec`,
    `  spec     ${v.spec.at}  ${v.spec.text ?? ''}`.trimEnd(),
    `  program  ${v.program.at}  ${v.program.text ?? ''}`.trimEnd(),
    `  binding  ${v.binding || '(none)'}`,
    `  spec says    ${v.specValue}`,
    `  program did  ${v.programValue}`,
  ].join('\n');
}

export function describeBinding(decl: A.Transition, bound: ReadonlyMap<number, Value>, ev: Evaluator): string {
  const parts: string[] = decl.params.map((p) => `${p.name.name} = ${show(bound.get(p.name.id), ev)}`);
  for (const p of decl.patterns) {
    if (p.issuer.kind === 'single') parts.push(`${p.issuer.binder.name} = ${show(bound.get(p.issuer.binder.id), ev)}`);
    if (p.issuer.kind === 'quorum' && p.issuer.binder !== undefined) parts.push(`${p.issuer.binder.name} = ${show(bound.get(p.issuer.binder.id), ev)}`);
    if (p.binder !== undefined) parts.push(`${p.binder.name} = ${show(bound.get(p.binder.id), ev)}`);
  }
  return parts.join(', ');
}

const show = (v: Value | undefined, ev: Evaluator): string => (v === undefined ? '?' : ev.show(v));
